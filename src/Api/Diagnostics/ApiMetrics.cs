using System.Diagnostics.Metrics;

namespace DigitalTwin.Api.Diagnostics;

public sealed class ApiMetrics
{
    public const string MeterName = "DigitalTwin.Api";

    private readonly UpDownCounter<long> _sseClients;
    private readonly Counter<long> _sseEvents;

    public ApiMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _sseClients = meter.CreateUpDownCounter<long>("digitaltwin.sse.clients", "{client}", "Open Server-Sent Events streams");
        _sseEvents = meter.CreateCounter<long>("digitaltwin.sse.events", "{event}", "Events written to SSE clients by type");
    }

    public void StreamOpened() => _sseClients.Add(1);

    public void StreamClosed() => _sseClients.Add(-1);

    public void EventSent(string type) => _sseEvents.Add(1, new KeyValuePair<string, object?>("type", type));
}
