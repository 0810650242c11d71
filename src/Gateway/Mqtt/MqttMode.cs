namespace DigitalTwin.Gateway.Mqtt;

/// <summary>Where the MQTT broker runs. Only the embedded broker exists today; any other value stops start-up.</summary>
public enum MqttMode
{
    /// <summary>The broker runs inside each silo (MQTTnet.Server).</summary>
    Embedded = 0,
}
