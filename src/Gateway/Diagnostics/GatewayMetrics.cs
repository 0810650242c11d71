using System.Diagnostics.Metrics;

namespace DigitalTwin.Gateway.Diagnostics;

/// <summary>The gateway's instruments; exported by whatever metrics pipeline the host wires up.</summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "DigitalTwin.Gateway";

    private readonly Counter<long> _messages;
    private readonly Counter<long> _rejections;
    private readonly Counter<long> _connections;
    private readonly Histogram<double> _ingestDuration;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _messages = meter.CreateCounter<long>("digitaltwin.mqtt.messages", "{message}", "MQTT messages by topic kind and outcome");
        _rejections = meter.CreateCounter<long>("digitaltwin.mqtt.rejections", "{message}", "Refused messages and signals by reason");
        _connections = meter.CreateCounter<long>("digitaltwin.mqtt.connections", "{connection}", "CONNECT attempts by result");
        _ingestDuration = meter.CreateHistogram<double>("digitaltwin.ingest.duration", "ms", "From the broker receiving a publish to the twin having applied it");
    }

    public void Message(string topicKind, string outcome) =>
        _messages.Add(1, new KeyValuePair<string, object?>("topic", topicKind), new KeyValuePair<string, object?>("outcome", outcome));

    public void Rejected(string reason) => _rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Connection(string result) => _connections.Add(1, new KeyValuePair<string, object?>("result", result));

    public void IngestDuration(double milliseconds, string topicKind) =>
        _ingestDuration.Record(milliseconds, new KeyValuePair<string, object?>("topic", topicKind));
}
