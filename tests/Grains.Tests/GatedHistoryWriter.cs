using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Storage;

namespace DigitalTwin.Grains.Tests;

/// <summary>
/// The in-memory history with a gate a test can close, as a PostgreSQL history at its bound would be: while closed,
/// there is no room, and whoever waits for room waits until it opens.
/// </summary>
internal sealed class GatedHistoryWriter(InMemorySignalHistory inner) : ISignalHistoryWriter
{
    private TaskCompletionSource? _closed;

    public void Close() => Interlocked.CompareExchange(ref _closed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);

    public void Open() => Interlocked.Exchange(ref _closed, null)?.TrySetResult();

    public int Append(string vin, TelemetryMessage message) => inner.Append(vin, message);

    public ValueTask WhenWrittenAsync(CancellationToken cancellationToken) => inner.WhenWrittenAsync(cancellationToken);

    public bool HasRoomFor(int samples) => Volatile.Read(ref _closed) is null;

    public async ValueTask WhenRoomForAsync(int samples, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _closed) is { } closed)
        {
            await closed.Task.WaitAsync(cancellationToken);
        }
    }
}
