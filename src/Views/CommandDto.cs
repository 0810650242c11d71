using System.Text.Json;
using DigitalTwin.Contract;
using DigitalTwin.Grains.Abstractions.Commands;

namespace DigitalTwin.Views;

/// <param name="Status">pending, sent, accepted, rejected, completed, failed or expired.</param>
/// <param name="Reason">Why it is in that state, when there is more to say (the car's reason, a TTL, a newer command).</param>
public sealed record CommandDto(
    Guid Id,
    string Name,
    JsonElement Params,
    string Status,
    string? Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset ExpiresAt)
{
    public static CommandDto From(VehicleCommand command) => new(
        command.Id,
        command.Name,
        JsonDocument.Parse(command.ParamsJson).RootElement.Clone(),
        WireName.Of(command.State.AsContractStatus()),
        command.Reason,
        command.CreatedAt,
        command.UpdatedAt == default ? command.CreatedAt : command.UpdatedAt,
        command.ExpiresAt);
}
