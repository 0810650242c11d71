namespace DigitalTwin.Contract.Telemetry;

public enum SignalKind : byte
{
    Number = 0,
    Boolean = 1,
    Text = 2,
}
