using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using DigitalTwin.Security;
using DigitalTwin.Silo;
using DigitalTwin.Testing;

namespace DigitalTwin.Bench;

/// <summary>
/// A reconnect storm: every car of a region connects at once, as after a cellular outage. The silo runs in a process of
/// its own (so its descriptors and cores are its own to count); this process is the generator. Each car is a raw socket
/// that sends one MQTT 5 CONNECT (client id = user = VIN, password = vehicle token) and reads the CONNACK, so the
/// generator costs little next to the broker and the figure is the silo's. Two rounds: cold (no twin active yet, each
/// connect activates its grain) and reconnecting (the same cars again, twins active).
/// </summary>
public sealed class StormBench(BenchOptions options, string command, TextWriter output)
{
    private static readonly TimeSpan PerCarTimeout = TimeSpan.FromSeconds(60);
    private const string VinPrefix = "WDD2030461S";

    public async Task<int> RunAsync(CancellationToken cancel)
    {
        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var certificates = options.StormTls is null ? null : Directory.CreateTempSubdirectory("digitaltwin-storm-pki-").FullName;
        var pki = certificates is null ? null : DevCertificates.Open(certificates, out _);
        var tlsSettings = new List<string>();
        var tlsPort = Ports.Free();
        if (pki is not null)
        {
            var (certificatePath, keyPath) = pki.Server([], 1);
            tlsSettings.AddRange(
            [
                F($"--Mqtt:Tls:Port={tlsPort}"),
                $"--Mqtt:Tls:CertificatePath={certificatePath}",
                $"--Mqtt:Tls:KeyPath={keyPath}",
                "--Mqtt:Tls:ClientCertificateMode=Allow",
                $"--Mqtt:Tls:ClientCaPath={pki.CaPath}",
            ]);
        }

        try
        {
            return await RunAsync(key, pki, tlsPort, tlsSettings, cancel);
        }
        finally
        {
            if (certificates is not null)
            {
                Directory.Delete(certificates, recursive: true);
            }
        }
    }

