using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;

namespace DigitalTwin.Bench;

/// <summary>
/// One SSE client of <c>GET /api/v1/vehicles/{vin}/stream</c>, as an operator's console would hold it: opened, and its
/// first event received, before anything is measured; from then on it reads every event and notes when the first
/// <c>alert</c> arrived (a <see cref="Stopwatch"/> timestamp taken before the event is parsed).
/// </summary>
public sealed class SseWatcher : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly IAsyncEnumerator<SseItem<string>> _events;
    private readonly CancellationTokenSource _stop;
    private Task _reading = Task.CompletedTask;
    private long _alertArrivedAt;
    private string? _alertData;
    private int _count;

    private SseWatcher(string vin, HttpResponseMessage response, IAsyncEnumerator<SseItem<string>> events, CancellationTokenSource stop)
    {
        Vin = vin;
        _response = response;
        _events = events;
        _stop = stop;
    }

    public string Vin { get; }

    /// <summary>The first <c>alert</c> event's data (the alert as JSON); null until one arrived.</summary>
    public string? AlertData => Volatile.Read(ref _alertData);

    /// <summary>When the first <c>alert</c> event arrived (<see cref="Stopwatch"/> timestamp); 0 until then.</summary>
    public long AlertArrivedAt => Interlocked.Read(ref _alertArrivedAt);

    public int Events => Volatile.Read(ref _count);

    /// <summary>Why the stream ended early, if it did.</summary>
    public string? Error { get; private set; }

    /// <summary>Opens the stream and returns once its first event (the twin as it stands) has arrived.</summary>
    public static async Task<SseWatcher> OpenAsync(HttpClient http, string vin, string token, TimeSpan timeout, CancellationToken cancel)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        HttpResponseMessage? response = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/vehicles/{vin}/stream");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token).WaitAsync(timeout, cancel);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"GET /api/v1/vehicles/{vin}/stream answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            var body = await response.Content.ReadAsStreamAsync(stop.Token);
            var events = SseParser.Create(body).EnumerateAsync(stop.Token).GetAsyncEnumerator(stop.Token);
            if (!await events.MoveNextAsync().AsTask().WaitAsync(timeout, cancel))
            {
                throw new InvalidOperationException($"the stream of {vin} ended before its first event");
            }

            var watcher = new SseWatcher(vin, response, events, stop);
            watcher.Count(events.Current, Stopwatch.GetTimestamp());
            watcher._reading = Task.Run(watcher.ReadAsync, CancellationToken.None);
            return watcher;
        }
        catch
        {
            await stop.CancelAsync();
            response?.Dispose();
            stop.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        try
        {
            await _reading;
        }
        catch (Exception)
        {
            // Reading ends with the cancellation or the disposed body; either is the end asked for.
        }

        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            while (await _events.MoveNextAsync())
            {
                Count(_events.Current, Stopwatch.GetTimestamp());
            }

            Error = _stop.IsCancellationRequested ? null : "the stream ended";
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Closed by DisposeAsync: the end asked for.
        }
        catch (Exception ex)
        {
            Error = $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    private void Count(SseItem<string> item, long arrivedAt)
    {
        Interlocked.Increment(ref _count);
        if (item.EventType != "alert" || AlertData is not null)
        {
            return;
        }

        // The time first, then the data that says it has arrived: whoever sees the data also sees the time.
        Interlocked.Exchange(ref _alertArrivedAt, arrivedAt);
        Volatile.Write(ref _alertData, item.Data);
    }
}
