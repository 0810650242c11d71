using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Gateway.Mqtt.Connections;
using Microsoft.Extensions.Time.Testing;

namespace DigitalTwin.Gateway.Tests.Mqtt.Connections;

public sealed class FlappingDetectorTests
{
    private const string Vin = "WDD2030461A123456";
    private readonly FakeTimeProvider _clock = new();
    private readonly FlappingDetector _detector;

    public FlappingDetectorTests()
    {
        _detector = new FlappingDetector(new MqttFlappingOptions { MaxCount = 3, Window = TimeSpan.FromMinutes(1), BanTime = TimeSpan.FromMinutes(5) }, _clock);
    }

    [Fact]
    public void The_third_drop_within_the_window_bans_the_client_for_the_ban_time()
    {
        Assert.False(_detector.SessionEnded(Vin));
        Assert.False(_detector.SessionEnded(Vin));
        Assert.True(_detector.SessionEnded(Vin));

        Assert.True(_detector.IsBanned(Vin, out var remaining));
        Assert.Equal(TimeSpan.FromMinutes(5), remaining);

        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.True(_detector.IsBanned(Vin, out _));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(_detector.IsBanned(Vin, out _));
    }

    [Fact]
    public void Drops_spread_over_more_than_the_window_do_not_ban()
    {
        for (var i = 0; i < 10; i++)
        {
            Assert.False(_detector.SessionEnded(Vin));
            _clock.Advance(TimeSpan.FromSeconds(31));
        }

        Assert.False(_detector.IsBanned(Vin, out _));
    }

    [Fact]
    public void After_a_ban_the_count_starts_again()
    {
        _detector.SessionEnded(Vin);
        _detector.SessionEnded(Vin);
        _detector.SessionEnded(Vin);
        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.False(_detector.SessionEnded(Vin));
        Assert.False(_detector.IsBanned(Vin, out _));
    }

    [Fact]
    public void Other_clients_are_not_affected_and_a_sweep_keeps_only_recent_ones()
    {
        _detector.SessionEnded(Vin);
        _detector.SessionEnded(Vin);
        _detector.SessionEnded(Vin);
        _detector.SessionEnded("WDD2030461A654321");

        Assert.False(_detector.IsBanned("WDD2030461A654321", out _));

        _clock.Advance(TimeSpan.FromMinutes(2));
        _detector.Sweep();
        Assert.Equal(1, _detector.Count);

        _clock.Advance(TimeSpan.FromMinutes(4));
        _detector.Sweep();
        Assert.Equal(0, _detector.Count);
    }

    [Fact]
    public void Disabled_it_never_bans()
    {
        var detector = new FlappingDetector(new MqttFlappingOptions { Enabled = false, MaxCount = 2 }, _clock);

        Assert.All(Enumerable.Range(0, 10), _ => Assert.False(detector.SessionEnded(Vin)));
        Assert.False(detector.IsBanned(Vin, out _));
    }
}
