using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Grains.History;

/// <summary>Past values of each signal. Appends are write-behind: they return at once and never block a grain.</summary>
public interface ISignalHistory
{
    void Append(string vin, TelemetryMessage message);

    /// <summary>Points of one signal with <paramref name="fromMs"/> &lt;= ts &lt;= <paramref name="toMs"/>, oldest first, at most <paramref name="limit"/>.</summary>
    ValueTask<IReadOnlyList<HistoryPoint>> QueryAsync(string vin, string signal, long fromMs, long toMs, int limit, CancellationToken cancellationToken);
}
