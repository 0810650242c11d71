using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.History;
using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Persistence.History;

/// <summary>
/// The grains' <see cref="ISignalHistory"/> on <c>signal_history</c>: appends go to the write-behind
/// <see cref="ISignalHistoryWriter"/> (they never wait for PostgreSQL), queries to <see cref="ISignalHistoryReader"/>.
/// The seam's range includes both ends, the reader's excludes its end; samples are kept with the car's millisecond
/// time, so one millisecond more on the end makes up the difference. One query returns at most
/// <see cref="SignalHistoryReader.MaxLimit"/> points, the API's own ceiling.
/// </summary>
public sealed class PostgresSignalHistory(ISignalHistoryWriter writer, ISignalHistoryReader reader) : ISignalHistory
{
    // The instants DateTimeOffset can hold; a caller's range may reach beyond them (for example long.MaxValue for
    // "no end").
    private static readonly long MinMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>Queues every signal of the message; samples beyond the history bound are dropped, counted and logged by the writer.</summary>
    public void Append(string vin, TelemetryMessage message) => writer.AppendTelemetry(vin, message);

    public async ValueTask<IReadOnlyList<HistoryPoint>> QueryAsync(
        string vin,
        string signal,
        long fromMs,
        long toMs,
        int limit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vin);
        ArgumentNullException.ThrowIfNull(signal);
        if (limit < 1 || fromMs > toMs || toMs < MinMs || fromMs > MaxMs)
        {
            return [];
        }

        var from = DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(fromMs, MinMs));
        // DateTimeOffset.MaxValue is written as 'infinity': every sample lies before it.
        var toExclusive = toMs >= MaxMs ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeMilliseconds(toMs + 1);
        var points = await reader.QueryAsync(vin, signal, from, toExclusive, Math.Min(limit, SignalHistoryReader.MaxLimit), cancellationToken);

        var result = new HistoryPoint[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            result[i] = new HistoryPoint(points[i].Ts.ToUnixTimeMilliseconds(), points[i].Value);
        }

        return result;
    }
}
