using DigitalTwin.Grains.Abstractions.Commands;

namespace DigitalTwin.Grains.Storage;

/// <summary>Commands and their state changes; a save is durable when it returns.</summary>
public interface ICommandStore
{
    ValueTask SaveAsync(string vin, VehicleCommand command, CancellationToken cancellationToken);

    /// <summary>Commands not yet in a final state, oldest first: the queue a reactivated grain resumes.</summary>
    ValueTask<IReadOnlyList<VehicleCommand>> LoadOpenAsync(string vin, CancellationToken cancellationToken);

    ValueTask<VehicleCommand?> GetAsync(string vin, Guid id, CancellationToken cancellationToken);

    ValueTask<VehicleCommand?> FindByIdempotencyKeyAsync(string vin, string key, CancellationToken cancellationToken);
}
