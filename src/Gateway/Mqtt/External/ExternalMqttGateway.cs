using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using DigitalTwin.Contract.Topics;
using DigitalTwin.Gateway.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace DigitalTwin.Gateway.Mqtt.External;

/// <summary>
/// <c>Mqtt:Mode=External</c>: this silo's gateway as an MQTT 5 client of the operator's broker. It joins the shared
/// subscription <c>$share/{group}/vehicles/+/{kind}</c> of every car-to-cloud topic with a persistent session
/// (clean start off, session expiry set), so the silos split the cars' messages and whatever arrives while a silo
/// restarts waits for it at the broker. A message is acknowledged only once the twin applied it
/// (<see cref="ReceivePipeline"/>); a refused one is dead-lettered by the ingress and acknowledged (it is handled); one
/// the twin could not take is tried again for <c>RetryFor</c>, after which the gateway reconnects so that the broker
/// delivers it again. Cloud-to-car messages leave through the same client at QoS 1. The connection is kept up with
/// backoff; <c>/readyz</c> reports it.
/// </summary>
public sealed partial class ExternalMqttGateway : BackgroundService, ICarPublisher
{
    /// <summary>How long a cloud-to-car publish waits for a connection that is being re-established.</summary>
    private static readonly TimeSpan PublishWaitsForConnection = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(2);

    private static readonly VehicleTopicKind[] CarToCloud =
        [VehicleTopicKind.Telemetry, VehicleTopicKind.Events, VehicleTopicKind.Status, VehicleTopicKind.CommandAck];

    private readonly MqttExternalOptions _options;
    private readonly MqttIngress _ingress;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ExternalMqttGateway> _logger;
    private readonly Lock _gate = new();
    private IMqttClient? _client;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _state = "not connected yet";
    private DateTimeOffset _since;

    public ExternalMqttGateway(IOptions<MqttOptions> options, IConfiguration configuration, MqttIngress ingress, GatewayMetrics metrics, TimeProvider time, ILogger<ExternalMqttGateway> logger)
    {
        _options = options.Value.External;
        _ingress = ingress;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _since = time.GetUtcNow();
        ClientId = ExternalClientId.Of(_options, configuration.GetValue("Orleans:SiloPort", 11111));
        Filters = [.. CarToCloud.Select(kind => $"$share/{_options.Group}/{VehicleTopic.ForEveryVehicle(kind)}")];
        metrics.ObserveExternalBroker(() => IsConnected ? 1 : 0);
    }

    public string ClientId { get; }

    /// <summary>The shared subscriptions, one per car-to-cloud topic of the contract.</summary>
    public IReadOnlyList<string> Filters { get; }

    /// <summary>The broker, as <c>host:port</c> (with <c>tls</c> when it is over TLS).</summary>
    public string Broker => string.Create(CultureInfo.InvariantCulture, $"{_options.Host}:{_options.Port}{(_options.Tls.Enabled ? " (TLS)" : "")}");

    public bool IsConnected => _client?.IsConnected == true && _connected.Task.IsCompleted;

    /// <summary>What the connection is doing and since when, for <c>/readyz</c>.</summary>
    public (bool Connected, string State, DateTimeOffset Since) Status
    {
        get
        {
            lock (_gate)
            {
                return (IsConnected, _state, _since);
            }
        }
    }

