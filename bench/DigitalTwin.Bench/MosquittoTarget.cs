using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using DigitalTwin.Contract.Topics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace DigitalTwin.Bench;

/// <summary>
/// What users would deploy instead: Mosquitto (the distribution's package) relaying the fleet's telemetry to
/// one subscriber that counts. The in-flight window is raised from its default of 20, which alone holds
/// QoS 1 relaying to a third. The subscriber is <c>mosquitto_sub</c> printing one short line per message,
/// because MQTTnet as a QoS 1 subscriber behind a large window stalled at ~150 msgs/s here; MQTTnet is the
/// fallback when mosquitto_sub is missing.
/// </summary>
public sealed class MosquittoTarget : IBenchTarget
{
    private static readonly string Filter = VehicleTopic.ForEveryVehicle(VehicleTopicKind.Telemetry);
    private static readonly string ProbeTopic = VehicleTopic.Of("PR0BE000000000000", VehicleTopicKind.Telemetry);

    private readonly StringBuilder _brokerLog = new();
    private string? _directory;
    private Process? _broker;
    private Process? _subscriberProcess;
    private IMqttClient? _subscriberClient;
    private Task? _counting;
    private IDisposable? _cleanup;
    private long _lines;
    private long _baseline;

    public string Name => "mosquitto";

    public string Description { get; private set; } = "messages relayed by Mosquitto to one counting subscriber";

    public int Port { get; private set; }

    public long Received => Interlocked.Read(ref _lines) - _baseline;

    public Action<int>? ProcessedListener { get; set; }

    public async Task StartAsync(CancellationToken cancel)
    {
        var mosquitto = Shell.Which("mosquitto", "/usr/sbin", "/sbin")
            ?? throw new TargetUnavailableException("Mosquitto is not installed (on Debian: apt-get install mosquitto mosquitto-clients)");
        var mosquittoSub = Shell.Which("mosquitto_sub");

        _directory = Directory.CreateTempSubdirectory("dt-bench-mosquitto-").FullName;
        _cleanup = Janitor.Register($"Mosquitto in {_directory}", StopAndDelete);
        Port = Ports.Free();
        var config = Path.Combine(_directory, "mosquitto.conf");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            listener {Port} 127.0.0.1
            allow_anonymous true
            persistence false
            max_inflight_messages 1000
            max_queued_messages 100000000
            max_queued_bytes 0
            log_dest stderr
            log_type error
            log_type warning

            """), cancel);

        var start = new ProcessStartInfo(mosquitto) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(config);
        _broker = Process.Start(start) ?? throw new InvalidOperationException("could not start mosquitto");
        _broker.ErrorDataReceived += (_, e) => AppendLog(e.Data);
        _broker.OutputDataReceived += (_, e) => AppendLog(e.Data);
        _broker.BeginErrorReadLine();
        _broker.BeginOutputReadLine();
        if (!await Ports.WaitListeningAsync(Port, TimeSpan.FromSeconds(10), cancel))
        {
            throw new InvalidOperationException($"mosquitto did not listen on {Port}: {BrokerLog()}");
        }

        if (mosquittoSub is not null)
        {
            StartMosquittoSub(mosquittoSub);
        }
        else
        {
            Description += " (MQTTnet subscriber: mosquitto_sub missing)";
            await StartMqttNetSubscriberAsync(cancel);
        }

        await ProbeAsync(cancel);
    }

    public Task<LossCheck?> VerifyAsync(Fleet fleet, CancellationToken cancel) => Task.FromResult<LossCheck?>(null);

    public async ValueTask DisposeAsync()
    {
        if (_subscriberClient is not null)
        {
            if (_subscriberClient.IsConnected)
            {
                await _subscriberClient.DisconnectAsync();
            }

            _subscriberClient.Dispose();
            _subscriberClient = null;
        }

        _cleanup?.Dispose();
        _cleanup = null;
        if (_counting is not null)
        {
            await _counting;
        }
    }

    private void StartMosquittoSub(string mosquittoSub)
    {
        var start = new ProcessStartInfo(mosquittoSub) { UseShellExecute = false, RedirectStandardOutput = true };
        // %l: only the payload length, so the pipe carries a few bytes per message and not the document.
        foreach (var a in new[] { "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-i", "bench-relay-counter", "-q", "1", "-t", Filter, "-F", "%l" })
        {
            start.ArgumentList.Add(a);
        }

        _subscriberProcess = Process.Start(start) ?? throw new InvalidOperationException("could not start mosquitto_sub");
        var stdout = _subscriberProcess.StandardOutput.BaseStream;
        _counting = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            try
            {
                int read;
                while ((read = await stdout.ReadAsync(buffer)) > 0)
                {
                    var lines = buffer.AsSpan(0, read).Count((byte)'\n');
                    Interlocked.Add(ref _lines, lines);
                    ProcessedListener?.Invoke(lines);
                }
            }
            catch (Exception ex) when (ex is ObjectDisposedException or IOException)
            {
                // The subscriber was stopped; its count is final.
            }
        });
    }

    private async Task StartMqttNetSubscriberAsync(CancellationToken cancel)
    {
        _subscriberClient = new MqttClientFactory().CreateMqttClient();
        _subscriberClient.ApplicationMessageReceivedAsync += _ =>
        {
            Interlocked.Increment(ref _lines);
            ProcessedListener?.Invoke(1);
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", Port).WithClientId("bench-relay-counter")
            .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(true).Build();
        await _subscriberClient.ConnectAsync(options, cancel);
        await _subscriberClient.SubscribeAsync(Filter, MqttQualityOfServiceLevel.AtLeastOnce, cancel);
    }

    /// <summary>
    /// mosquitto_sub says nothing when its subscription is in place, so publish probes until one arrives;
    /// the count starts after the last probe.
    /// </summary>
    private async Task ProbeAsync(CancellationToken cancel)
    {
        using var probe = new MqttClientFactory().CreateMqttClient();
        await probe.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", Port).WithClientId("bench-probe").Build(), cancel);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Interlocked.Read(ref _lines) == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"the relay subscriber received nothing within 10 s: {BrokerLog()}");
            }

            var message = new MqttApplicationMessage { Topic = ProbeTopic, Payload = new ReadOnlySequence<byte>("{}"u8.ToArray()), QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce };
            await probe.PublishAsync(message, cancel);
            await Task.Delay(50, cancel);
        }

        await probe.DisconnectAsync(cancellationToken: cancel);

        // Probes sent before the subscription existed are never delivered, so their number says nothing; each
        // probe was acknowledged 50 ms before the count was read, so every one that will arrive has arrived.
        _baseline = Interlocked.Read(ref _lines);
    }

    private void AppendLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_brokerLog)
        {
            if (_brokerLog.Length < 4000)
            {
                _brokerLog.AppendLine(line);
            }
        }
    }

    private string BrokerLog()
    {
        lock (_brokerLog)
        {
            return _brokerLog.Length == 0 ? "(mosquitto logged nothing)" : _brokerLog.ToString().Trim();
        }
    }

    // Synchronous on purpose: it also runs from ProcessExit.
    private void StopAndDelete()
    {
        foreach (var process in new[] { _subscriberProcess, _broker })
        {
            if (process is null)
            {
                continue;
            }

            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(TimeSpan.FromSeconds(10));
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        _subscriberProcess = null;
        _broker = null;
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
