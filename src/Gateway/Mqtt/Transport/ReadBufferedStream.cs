namespace DigitalTwin.Gateway.Mqtt.Transport;

/// <summary>
/// A socket stream whose reads are served from a buffer filled by one large receive. MQTTnet reads a packet in small
/// pieces (the fixed header, each byte of the remaining length, then the body), which costs a receive system call each
/// on a plain socket stream; here the pieces of many small packets that arrived together cost one. Writes go straight
/// through, because MQTTnet writes each packet whole and expects it on the wire at once.
/// </summary>
public sealed class ReadBufferedStream(Stream inner, int bufferSize = ReadBufferedStream.DefaultBufferSize) : Stream
{
    // Every connection holds one for its lifetime, so it is sized for a burst of ordinary telemetry (about twenty
    // 200-byte documents), not for throughput records; a larger packet is read in more pieces, or directly.
    public const int DefaultBufferSize = 4 * 1024;

    private readonly byte[] _buffer = new byte[bufferSize];
    private int _start;
    private int _end;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        if (_start == _end)
        {
            // A read at least as large as the buffer gains nothing from a copy through it.
            if (destination.Length >= _buffer.Length)
            {
                return await inner.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
            }

            var received = await inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (received == 0)
            {
                return 0;
            }

            _start = 0;
            _end = received;
        }

        var count = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, count).CopyTo(destination.Span);
        _start += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(source, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
