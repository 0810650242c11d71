using System.Text.Json;
using DigitalTwin.Grains.Abstractions.Commands;

namespace DigitalTwin.Api.Commands;

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
        WireStatus(command.State),
        command.Reason,
        command.CreatedAt,
        command.UpdatedAt == default ? command.CreatedAt : command.UpdatedAt,
        command.ExpiresAt);

    /// <summary>
    /// The contract's statuses. A command superseded by a newer one of its kind was never sent and is no longer
    /// meant, so it reads as <c>expired</c>, with the newer command named in the reason.
    /// </summary>
    public static string WireStatus(CommandState state) => state switch
    {
        CommandState.Pending => "pending",
        CommandState.Sent => "sent",
        CommandState.Accepted => "accepted",
        CommandState.Completed => "completed",
        CommandState.Rejected => "rejected",
        CommandState.Failed => "failed",
        _ => "expired",
    };
}
