using DigitalTwin.Gateway.Mqtt.Transport;

namespace DigitalTwin.Gateway.Tests.Mqtt;

public sealed class ReadBufferedStreamTests
{
    /// <summary>A socket stand-in: hands out at most the bytes of one "arrival" per read and counts the reads.</summary>
    private sealed class ArrivalStream(params byte[][] arrivals) : MemoryStream
    {
        private readonly Queue<byte[]> _arrivals = new(arrivals);
        private ReadOnlyMemory<byte> _current;

        public int Reads { get; private set; }

        public List<byte> Written { get; } = [];

        public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            Reads++;
            if (_current.IsEmpty && _arrivals.Count > 0)
            {
                _current = _arrivals.Dequeue();
            }

            // Never more than what is left of the current arrival, as a socket returns what has come so far.
            var count = Math.Min(_current.Length, destination.Length);
            _current[..count].CopyTo(destination);
            _current = _current[count..];
            return ValueTask.FromResult(count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            Written.AddRange(source.ToArray());
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer);
        return buffer;
    }

    [Fact]
    public async Task Small_reads_of_packets_that_arrived_together_cost_one_receive()
    {
        // Three 4-byte "packets" in one arrival, read the way MQTTnet reads: header bytes, then the body.
        var socket = new ArrivalStream([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        var stream = new ReadBufferedStream(socket);

        var pieces = new List<byte[]>();
        for (var i = 0; i < 3; i++)
        {
            pieces.Add(await ReadExactlyAsync(stream, 1));
            pieces.Add(await ReadExactlyAsync(stream, 1));
            pieces.Add(await ReadExactlyAsync(stream, 2));
        }

        Assert.Equal(Enumerable.Range(1, 12).Select(i => (byte)i), pieces.SelectMany(p => p));
        Assert.Equal(1, socket.Reads);
    }

    [Fact]
    public async Task A_read_across_two_arrivals_returns_every_byte_in_order()
    {
        var socket = new ArrivalStream([1, 2, 3], [4, 5, 6, 7]);
        var stream = new ReadBufferedStream(socket, bufferSize: 4);

        var all = await ReadExactlyAsync(stream, 7);

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7 }, all);
    }

    [Fact]
    public async Task A_read_larger_than_the_buffer_goes_straight_to_the_socket()
    {
        var payload = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var socket = new ArrivalStream(payload);
        var stream = new ReadBufferedStream(socket, bufferSize: 16);

        var read = await stream.ReadAsync(new byte[100]);

        Assert.Equal(100, read);
        Assert.Equal(1, socket.Reads);
    }

    [Fact]
    public async Task The_end_of_the_connection_reads_as_zero_bytes()
    {
        var stream = new ReadBufferedStream(new ArrivalStream([1]));

        Assert.Equal(1, await stream.ReadAsync(new byte[8]));
        Assert.Equal(0, await stream.ReadAsync(new byte[8]));
    }

    [Fact]
    public async Task Writes_reach_the_socket_at_once()
    {
        var socket = new ArrivalStream();
        var stream = new ReadBufferedStream(socket);

        await stream.WriteAsync(new byte[] { 0x40, 0x02, 0x00, 0x01 });

        Assert.Equal(new byte[] { 0x40, 0x02, 0x00, 0x01 }, socket.Written);
    }
}
