using System.Text.Json;
using DigitalTwin.Contract;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Crash;

namespace DigitalTwin.Grains.Tests.Crash;

public sealed class EmergencyAckTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 30, 0, TimeSpan.Zero);

    [Fact]
    public void The_ack_is_a_contract_command_on_the_cars_own_commands_topic()
    {
        var alert = Alert("WVWZZZ1JZXW000001", CrashSeverity.Critical);

        var message = EmergencyAck.For(alert, Now);

        Assert.Equal("WVWZZZ1JZXW000001", message.Vin);
        Assert.Equal("vehicles/WVWZZZ1JZXW000001/commands", message.Topic);
        using var command = JsonDocument.Parse(message.ToPayload());
        var root = command.RootElement;
        Assert.Equal("emergency.ack", root.GetProperty("name").GetString());
        Assert.True(Guid.TryParse(root.GetProperty("id").GetString(), out _));
        Assert.Equal(alert.Id, root.GetProperty("params").GetProperty("alertId").GetString());
        Assert.Equal("critical", root.GetProperty("params").GetProperty("severity").GetString());
        Assert.Equal(Now.Add(EmergencyAck.Lifetime).ToUnixTimeMilliseconds(), root.GetProperty("expiresAt").GetInt64());
    }

    [Fact]
    public void Every_ack_has_an_id_of_its_own_so_the_car_can_tell_them_apart()
    {
        var alert = Alert("WVWZZZ1JZXW000002", CrashSeverity.Minor);

        Assert.NotEqual(IdOf(EmergencyAck.For(alert, Now)), IdOf(EmergencyAck.For(alert, Now)));
    }

    private static string? IdOf(CarMessage message)
    {
        using var command = JsonDocument.Parse(message.ToPayload());
        return command.RootElement.GetProperty("id").GetString();
    }

    private static CrashAlert Alert(string vin, CrashSeverity severity) =>
        CrashAlert.For(vin, new CrashIncident(Now, Now, severity, CrashTrigger.Airbag, CrashTrigger.Airbag, null, 1, 50, 40, 80, 1));
}
