using System.Globalization;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Gateway.Mqtt.Connections;

/// <summary>
/// How many cars the broker takes, from the open-files limit:
/// <code>
/// sockets        = limit - in use when the broker starts - Mqtt:ReservedDescriptors
/// band           = max(16, sockets / 20)
/// MaxConnections = sockets - band          (or Mqtt:MaxConnections, if lower)
/// </code>
/// The listener never holds more than <see cref="MaxSockets"/> sockets: it stops accepting and lets the kernel's
/// backlog hold newcomers. The band is where a car over the quota gets its CONNACK "quota exceeded" and where sockets
/// that have not sent CONNECT yet wait (at most <c>Mqtt:ConnectTimeout</c>).
/// </summary>
public sealed record ConnectionCapacity
{
    /// <summary>Where the process's limit is unknown (not Linux), the broker still needs a bound.</summary>
    public const int UnknownLimitDefault = 10_000;

    private const int MinimumBand = 16;

    /// <summary>Sessions (cars past CONNECT) at once.</summary>
    public required int MaxConnections { get; init; }

    /// <summary>MQTT sockets the listeners hold at once, CONNECT or not.</summary>
    public required int MaxSockets { get; init; }

    /// <summary>The open-files limit, raised to the hard limit; null where unknown.</summary>
    public DescriptorLimits? Limits { get; init; }

    /// <summary>Descriptors open when the broker started.</summary>
    public int? InUse { get; init; }

    public int Reserved { get; init; }

    /// <summary>The configured Mqtt:MaxConnections was more than the descriptors allow and was lowered.</summary>
    public bool Capped { get; init; }

    /// <summary>Mqtt:MaxConnections was not set.</summary>
    public bool Derived { get; init; }

    public static int DefaultReserve(long limit) => (int)Math.Clamp(limit / 8, 256, 2_048);

    /// <summary>
    /// Computes the capacity. When no car would fit it throws an <see cref="OptionsValidationException"/> naming the keys,
    /// which the silo reports as the one-line configuration error it is.
    /// </summary>
    public static ConnectionCapacity Compute(int? configured, int? reserved, DescriptorLimits? limits, int? inUse)
    {
        if (limits is null || inUse is null)
        {
            var max = configured ?? UnknownLimitDefault;
            return new ConnectionCapacity { MaxConnections = max, MaxSockets = max + Band(max), Derived = configured is null };
        }

        var reserve = reserved ?? DefaultReserve(limits.Soft);
        var sockets = limits.Soft - inUse.Value - reserve;
        if (sockets < 2)
        {
            throw new OptionsValidationException(MqttOptions.SectionName, typeof(MqttOptions), [string.Create(CultureInfo.InvariantCulture,
                $"The open-files limit ({limits.Soft}, hard {limits.Hard}) leaves no descriptors for MQTT connections: {inUse} are in use and Mqtt:ReservedDescriptors is {reserve}. Raise the limit (ulimit -n, LimitNOFILE in systemd) or lower Mqtt:ReservedDescriptors")]);
        }

        var socketCap = (int)Math.Min(sockets, int.MaxValue);
        var band = Math.Min(Band(socketCap), socketCap / 2);
        var derived = socketCap - band;
        var maxConnections = Math.Min(configured ?? derived, derived);
        return new ConnectionCapacity
        {
            MaxConnections = maxConnections,
            MaxSockets = Math.Min(maxConnections + band, socketCap),
            Limits = limits,
            InUse = inUse,
            Reserved = reserve,
            Capped = configured > derived,
            Derived = configured is null,
        };
    }

    private static int Band(int sockets) => Math.Max(MinimumBand, sockets / 20);
}
