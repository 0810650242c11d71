namespace DigitalTwin.Persistence.History;

/// <summary>Reads one signal of one vehicle over time: the query behind <c>GET .../telemetry?signal=&amp;from=&amp;to=</c>.</summary>
public interface ISignalHistoryReader
{
    /// <summary>Samples with <paramref name="from"/> &lt;= ts &lt; <paramref name="to"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<SignalHistoryPoint>> QueryAsync(
        string vin,
        string signal,
        DateTimeOffset from,
        DateTimeOffset to,
        int limit,
        CancellationToken cancellationToken);
}
