using System.Text.Json;

namespace DigitalTwin.Api.Commands;

/// <param name="Name">hvac.precondition, hvac.stop, doors.lock, doors.unlock, charging.start, charging.stop, charging.setLimit or emergency.ack.</param>
/// <param name="Params">The command's parameters, e.g. {"limit": 80} for charging.setLimit.</param>
/// <param name="TtlSeconds">How long the command may wait for an offline car (1..86400; default from Commands:DefaultTtlSeconds).</param>
public sealed record SubmitCommandRequest(string? Name, JsonElement? Params, int? TtlSeconds);
