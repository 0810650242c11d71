using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Abstractions.Commands;

/// <summary>Cloud-to-car commands as apps and operators submit and follow them.</summary>
[Alias("dt.IVehicleCommands")]
public interface IVehicleCommands : IVehicleRole
{
    /// <summary>Validates, guards by the twin's state, queues and (when the car listens) sends a command.</summary>
    /// <param name="idempotencyKey">A retried request with the same key returns the command of the first one.</param>
    [Alias("SubmitCommand")]
    ValueTask<CommandDecision> SubmitCommand(CommandRequest request, string? idempotencyKey);

    [Alias("GetCommand")]
    ValueTask<VehicleCommand?> GetCommand(Guid id);
}
