using System.Net.Sockets;
using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>The broker's own TCP listener takes raw bytes from anyone: junk must cost its sender the connection, nobody else anything.</summary>
[Collection(SiloCollection.Name)]
public sealed class BrokerListenerTests(SiloFixture silo)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    public static TheoryData<string, byte[]> Junk => new()
    {
        // Not MQTT at all. Read as MQTT, "GE" announces a 69-byte packet of type 4, which the request is long enough to complete.
        { "an HTTP request", "GET /api/v1/vehicles HTTP/1.1\r\nHost: broker\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n"u8.ToArray() },
        // A PUBLISH before any CONNECT.
        { "a PUBLISH without CONNECT", [0x30, 0x05, 0x00, 0x01, (byte)'t', (byte)'x', (byte)'y'] },
        // A remaining length whose continuation bit never ends (more than four bytes).
        { "an endless remaining length", [0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] },
        // A CONNECT that announces 200 bytes and stops after three.
        { "a CONNECT cut short", [0x10, 0xC8, 0x01, 0x00, 0x04, (byte)'M'] },
    };

    [Theory]
    [MemberData(nameof(Junk))]
    public async Task Junk_on_the_MQTT_port_closes_that_connection_and_cars_still_get_through(string what, byte[] bytes)
    {
        using var junk = new TcpClient();
        await junk.ConnectAsync("127.0.0.1", silo.MqttPort);
        var stream = junk.GetStream();
        await stream.WriteAsync(bytes);

        // The broker either closes the connection (a read returns 0 or fails) or keeps waiting for the rest of a cut-short
        // packet; then the sender gives up, as a dead car would.
        var closedByBroker = await ClosedWithinAsync(stream, TimeSpan.FromSeconds(2));
        junk.Close();

        var vin = Vins.Next();
        await using var car = silo.Car(vin);
        await car.ConnectAsync();
        var ack = await car.TelemetryAsync(1, """{"Vehicle.Speed":33}""");
        var twin = await silo.Grains.GetVehicle(vin).GetTwin();

        Assert.True(ack.IsSuccess, $"after {what}, closed by the broker: {closedByBroker}");
        Assert.Equal(33, twin.Signals["Vehicle.Speed"].Value.Number);
        if (what != "a CONNECT cut short")
        {
            Assert.True(closedByBroker, $"the broker should close a connection that sent {what}");
        }
    }

    private static async Task<bool> ClosedWithinAsync(NetworkStream stream, TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        var buffer = new byte[256];
        try
        {
            while (true)
            {
                if (await stream.ReadAsync(buffer, timeout.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
