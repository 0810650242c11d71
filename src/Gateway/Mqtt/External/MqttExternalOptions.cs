namespace DigitalTwin.Gateway.Mqtt.External;

/// <summary>
/// <c>Mqtt:External:*</c>: the operator's broker, which this silo's gateway subscribes to with
/// <c>$share/{Group}/vehicles/+/...</c> so that the silos split the cars' messages between them.
/// </summary>
public sealed class MqttExternalOptions
{
    /// <summary>Host name or address of the broker.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 1883;

    /// <summary>
    /// The client id is this prefix and <see cref="InstanceName"/>. It must be unique per silo (the broker disconnects
    /// the older of two clients with one id) and the same across a silo's restarts: the broker keeps the session's
    /// unacknowledged and queued messages under it.
    /// </summary>
    public string ClientIdPrefix { get; set; } = "digitaltwin-";

    /// <summary>
    /// The rest of the client id. Unset: the host name and the Orleans silo port (<c>{host}-{port}</c>), unique on one
    /// host and stable across restarts; in Kubernetes, a StatefulSet's pod name is the stable choice.
    /// </summary>
    public string? InstanceName { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    public MqttExternalTlsOptions Tls { get; set; } = new();

    /// <summary>The shared-subscription group all silos of a deployment join.</summary>
    public string Group { get; set; } = "digitaltwin";

    /// <summary>
    /// How long the broker keeps this silo's session (its share of messages) after the connection drops: long enough
    /// for a restart, short enough that a silo that never comes back does not hold messages for ever.
    /// </summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>MQTT 5 Receive Maximum: messages the broker may have in flight to this silo before it waits for acknowledgements.</summary>
    public int ReceiveMaximum { get; set; } = 1_000;

    /// <summary>Cars whose messages are applied at once; each car's messages are applied one after another, in order.</summary>
    public int Concurrency { get; set; } = 64;

    /// <summary>
    /// How long a message the twin could not apply (grain unavailable) is tried again, with backoff, before the gateway
    /// gives up and reconnects, so that the broker delivers the unacknowledged messages again.
    /// </summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first wait before reconnecting; it doubles up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary><c>Mqtt:External:Tls:*</c>: TLS to the broker, with an optional client certificate.</summary>
public sealed class MqttExternalTlsOptions
{
    public bool Enabled { get; set; }

    /// <summary>PEM bundle of the CAs the broker's certificate must chain to; unset, the system's trust store.</summary>
    public string? CaPath { get; set; }

    /// <summary>PEM client certificate, when the broker authenticates the silo by certificate.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; set; }
}
