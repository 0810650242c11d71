using System.Collections.Concurrent;
using DigitalTwin.Grains.Abstractions.Crash;

namespace DigitalTwin.Grains.Storage;

public sealed class InMemoryAlertStore : IAlertStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, CrashAlert>> _byVin = new(StringComparer.Ordinal);

    public ValueTask SaveAsync(CrashAlert alert, CancellationToken cancellationToken)
    {
        _byVin.GetOrAdd(alert.Vin, static _ => new(StringComparer.Ordinal))[alert.Id] = alert;
        return ValueTask.CompletedTask;
    }

    public ValueTask<CrashAlert?> GetAsync(string vin, string alertId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_byVin.TryGetValue(vin, out var byId) ? byId.GetValueOrDefault(alertId) : null);

    public ValueTask<IReadOnlyList<CrashAlert>> ListAsync(string vin, int limit, CancellationToken cancellationToken)
    {
        IReadOnlyList<CrashAlert> alerts = _byVin.TryGetValue(vin, out var byId)
            ? byId.Values.OrderByDescending(a => a.Incident.OccurredAt).ThenByDescending(a => a.Id, StringComparer.Ordinal).Take(limit).ToList()
            : [];
        return ValueTask.FromResult(alerts);
    }
}
