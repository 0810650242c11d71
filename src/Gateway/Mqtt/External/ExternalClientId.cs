using System.Globalization;

namespace DigitalTwin.Gateway.Mqtt.External;

/// <summary>This silo's client id at the broker: <c>Mqtt:External:ClientIdPrefix</c> + instance name.</summary>
public static class ExternalClientId
{
    /// <param name="siloPort">The Orleans silo port: two silos on one host never share one, and a restart keeps it.</param>
    public static string Of(MqttExternalOptions options, int siloPort) =>
        options.ClientIdPrefix + (string.IsNullOrWhiteSpace(options.InstanceName)
            ? string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}-{siloPort}")
            : options.InstanceName);
}
