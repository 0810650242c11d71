using DigitalTwin.Contract.Events;

namespace DigitalTwin.Grains.Tests.Crash;

/// <summary>Event documents as the gateway hands them over.</summary>
internal static class Events
{
    public static VehicleEvent Sos(long ts, long seq) => Of("SosButton", ts, seq);

    public static VehicleEvent Airbag(long ts, long seq) => Of("AirbagDeployed", ts, seq);

    public static VehicleEvent Of(string type, long ts, long seq) =>
        new(ts, seq, type, "{}", DateTimeOffset.FromUnixTimeMilliseconds(ts));
}
