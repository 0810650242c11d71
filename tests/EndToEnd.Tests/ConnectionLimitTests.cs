using System.Diagnostics.Metrics;
using System.Net.Sockets;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Gateway.Mqtt.Connections;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Security;
using DigitalTwin.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>
/// What keeps connections from taking the silo down, against the real broker over real sockets: the session quota, the
/// CONNECT timeout, the per-address connect rate and flapping bans. Each test has a silo of its own whose connection
/// guard runs on a fake clock, so time passes when the test says so.
/// </summary>
public sealed class ConnectionLimitTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task Cars_beyond_MaxConnections_are_refused_with_quota_exceeded_and_counted_while_the_others_keep_publishing()
    {
        await using var silo = await StartAsync("--Mqtt:MaxConnections=3");
        using var connections = Collect(silo, "digitaltwin.mqtt.connections");
        var cars = new List<CarClient>();
        for (var i = 0; i < 3; i++)
        {
            var car = silo.Car(Vins.Next());
            await car.ConnectAsync();
            cars.Add(car);
        }

        var refused = Vins.Next();
        var code = await CarClient.TryConnectAsync(CarClient.Options(silo.MqttPort, refused, refused, Token(silo, refused)).Build());

        Assert.Equal(MqttClientConnectResultCode.QuotaExceeded, code);
        Assert.Equal(1, Count(connections, "quota_exceeded"));
        foreach (var car in cars)
        {
            Assert.True((await car.TelemetryAsync(1, """{"Vehicle.Speed":42}""")).IsSuccess);
            Assert.Equal(42, (await silo.Grains.GetVehicle<IVehicleTwin>(car.Vin).GetTwin()).Signals["Vehicle.Speed"].Value.Number);
        }

        // A car that leaves frees its place.
        await cars[0].DisposeAsync();
        await Poll.UntilAsync(() => Task.FromResult(Guard(silo).Sessions), n => n == 2, Deadline);
        await using var late = silo.Car(refused);
        await late.ConnectAsync();

        foreach (var car in cars.Skip(1))
        {
            await car.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_socket_that_never_sends_CONNECT_is_closed_after_the_connect_timeout_and_counted()
    {
        await using var silo = await StartAsync("--Mqtt:ConnectTimeout=00:00:05");
        using var connections = Collect(silo, "digitaltwin.mqtt.connections");
        using var junk = new TcpClient();
        await junk.ConnectAsync("127.0.0.1", silo.MqttPort);
        await Poll.UntilAsync(() => Task.FromResult(Guard(silo).Sockets), n => n == 1, Deadline);
        var read = junk.GetStream().ReadAsync(new byte[16]).AsTask();

        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, Count(connections, "connect_timeout"));
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(0, await ReadOrClosedAsync(read));
        Assert.Equal(1, Count(connections, "connect_timeout"));
        await Poll.UntilAsync(() => Task.FromResult(Guard(silo).Sockets), n => n == 0, Deadline);

        // The broker still takes cars.
        await using var car = silo.Car(Vins.Next());
        await car.ConnectAsync();
    }

    [Fact]
    public async Task Connections_from_one_address_beyond_its_burst_are_closed_at_once_and_counted()
    {
        await using var silo = await StartAsync("--Mqtt:ConnectRate:PerAddress=1", "--Mqtt:ConnectRate:Burst=2", "--Mqtt:ConnectRate:ExemptLoopback=false");
        using var connections = Collect(silo, "digitaltwin.mqtt.connections");
        using var first = new TcpClient();
        using var second = new TcpClient();
        using var third = new TcpClient();
        await first.ConnectAsync("127.0.0.1", silo.MqttPort);
        await second.ConnectAsync("127.0.0.1", silo.MqttPort);
        await Poll.UntilAsync(() => Task.FromResult(Guard(silo).Sockets), n => n == 2, Deadline);
        await third.ConnectAsync("127.0.0.1", silo.MqttPort);

        Assert.Equal(0, await ReadOrClosedAsync(third.GetStream().ReadAsync(new byte[16]).AsTask()));
        Assert.Equal(1, Count(connections, "rate_limited"));

        // A second later (on the guard's clock) the address has earned one connection back.
        first.Close();
        second.Close();
        _clock.Advance(TimeSpan.FromSeconds(1));
        await using var car = silo.Car(Vins.Next());
        await car.ConnectAsync();
    }

    [Fact]
    public async Task A_flapping_car_is_banned_then_let_in_again_once_the_ban_is_over()
    {
        await using var silo = await StartAsync("--Mqtt:Flapping:MaxCount=3", "--Mqtt:Flapping:Window=00:01:00", "--Mqtt:Flapping:BanTime=00:05:00");
        using var connections = Collect(silo, "digitaltwin.mqtt.connections");
        using var bans = Collect(silo, "digitaltwin.mqtt.flapping.bans");
        var vin = Vins.Next();
        for (var i = 0; i < 3; i++)
        {
            var car = silo.Car(vin);
            await car.ConnectAsync();
            car.Drop();
            await Poll.UntilAsync(() => Task.FromResult(Guard(silo).Sessions), n => n == 0, Deadline);
        }

        await Poll.UntilAsync(() => Task.FromResult(bans.GetMeasurementSnapshot().Count), n => n == 1, Deadline);
        var options = CarClient.Options(silo.MqttPort, vin, vin, Token(silo, vin)).Build();
        Assert.Equal(MqttClientConnectResultCode.Banned, await CarClient.TryConnectAsync(options));
        Assert.Equal(1, Count(connections, "banned"));

        // Other cars are not affected.
        await using (var other = silo.Car(Vins.Next()))
        {
            await other.ConnectAsync();
        }

        _clock.Advance(TimeSpan.FromMinutes(5));
        await using var back = silo.Car(vin);
        await back.ConnectAsync();
        Assert.True((await back.TelemetryAsync(1, """{"Vehicle.Speed":1}""")).IsSuccess);
    }

    private Task<SiloFixture> StartAsync(params string[] settings) =>
        SiloFixture.StartAsync(builder => builder.Services.AddKeyedSingleton<TimeProvider>(ConnectionGuard.ClockKey, _clock), settings);

    private static ConnectionGuard Guard(SiloFixture silo) => silo.Services.GetRequiredService<ConnectionGuard>();

    private static string Token(SiloFixture silo, string vin) => silo.Tokens.Mint(vin, Roles.Vehicle, TimeSpan.FromHours(1));

    private static MetricCollector<long> Collect(SiloFixture silo, string instrument) =>
        new(silo.Services.GetRequiredService<IMeterFactory>(), GatewayMetrics.MeterName, instrument);

    private static int Count(MetricCollector<long> collector, string result) =>
        collector.GetMeasurementSnapshot().Where(m => (string?)m.Tags["result"] == result).Sum(m => (int)m.Value);

    /// <summary>0 when the broker closed the connection (an orderly close or a reset), else what was read.</summary>
    private static async Task<int> ReadOrClosedAsync(Task<int> read)
    {
        try
        {
            return await read.WaitAsync(Deadline);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
