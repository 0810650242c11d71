using DigitalTwin.Grains.Ownership;

namespace DigitalTwin.Grains.Storage;

public sealed class InMemoryVehicleRegistry(TimeProvider time) : IVehicleRegistry
{
    private readonly SortedDictionary<string, VehicleRegistration> _byVin = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ValueTask<string?> GetOwnerAsync(string vin, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_byVin.TryGetValue(vin, out var r) ? r.OwnerId : null);
        }
    }

    public ValueTask<(RegistrationOutcome Outcome, VehicleRegistration Registration)> RegisterAsync(string vin, string ownerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_byVin.TryGetValue(vin, out var existing))
            {
                var outcome = string.Equals(existing.OwnerId, ownerId, StringComparison.Ordinal) ? RegistrationOutcome.Unchanged : RegistrationOutcome.Conflict;
                return ValueTask.FromResult((outcome, existing));
            }

            var created = new VehicleRegistration(vin, ownerId, time.GetUtcNow());
            _byVin[vin] = created;
            return ValueTask.FromResult((RegistrationOutcome.Created, created));
        }
    }

    public ValueTask<RegistrationPage> ListAsync(string? ownerId, string? after, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var items = _byVin.Values
                .Where(r => after is null || string.CompareOrdinal(r.Vin, after) > 0)
                .Where(r => ownerId is null || string.Equals(r.OwnerId, ownerId, StringComparison.Ordinal))
                .Take(limit + 1)
                .ToList();
            var next = items.Count > limit ? items[limit - 1].Vin : null;
            return ValueTask.FromResult(new RegistrationPage(items.Take(limit).ToList(), next));
        }
    }
}