    /// <summary>A cloud-to-car message at QoS 1; waits briefly for a connection being re-established, then throws.</summary>
    public async Task PublishAsync(string topic, byte[] payload)
    {
        await _connected.Task.WaitAsync(PublishWaitsForConnection, _time);
        var client = _client ?? throw new InvalidOperationException("not connected to the MQTT broker");
        var message = ICarPublisher.Message(topic, payload);
        var result = await client.PublishAsync(message);
        if (!result.IsSuccess)
        {
            _metrics.ExternalPublish("refused");
            throw new InvalidOperationException($"the broker refused the publish on {topic}: {result.ReasonCode} {result.ReasonString}");
        }

        _metrics.ExternalPublish("published");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = _options.ReconnectDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            var reason = await RunConnectionAsync(stoppingToken);
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            SetState($"disconnected: {reason}; reconnecting in {delay.TotalSeconds:0.#} s");
            LogDisconnected(_logger, Broker, reason, delay);
            try
            {
                await Task.Delay(delay, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            // A connection that held for a while starts the backoff over; one that failed at once doubles it.
            delay = reason.StartsWith(LostPrefix, StringComparison.Ordinal) ? _options.ReconnectDelay : Min(delay * 2, _options.MaxReconnectDelay);
        }
    }

    private const string LostPrefix = "connection lost";

    /// <summary>One connection, from CONNECT to its end; returns why it ended.</summary>
    private async Task<string> RunConnectionAsync(CancellationToken stoppingToken)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var ended = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pipeline = new ReceivePipeline(_options.Concurrency, ApplyAsync, reason => ended.TrySetResult("gave up: " + reason));
        // Attached before CONNECT: a resumed session's messages arrive right after the CONNACK.
        client.ApplicationMessageReceivedAsync += e =>
        {
            pipeline.Enqueue(e);
            return Task.CompletedTask;
        };
        client.DisconnectedAsync += e =>
        {
            ended.TrySetResult($"{LostPrefix} ({e.Reason}{(e.Exception is null ? "" : ": " + e.Exception.Message)})");
            return Task.CompletedTask;
        };

        try
        {
            SetState("connecting");
            var result = await client.ConnectAsync(BuildOptions(), stoppingToken);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                _metrics.ExternalConnection("refused");
                return $"CONNECT refused: {result.ResultCode} {result.ReasonString}";
            }

            var subscribe = new MqttClientSubscribeOptionsBuilder();
            foreach (var filter in Filters)
            {
                subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
            }

            var granted = await client.SubscribeAsync(subscribe.Build(), stoppingToken);
            var refused = granted.Items.Where(i => i.ResultCode != MqttClientSubscribeResultCode.GrantedQoS1).ToList();
            if (refused.Count > 0)
            {
                _metrics.ExternalConnection("refused");
                await DisconnectQuietlyAsync(client);
                return "SUBSCRIBE refused: " + string.Join(", ", refused.Select(i => $"{i.TopicFilter.Topic} {i.ResultCode}"));
            }

            _client = client;
            _metrics.ExternalConnection("connected");
            SetState($"connected as {ClientId}, session {(result.IsSessionPresent ? "resumed" : "new")}");
            LogConnected(_logger, Broker, ClientId, result.IsSessionPresent, _options.Group);
            _connected.TrySetResult();

            var reason = await ended.Task.WaitAsync(stoppingToken);
            if (reason.StartsWith(LostPrefix, StringComparison.Ordinal))
            {
                _metrics.ExternalConnection("lost");
            }
            else
            {
                // Without the acknowledgement the broker keeps the message; it sends it again once this session reconnects.
                _metrics.ExternalConnection("redelivery");
                LogGaveUp(_logger, reason);
            }

            return reason;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: a clean DISCONNECT keeps the session (and what is unacknowledged) for the next start.
            return "stopping";
        }
        catch (Exception ex)
        {
            _metrics.ExternalConnection("failed");
            return $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            ResetConnected();
            _client = null;
            await DisconnectQuietlyAsync(client);
        }
    }

    private async Task<bool> ApplyAsync(Received received, CancellationToken cancellationToken)
    {
        var payload = received.Args.ApplicationMessage.Payload;
        var started = _time.GetTimestamp();
        var wait = FirstRetry;
        while (true)
        {
            var result = await _ingress.HandleBrokerPublishAsync(received.Topic, received.Target, payload);
            if (result.Status != IngressStatus.Failed)
            {
                // Applied, duplicate, ignored, or refused and dead-lettered: handled either way.
                return true;
            }

            if (_time.GetElapsedTime(started) + wait > _options.RetryFor || cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            _metrics.ExternalRetry();
            try
            {
                await Task.Delay(wait, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            wait = Min(wait * 2, LongestRetry);
        }
    }

    private MqttClientOptions BuildOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId(ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            .WithReceiveMaximum((ushort)_options.ReceiveMaximum)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (!string.IsNullOrEmpty(_options.Username))
        {
            builder.WithCredentials(_options.Username, _options.Password ?? string.Empty);
        }

        if (_options.Tls.Enabled)
        {
            builder.WithTlsOptions(ConfigureTls);
        }

        return builder.Build();
    }

    private void ConfigureTls(MqttClientTlsOptionsBuilder tls)
    {
        tls.UseTls().WithSslProtocols(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13);
        var options = _options.Tls;
        if (!string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            using var fromPem = X509Certificate2.CreateFromPemFile(options.CertificatePath, options.KeyPath);
            // SslStream on Linux needs the key in a form it can export to OpenSSL; a PEM-loaded key is ephemeral.
            var certificate = X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), null);
            tls.WithClientCertificates([certificate]);
        }

        if (!string.IsNullOrWhiteSpace(options.CaPath))
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(options.CaPath);
            tls.WithCertificateValidationHandler(e => TrustedBy(roots, e.Certificate, e.SslPolicyErrors));
        }
    }

    /// <summary>The broker's certificate chains to one of the configured CAs (only those) and names the host.</summary>
    private static bool TrustedBy(X509Certificate2Collection roots, X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var certificate = new X509Certificate2(presented);
        return chain.Build(certificate);
    }

    private static async Task DisconnectQuietlyAsync(IMqttClient client)
    {
        if (!client.IsConnected)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            // Normal disconnection keeps the session: the broker holds this silo's share until it is back.
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
        {
            // The connection is gone already.
        }
    }

    private void SetState(string state)
    {
        lock (_gate)
        {
            _state = state;
            _since = _time.GetUtcNow();
        }
    }

    private void ResetConnected()
    {
        lock (_gate)
        {
            if (_connected.Task.IsCompleted)
            {
                _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to the MQTT broker {Broker} as {ClientId} (session present: {SessionPresent}), shared subscription group {Group}")]
    private static partial void LogConnected(ILogger logger, string broker, string clientId, bool sessionPresent, string group);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not connected to the MQTT broker {Broker}: {Reason}; reconnecting in {Delay}")]
    private static partial void LogDisconnected(ILogger logger, string broker, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconnecting to the MQTT broker so that it delivers again what was not applied: {Reason}")]
    private static partial void LogGaveUp(ILogger logger, string reason);
}
