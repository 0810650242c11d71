using System.Collections.Concurrent;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Commands;

namespace DigitalTwin.Grains.Storage;

public sealed class InMemoryCommandStore : ICommandStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, VehicleCommand>> _byVin = new(StringComparer.Ordinal);

    public ValueTask SaveAsync(string vin, VehicleCommand command, CancellationToken cancellationToken)
    {
        _byVin.GetOrAdd(vin, static _ => new())[command.Id] = command;
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<VehicleCommand>> LoadOpenAsync(string vin, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<VehicleCommand>>(Of(vin).Where(c => !CommandLifecycle.IsFinal(c.State)).OrderBy(c => c.CreatedAt).ToList());

    public ValueTask<VehicleCommand?> GetAsync(string vin, Guid id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_byVin.TryGetValue(vin, out var byId) ? byId.GetValueOrDefault(id) : null);

    public ValueTask<VehicleCommand?> FindByIdempotencyKeyAsync(string vin, string key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Of(vin).FirstOrDefault(c => string.Equals(c.IdempotencyKey, key, StringComparison.Ordinal)));

    private IEnumerable<VehicleCommand> Of(string vin) => _byVin.TryGetValue(vin, out var byId) ? byId.Values : [];
}
