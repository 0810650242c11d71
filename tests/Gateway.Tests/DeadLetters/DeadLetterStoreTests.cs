using System.Buffers;
using System.Text;
using DigitalTwin.Gateway.DeadLetters;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Gateway.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DigitalTwin.Gateway.Tests.DeadLetters;

public sealed class DeadLetterStoreTests
{
    private static DeadLetterStore Store(int capacity)
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new GatewayMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        return new DeadLetterStore(Options.Create(new MqttOptions { DeadLetterCapacity = capacity }), metrics, new FakeTimeProvider(), new NoDeadLetterSink());
    }

    private static ReadOnlySequence<byte> Bytes(string s) => new(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void The_ring_keeps_the_newest_entries_first_and_never_grows_past_its_capacity()
    {
        var store = Store(capacity: 3);

        for (var i = 1; i <= 5; i++)
        {
            store.Add("c", "t", "malformed_json", $"entry {i}", Bytes("x"));
        }

        var entries = store.Snapshot();
        Assert.Equal(new[] { "entry 5", "entry 4", "entry 3" }, entries.Select(e => e.Detail));
        Assert.Equal(new long[] { 5, 4, 3 }, entries.Select(e => e.Id));
    }

    [Fact]
    public void Counts_per_reason_survive_eviction()
    {
        var store = Store(capacity: 2);

        for (var i = 0; i < 10; i++)
        {
            store.Add("c", "t", "malformed_json", "d", Bytes("x"));
        }

        store.Add("c", "t", "not_authorized", "d", Bytes("x"));

        Assert.Equal(10, store.Count("malformed_json"));
        Assert.Equal(1, store.CountsByReason()["not_authorized"]);
        Assert.Equal(2, store.Snapshot().Count);
    }

    [Fact]
    public void Only_a_bounded_preview_of_a_large_payload_is_kept()
    {
        var store = Store(capacity: 1);

        store.Add("c", "t", "payload_too_large", "d", Bytes(new string('x', 1_000_000)));

        var entry = Assert.Single(store.Snapshot());
        Assert.Equal(1_000_000, entry.PayloadBytes);
        Assert.Equal(DeadLetterStore.PreviewBytes, entry.PayloadPreview.Length);
    }

    [Fact]
    public void Binary_payloads_are_previewed_without_throwing()
    {
        var store = Store(capacity: 1);

        store.Add("c", "t", "malformed_json", "d", new ReadOnlySequence<byte>(new byte[] { 0xFF, 0x00, 0xC3 }));

        Assert.Equal(3, Assert.Single(store.Snapshot()).PayloadBytes);
    }

    [Fact]
    public async Task Concurrent_writers_lose_no_count()
    {
        var store = Store(capacity: 10);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                store.Add("c", "t", "malformed_json", "d", Bytes("x"));
            }
        })));

        Assert.Equal(8000, store.Count("malformed_json"));
        Assert.Equal(10, store.Snapshot().Count);
    }
}
