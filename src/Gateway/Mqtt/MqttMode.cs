namespace DigitalTwin.Gateway.Mqtt;

public enum MqttMode
{
    /// <summary>The broker runs inside each silo (MQTTnet.Server).</summary>
    Embedded = 0,

    /// <summary>The gateway subscribes to an external broker (EMQX, Mosquitto) with a shared subscription.</summary>
    External = 1,
}
