using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>An SSE client over real HTTP that hands out events one by one.</summary>
public sealed class SseReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly IAsyncEnumerator<SseItem<string>> _events;
    private readonly CancellationTokenSource _cts = new();

    private SseReader(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _events = SseParser.Create(body).EnumerateAsync(_cts.Token).GetAsyncEnumerator(_cts.Token);
    }

    public static async Task<SseReader> OpenAsync(HttpClient http, string vin, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/vehicles/{vin}/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseReader(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next event, or a failed test when none arrives within <paramref name="timeout"/>.</summary>
    public async Task<(string Type, string Id, JsonElement Data)> NextAsync(TimeSpan timeout)
    {
        var next = _events.MoveNextAsync().AsTask();
        var finished = await Task.WhenAny(next, Task.Delay(timeout));
        Assert.True(finished == next, $"no event within {timeout.TotalMilliseconds} ms");
        Assert.True(await next, "the stream ended");
        var item = _events.Current;
        return (item.EventType, item.EventId!, JsonDocument.Parse(item.Data).RootElement.Clone());
    }

    /// <summary>Reads until an event satisfies <paramref name="match"/>, within one overall deadline.</summary>
    public async Task<(string Type, string Id, JsonElement Data)> NextMatchingAsync(Func<(string Type, string Id, JsonElement Data), bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            Assert.True(remaining > TimeSpan.Zero, $"no matching event within {timeout.TotalMilliseconds} ms");
            var e = await NextAsync(remaining);
            if (match(e))
            {
                return e;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _response.Dispose();
        _cts.Dispose();
    }
}