    private async Task<int> RunAsync(string key, DevCertificates? pki, int tlsPort, List<string> tlsSettings, CancellationToken cancel)
    {
        await using var silo = SiloProcess.Start(1, typeof(SiloHost).Assembly.Location,
        [
            .. tlsSettings,
            options.StormAnonymous ? "--environment=Development" : "--environment=Production",
            options.StormAnonymous ? "--Mqtt:AllowAnonymous=true" : "--Mqtt:AllowAnonymous=false",
            $"--Auth:SigningKey={key}",
            // The whole fleet comes from one address here; a per-address limit would measure itself.
            "--Mqtt:ConnectRate:PerAddress=0",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:DigitalTwin=Information",
        ]);
        await silo.Ready.WaitAsync(TimeSpan.FromSeconds(180), cancel);
        var port = pki is null ? silo.MqttPort : tlsPort;
        var mode = options.StormTls switch { "certificate" => "TLS, car certificates", "token" => "TLS, vehicle tokens", _ => options.StormAnonymous ? "plain TCP, no authentication" : "plain TCP, vehicle tokens" };
        Say(F($"storm: silo pid {silo.ProcessId} ready, MQTT port {port} ({mode}); making credentials for {options.StormCars:N0} cars"));

        var issuer = new TokenIssuer(key);
        var withCertificates = options.StormTls == "certificate";
        var connects = Enumerable.Range(1, options.StormCars)
            .Select(n => withCertificates ? ConnectPacket(VinOf(n), null) : ConnectPacket(VinOf(n), issuer.Mint(VinOf(n), Roles.Vehicle, TimeSpan.FromHours(2))))
            .ToArray();
        var carCertificates = withCertificates ? Enumerable.Range(1, options.StormCars).Select(n => pki!.CarInMemory(VinOf(n), 1)).ToArray() : null;
        var target = new Target(port, pki is not null, carCertificates);

        var rounds = new List<StormRound>();
        foreach (var name in new[] { "cold", "reconnect" })
        {
            var round = await RoundAsync(name, silo, target, connects, cancel);
            rounds.Add(round);
            Say(F($"storm {name}: {round.Connected:N0} of {round.Cars:N0} connected in {round.Seconds:0.00} s = {round.ConnectsPerSecond:N0} connects/s; time to CONNACK p50 {round.P50Ms:N0} ms, p99 {round.P99Ms:N0} ms, max {round.MaxMs:N0} ms; silo CPU {round.SiloCpuSeconds:0.00} s, generator CPU {round.GeneratorCpuSeconds:0.00} s; refused {Describe(round.Refused)}"));
            await WaitForNoSessionsAsync(silo, cancel);
        }

        var report = new { Command = command, Mode = mode, StartedAt = DateTimeOffset.UtcNow, Machine = MachineInfo.Current(), Rounds = rounds };
        var path = options.OutPath == Path.Combine("bench-results", "result.json") ? Path.Combine("bench-results", "storm.json") : options.OutPath;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, ReportWriter.Json), cancel);
        Say($"storm: JSON written to {Path.GetFullPath(path)}");
        return rounds.All(r => r.Connected == r.Cars) ? 0 : 1;
    }

    private async Task<StormRound> RoundAsync(string name, SiloProcess silo, Target target, byte[][] connects, CancellationToken cancel)
    {
        var histogram = new LatencyHistogram();
        var refused = new Dictionary<string, int>();
        var sockets = new Socket?[connects.Length];
        var streams = new Stream?[connects.Length];
        var siloCpu = CpuSeconds(silo.ProcessId);
        var generatorCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var clock = Stopwatch.StartNew();
        long lastConnack = 0;

        async Task CarAsync(int index)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(PerCarTimeout);
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            Stream? stream = null;
            string? failure;
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, target.Port), timeout.Token);
                stream = new NetworkStream(socket, ownsSocket: false);
                if (target.Tls)
                {
                    var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                    stream = ssl;
                    await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                    {
                        TargetHost = "localhost",
                        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                        // The generator trusts its own silo; checking the server's chain 10,000 times would be the generator's cost, not the broker's.
                        RemoteCertificateValidationCallback = (_, _, _, _) => true,
                        ClientCertificates = target.CarCertificates is { } cars ? [cars[index]] : null,
                    }, timeout.Token);
                }

                await stream.WriteAsync(connects[index], timeout.Token);
                var code = await ReadConnAckAsync(stream, timeout.Token);
                failure = code == 0 ? null : F($"reason 0x{code:X2}");
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException or AuthenticationException)
            {
                failure = ex is OperationCanceledException ? "timeout" : ex.GetType().Name;
            }

            var elapsed = clock.Elapsed;
            if (failure is null)
            {
                histogram.Record((long)elapsed.TotalMicroseconds);
                sockets[index] = socket;
                streams[index] = stream;
                InterlockedMax(ref lastConnack, elapsed.Ticks);
                return;
            }

            stream?.Dispose();
            socket.Dispose();
            lock (refused)
            {
                refused[failure] = refused.GetValueOrDefault(failure) + 1;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, connects.Length).Select(CarAsync));
        var seconds = TimeSpan.FromTicks(Interlocked.Read(ref lastConnack)).TotalSeconds;
        var round = new StormRound(
            name,
            connects.Length,
            (int)histogram.Count,
            Math.Round(seconds, 3),
            seconds > 0 ? Math.Round(histogram.Count / seconds) : 0,
            Math.Round(histogram.PercentileMilliseconds(0.5), 1),
            Math.Round(histogram.PercentileMilliseconds(0.99), 1),
            Math.Round(histogram.MaxMilliseconds, 1),
            Math.Round(CpuSeconds(silo.ProcessId) - siloCpu, 2),
            Math.Round(Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - generatorCpu, 2),
            refused);

        // Every car leaves cleanly (DISCONNECT), so the next round is a reconnect and not a takeover.
        for (var i = 0; i < sockets.Length; i++)
        {
            if (sockets[i] is not { } socket)
            {
                continue;
            }

            try
            {
                streams[i]!.Write([0xE0, 0x00]);
                streams[i]!.Flush();
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
            }

            streams[i]!.Dispose();
            socket.Dispose();
        }

        return round;
    }

    /// <summary>The silo's sessions gauge back at 0, so the next round starts from a quiet broker.</summary>
    private static async Task WaitForNoSessionsAsync(SiloProcess silo, CancellationToken cancel)
    {
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var metrics = await http.GetStringAsync("/metrics", cancel);
            var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("digitaltwin_mqtt_sessions", StringComparison.Ordinal));
            if (line is not null && line.EndsWith(" 0", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(200, cancel);
        }
    }

    /// <summary>MQTT 5 CONNECT: clean start, keep-alive 60 s, user name and password (none with a certificate), no properties.</summary>
    private static byte[] ConnectPacket(string vin, string? token)
    {
        var id = Encoding.UTF8.GetBytes(vin);
        var fields = token is null ? new[] { id } : [id, id, Encoding.UTF8.GetBytes(token)];
        var body = new List<byte> { 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x05, (byte)(token is null ? 0x02 : 0xC2), 0x00, 0x3C, 0x00 };
        foreach (var field in fields)
        {
            body.Add((byte)(field.Length >> 8));
            body.Add((byte)field.Length);
            body.AddRange(field);
        }

        var packet = new List<byte> { 0x10 };
        var remaining = body.Count;
        do
        {
            var digit = (byte)(remaining % 128);
            remaining /= 128;
            packet.Add(remaining > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (remaining > 0);
        packet.AddRange(body);
        return [.. packet];
    }

    /// <summary>Reads a CONNACK and returns its reason code (0 = success).</summary>
    private static async Task<byte> ReadConnAckAsync(Stream stream, CancellationToken cancel)
    {
        var buffer = new byte[256];
        var have = 0;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(have), cancel);
            if (read == 0)
            {
                throw new IOException("closed before CONNACK");
            }

            have += read;
            if (buffer[0] != 0x20)
            {
                throw new IOException(F($"expected CONNACK, got packet type 0x{buffer[0]:X2}"));
            }

            // Fixed header, remaining length (1-4 bytes), acknowledge flags, reason code.
            var index = 1;
            while (index < have && (buffer[index] & 0x80) != 0)
            {
                index++;
            }

            if (have >= index + 3)
            {
                return buffer[index + 2];
            }
        }
    }

    private static double CpuSeconds(int pid)
    {
        // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static string VinOf(int n) => VinPrefix + n.ToString("D6", CultureInfo.InvariantCulture);

    private static string Describe(Dictionary<string, int> refused) =>
        refused.Count == 0 ? "none" : string.Join(", ", refused.Select(r => F($"{r.Key}: {r.Value}")));

    private void Say(string line) => output.WriteLine(line);

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private sealed record Target(int Port, bool Tls, X509Certificate2[]? CarCertificates);

    private sealed record StormRound(
        string Round,
        int Cars,
        int Connected,
        double Seconds,
        double ConnectsPerSecond,
        double P50Ms,
        double P99Ms,
        double MaxMs,
        double SiloCpuSeconds,
        double GeneratorCpuSeconds,
        Dictionary<string, int> Refused);
}
