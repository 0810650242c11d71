using System.Collections.Concurrent;

namespace DigitalTwin.Persistence.Diagnostics;

/// <summary>
/// The writers report every attempt here; readiness reads it. A failing writer degrades readiness instead of failing
/// it, because the silo keeps ingesting in memory and nothing is lost yet.
/// </summary>
public sealed class PersistenceHealth(TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, ComponentHealth> _components = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, ComponentHealth> Components => _components;

    public bool IsDegraded => _components.Values.Any(c => !c.IsHealthy);

    public ComponentHealth this[string component] =>
        _components.GetValueOrDefault(component) ?? new ComponentHealth(0, null, null);

    public void ReportSuccess(string component) =>
        _components.AddOrUpdate(
            component,
            static _ => new ComponentHealth(0, null, null),
            static (_, current) => current.IsHealthy ? current : current with { ConsecutiveFailures = 0 });

    public void ReportFailure(string component, Exception error)
    {
        var at = _time.GetUtcNow();
        _components.AddOrUpdate(
            component,
            static (_, state) => new ComponentHealth(1, state.Message, state.At),
            static (_, current, state) => new ComponentHealth(current.ConsecutiveFailures + 1, state.Message, state.At),
            (Message: error.Message, At: at));
    }
}
