namespace DigitalTwin.Grains.Storage;

/// <summary>Reads one signal of one vehicle over time: the query behind <c>GET .../telemetry?signal=&amp;from=&amp;to=</c>.</summary>
public interface ISignalHistoryReader
{
    /// <summary>
    /// Points with <paramref name="fromMs"/> &lt;= ts &lt;= <paramref name="toMs"/> (Unix epoch milliseconds, both ends
    /// included), oldest first, at most <paramref name="limit"/>. Any <see cref="long"/> is a valid bound.
    /// </summary>
    ValueTask<IReadOnlyList<HistoryPoint>> QueryAsync(string vin, string signal, long fromMs, long toMs, int limit, CancellationToken cancellationToken);
}
