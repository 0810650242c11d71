namespace DigitalTwin.Gateway.Mqtt;

/// <summary>Where the MQTT broker runs (<c>Mqtt:Mode</c>).</summary>
public enum MqttMode
{
    /// <summary>The broker runs inside each silo (MQTTnet.Server).</summary>
    Embedded = 0,

    /// <summary>
    /// The operator's broker (EMQX, Mosquitto, ...) holds the cars' connections; each silo's gateway is one of its
    /// clients, on a shared subscription (<c>Mqtt:External:*</c>).
    /// </summary>
    External = 1,
}
