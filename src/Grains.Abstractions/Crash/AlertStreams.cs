namespace DigitalTwin.Grains.Abstractions.Crash;

/// <summary>The fleet-wide alert stream: every alert raised or changed, for consumers such as the Kafka producer.</summary>
public static class AlertStreams
{
    public const string Namespace = "alerts";
    public const string FleetKey = "fleet";
}
