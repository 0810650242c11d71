namespace DigitalTwin.Contract.Commands;

/// <summary>The command names of the contract (section 2, command document).</summary>
public static class CommandNames
{
    public const string HvacPrecondition = "hvac.precondition";
    public const string HvacStop = "hvac.stop";
    public const string DoorsLock = "doors.lock";
    public const string DoorsUnlock = "doors.unlock";
    public const string ChargingStart = "charging.start";
    public const string ChargingStop = "charging.stop";
    public const string ChargingSetLimit = "charging.setLimit";
    public const string EmergencyAck = "emergency.ack";

    public static IReadOnlyList<string> All { get; } =
    [
        HvacPrecondition, HvacStop, DoorsLock, DoorsUnlock, ChargingStart, ChargingStop, ChargingSetLimit, EmergencyAck,
    ];
}
