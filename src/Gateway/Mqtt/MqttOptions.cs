using System.ComponentModel.DataAnnotations;
using DigitalTwin.Gateway.Mqtt.External;

namespace DigitalTwin.Gateway.Mqtt;

public sealed class MqttOptions
{
    public const string SectionName = "Mqtt";

    public MqttMode Mode { get; set; } = MqttMode.Embedded;

    /// <summary>The address the embedded broker listens on (empty = all interfaces).</summary>
    public string? Host { get; set; }

    /// <summary>The plain MQTT listener's port; 0 turns it off (then only <see cref="MqttTlsOptions.Port"/> listens).</summary>
    [Range(0, 65535, ErrorMessage = "Mqtt:Port must be between 0 and 65535")]
    public int Port { get; set; } = 1883;

    /// <summary>The contract's other name for <see cref="Port"/>; when set, it wins (0 = plain listener off).</summary>
    [Range(0, 65535, ErrorMessage = "Mqtt:PlainPort must be between 0 and 65535")]
    public int? PlainPort { get; set; }

    /// <summary>The plain listener's port in force, 0 when it is off.</summary>
    public int EffectivePlainPort => PlainPort ?? Port;

    public MqttTlsOptions Tls { get; set; } = new();

    /// <summary>Lab switch: lets any client connect and publish for any VIN. Refused in Production.</summary>
    public bool AllowAnonymous { get; set; }

    [Range(256, 16 * 1024 * 1024, ErrorMessage = "Mqtt:MaxPayloadBytes must be between 256 bytes and 16 MiB")]
    public int MaxPayloadBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// MQTTnet.Server's outbound queue per client. Its default (250) silently drops the oldest
    /// message when a subscriber falls behind; commands to a car must not vanish that way.
    /// </summary>
    [Range(16, 1_000_000, ErrorMessage = "Mqtt:MaxPendingMessagesPerClient must be between 16 and 1,000,000")]
    public int MaxPendingMessagesPerClient { get; set; } = 10_000;

    [Range(1, 1_000_000, ErrorMessage = "Mqtt:DeadLetterCapacity must be between 1 and 1,000,000")]
    public int DeadLetterCapacity { get; set; } = 1_000;

    /// <summary>
    /// Cars connected at once, beyond which a CONNECT is answered "quota exceeded". Unset, it is derived from the
    /// process's open-files limit (<see cref="Connections.ConnectionCapacity"/>), because a process that runs out of
    /// descriptors dies: the runtime cannot start a thread without one.
    /// </summary>
    [Range(1, 100_000_000, ErrorMessage = "Mqtt:MaxConnections must be between 1 and 100,000,000 (leave it unset to derive it from the open-files limit)")]
    public int? MaxConnections { get; set; }

    /// <summary>
    /// Descriptors kept free for everything but MQTT sockets (PostgreSQL's pool, Kafka, HTTP, Orleans, assemblies the
    /// runtime loads later, threads). Unset: an eighth of the open-files limit, at least 256 and at most 2,048.
    /// </summary>
    [Range(0, 10_000_000, ErrorMessage = "Mqtt:ReservedDescriptors must be between 0 and 10,000,000")]
    public int? ReservedDescriptors { get; set; }

    /// <summary>
    /// A socket that has not sent its CONNECT (TLS handshake included) within this time is closed, unless bytes it sent
    /// are still waiting to be read: then the broker is the slow one (a storm) and the socket gets another period.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The listen backlog: connections the kernel completes before the broker accepts them. A reconnect storm overflows
    /// a short one, and each dropped SYN costs the car a second (its retransmission timer). The kernel caps it at
    /// <c>net.core.somaxconn</c>.
    /// </summary>
    [Range(1, 65_535, ErrorMessage = "Mqtt:ListenBacklog must be between 1 and 65,535")]
    public int ListenBacklog { get; set; } = 4_096;

    public MqttConnectRateOptions ConnectRate { get; set; } = new();

    public MqttFlappingOptions Flapping { get; set; } = new();

    /// <summary>The operator's broker, used when <see cref="Mode"/> is <see cref="MqttMode.External"/>.</summary>
    public MqttExternalOptions External { get; set; } = new();
}

/// <summary>
/// <c>Mqtt:ConnectRate:*</c>: new TCP connections per source address, as a token bucket. A connection over the rate
/// is closed as soon as it is accepted, before it costs a token validation. Cars behind one carrier-grade NAT share an
/// address, so the default is generous; 0 turns it off.
/// </summary>
public sealed class MqttConnectRateOptions
{
    /// <summary>Connections per second one address earns back (0 = no limit).</summary>
    public int PerAddress { get; set; } = 200;

    /// <summary>Connections one address may open at once before the rate applies.</summary>
    public int Burst { get; set; } = 1_000;

    /// <summary>
    /// Connections from loopback are not limited: they are this machine's own processes (the simulator, a bench, a local
    /// TLS-terminating proxy that would make every car look like one address).
    /// </summary>
    public bool ExemptLoopback { get; set; } = true;
}

/// <summary>
/// <c>Mqtt:Flapping:*</c>, after EMQX's <c>flapping_detect</c>: a client id whose connection ends
/// <see cref="MaxCount"/> times within <see cref="Window"/> is refused ("banned") for <see cref="BanTime"/>. Only
/// connections that passed authentication count, so nobody can get a car banned by connecting with its VIN.
/// </summary>
public sealed class MqttFlappingOptions
{
    public bool Enabled { get; set; } = true;

    public int MaxCount { get; set; } = 15;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan BanTime { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>How a car over TLS may present a certificate of its own (<c>Mqtt:Tls:ClientCertificateMode</c>).</summary>
public enum ClientCertificateMode
{
    /// <summary>No certificate is asked for; cars authenticate with their token.</summary>
    None = 0,

    /// <summary>A certificate is asked for; a car with a valid one needs no token, a car without one uses its token.</summary>
    Allow = 1,

    /// <summary>Every car must present a valid certificate; the handshake fails without one.</summary>
    Require = 2,
}

/// <summary>
/// <c>Mqtt:Tls:*</c>: MQTT over TLS (1.2 and 1.3 only) from PEM files, with optional per-car client certificates. The
/// listener is on when <see cref="CertificatePath"/> is set. A renewed certificate, CA bundle or CRL is picked up
/// without a restart: the files' modification times are checked at most once a second, on handshakes.
/// </summary>
public sealed class MqttTlsOptions
{
    [Range(0, 65535, ErrorMessage = "Mqtt:Tls:Port must be between 0 and 65535")]
    public int Port { get; set; } = 8883;

    /// <summary>PEM: the server certificate, optionally followed by its intermediates.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM: the server certificate's private key (PKCS#8, or PKCS#1/SEC1).</summary>
    public string? KeyPath { get; set; }

    public ClientCertificateMode ClientCertificateMode { get; set; } = ClientCertificateMode.None;

    /// <summary>PEM bundle of the CAs that sign car certificates; the only roots trusted for them.</summary>
    public string? ClientCaPath { get; set; }

    /// <summary>Optional certificate revocation list (PEM or DER) of the client CA; a car certificate on it is refused.</summary>
    public string? CrlPath { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath) && Port != 0;
}
