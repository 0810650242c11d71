using System.Net;
using DigitalTwin.Gateway.Mqtt.Connections;
using Microsoft.Extensions.Time.Testing;

namespace DigitalTwin.Gateway.Tests.Mqtt.Connections;

public sealed class ConnectRateLimiterTests
{
    private static readonly IPAddress Car = IPAddress.Parse("10.1.2.3");
    private static readonly IPAddress Other = IPAddress.Parse("10.1.2.4");
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void An_address_gets_its_burst_then_the_rate()
    {
        var limiter = new ConnectRateLimiter(perSecond: 2, burst: 3, _clock);

        Assert.True(limiter.TryAcquire(Car));
        Assert.True(limiter.TryAcquire(Car));
        Assert.True(limiter.TryAcquire(Car));
        Assert.False(limiter.TryAcquire(Car));

        _clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.True(limiter.TryAcquire(Car));
        Assert.False(limiter.TryAcquire(Car));
    }

    [Fact]
    public void Addresses_have_buckets_of_their_own()
    {
        var limiter = new ConnectRateLimiter(1, 1, _clock);

        Assert.True(limiter.TryAcquire(Car));
        Assert.False(limiter.TryAcquire(Car));
        Assert.True(limiter.TryAcquire(Other));
    }

    [Fact]
    public void Zero_per_second_is_no_limit()
    {
        var limiter = new ConnectRateLimiter(0, 0, _clock);

        Assert.All(Enumerable.Range(0, 10_000), _ => Assert.True(limiter.TryAcquire(Car)));
        Assert.Equal(0, limiter.Count);
    }

    [Fact]
    public void A_sweep_forgets_addresses_whose_bucket_is_full_again()
    {
        var limiter = new ConnectRateLimiter(10, 10, _clock);
        limiter.TryAcquire(Car);
        limiter.TryAcquire(Other);

        limiter.Sweep();
        Assert.Equal(2, limiter.Count);

        _clock.Advance(TimeSpan.FromSeconds(1));
        limiter.Sweep();
        Assert.Equal(0, limiter.Count);
    }
}
