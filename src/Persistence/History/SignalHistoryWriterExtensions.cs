using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Persistence.History;

public static class SignalHistoryWriterExtensions
{
    /// <summary>Queues every signal of an applied telemetry document, stamped with the document's sample time.</summary>
    /// <returns>How many samples were accepted; fewer than sent means the history bound was reached.</returns>
    public static int AppendTelemetry(this ISignalHistoryWriter writer, string vin, TelemetryMessage message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(message);
        var sampledAt = DateTimeOffset.FromUnixTimeMilliseconds(message.Ts);
        var accepted = 0;
        foreach (var sample in message.Signals)
        {
            if (writer.Append(new SignalHistoryRow(vin, sample.Name, sampledAt, sample.Value)))
            {
                accepted++;
            }
        }

        return accepted;
    }
}
