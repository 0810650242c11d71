using DigitalTwin.Contract.Commands;
using DigitalTwin.Contract.Events;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Telemetry;

namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>What a car sends, after the contract has read it: the one grain call per message of every way in.</summary>
[Alias("dt.IVehicleIngest")]
public interface IVehicleIngest : IVehicleRole
{
    [Alias("ApplyTelemetry")]
    ValueTask<ApplyResult> ApplyTelemetry(TelemetryMessage message);

    [Alias("ApplyEvent")]
    ValueTask<ApplyResult> ApplyEvent(VehicleEvent vehicleEvent);

    /// <summary>The car's <c>status</c> document or its Last Will.</summary>
    [Alias("ReportStatus")]
    ValueTask ReportStatus(bool online, DateTimeOffset at);

    /// <summary>The car's ack on <c>commands/ack</c>.</summary>
    [Alias("AckCommand")]
    ValueTask<AckOutcome> AckCommand(CommandAck ack);
}
