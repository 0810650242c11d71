using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using DigitalTwin.Security;
using DigitalTwin.Silo;
using DigitalTwin.Testing;
using MQTTnet;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>
/// The issue's crash, as an operator would meet it: a silo whose process may open few files, and more cars than that
/// connecting. Before, the silo died ("Out of memory.") once its descriptors ran out; now it takes as many cars as its
/// limit allows, refuses the rest with "quota exceeded", and goes on serving HTTP and the cars it has.
/// </summary>
public sealed partial class OpenFilesLimitTests
{
    private const int OpenFilesLimit = 768;
    private const int Cars = 800;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_silo_under_a_low_open_files_limit_refuses_the_cars_it_cannot_hold_and_stays_up()
    {
        var key = "open-files-test-signing-key-long-enough-for-hs256";
        await using var silo = SiloProcess.Start(1, typeof(SiloHost).Assembly.Location,
            ["--environment=Testing", $"--Auth:SigningKey={key}", "--Mqtt:ConnectRate:PerAddress=0", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:DigitalTwin=Information"],
            OpenFilesLimit);
        await silo.Ready.WaitAsync(Deadline);
        var capacity = int.Parse(Capacity().Match(silo.LogTail(300)).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(capacity, 1, OpenFilesLimit - 1);

        var tokens = new TokenIssuer(key);
        var connected = new List<CarClient>();
        var refusals = new Dictionary<string, int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Cars), new ParallelOptions { MaxDegreeOfParallelism = 50 }, async (_, _) =>
        {
            var vin = Vins.Next("WDD2030461F");
            var car = new CarClient(vin, silo.MqttPort, tokens.Mint(vin, Roles.Vehicle, TimeSpan.FromHours(1)));
            try
            {
                await car.ConnectAsync();
                lock (connected)
                {
                    connected.Add(car);
                }
            }
            catch (Exception ex)
            {
                var reason = ex.Message.Contains(nameof(MqttClientConnectResultCode.QuotaExceeded), StringComparison.Ordinal) ? "quota exceeded" : ex.GetType().Name + ": " + ex.Message;
                lock (refusals)
                {
                    refusals[reason] = refusals.GetValueOrDefault(reason) + 1;
                }

                await car.DisposeAsync();
            }
        });

        try
        {
            Assert.False(silo.HasExited, silo.LogTail());
            Assert.Equal(capacity, connected.Count);
            Assert.Equal(Cars - capacity, refusals.GetValueOrDefault("quota exceeded"));

            // The cars it took keep publishing, and HTTP still answers.
            foreach (var car in connected.Take(20))
            {
                Assert.True((await car.TelemetryAsync(1, """{"Vehicle.Speed":12}""")).IsSuccess);
            }

            using var http = new HttpClient { BaseAddress = silo.BaseAddress };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
            Assert.False(silo.HasExited, silo.LogTail());
        }
        finally
        {
            foreach (var car in connected)
            {
                await car.DisposeAsync();
            }
        }
    }

    [GeneratedRegex(@"for up to (\d+) cars")]
    private static partial Regex Capacity();
}
