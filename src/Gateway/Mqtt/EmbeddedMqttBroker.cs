using System.Net;
using DigitalTwin.Contract;
using DigitalTwin.Contract.Topics;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Gateway.Mqtt.Connections;
using DigitalTwin.Gateway.Mqtt.Tls;
using DigitalTwin.Gateway.Mqtt.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace DigitalTwin.Gateway.Mqtt;

/// <summary>
/// Hosts MQTTnet.Server inside the silo and wires its events to the gateway's classes. A car's publish is
/// applied by its grain inside <c>InterceptingPublishAsync</c>, which MQTTnet runs before it sends the
/// PUBACK: a QoS 1 acknowledgement therefore means "applied to the twin".
/// </summary>
public sealed partial class EmbeddedMqttBroker(
    IOptions<MqttOptions> options,
    VehicleConnectionAuthenticator authenticator,
    GatewayIdentity identity,
    Lazy<GatewayOutbox> outbox,
    MqttIngress ingress,
    ConnectionGuard guard,
    [FromKeyedServices(ConnectionGuard.ClockKey)] TimeProvider clock,
    GatewayMetrics metrics,
    ILogger<EmbeddedMqttBroker> logger) : IHostedService, IAsyncDisposable, ICarPublisher
{
    private const string VinItem = "dt.vin";
    private const string SessionItem = "dt.session";
    private const string OutboxSender = "digitaltwin-outbox";

    /// <summary>An object no client can put into its session items, unlike any string or client id.</summary>
    private static readonly object OutboxMarker = new();
    private readonly MqttOptions _options = options.Value;
    private MqttServer? _server;

    /// <summary>The plain MQTT listener's port; 0 when it is off (<c>Mqtt:Port=0</c>).</summary>
    public int Port { get; private set; }

    /// <summary>The MQTT-over-TLS listener's port; 0 when there is none.</summary>
    public int TlsPort { get; private set; }

    /// <summary>The TLS listener's certificates, for the health check and tests; null without TLS.</summary>
    public TlsMaterial? Tls { get; private set; }

    /// <summary>Where the broker listens, for the start-up line: "0.0.0.0:1883, 0.0.0.0:8883 (TLS, client certificates Allow)".</summary>
    public string Listeners { get; private set; } = "";

    public bool IsRunning => _server is { IsStarted: true };

    public MqttServer Server => _server ?? throw new InvalidOperationException("The MQTT broker has not started.");

    /// <summary>Cars the broker takes at once, and where that number comes from; known once it started.</summary>
    public ConnectionCapacity? Capacity => guard.Capacity;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        guard.Start();
        var address = string.IsNullOrEmpty(_options.Host) ? IPAddress.Any : IPAddress.Parse(_options.Host);
        var listeners = new List<MqttListener>();
        if (_options.EffectivePlainPort != 0)
        {
            listeners.Add(new MqttListener(address, _options.EffectivePlainPort, null));
        }

        if (_options.Tls.Enabled)
        {
            Tls = new TlsMaterial(_options.Tls, clock, logger);
            listeners.Add(new MqttListener(address, _options.Tls.Port, Tls));
        }

        // The default endpoint's settings (backlog, no-delay) apply to every listener; where they listen is ours.
        var builder = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithConnectionBacklog(_options.ListenBacklog)
            .WithMaxPendingMessagesPerClient(_options.MaxPendingMessagesPerClient)
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropNewMessage);
        var adapter = new BufferedTcpServerAdapter(guard, clock, listeners);
        var server = new MqttServerFactory().CreateMqttServer(builder.Build(), [adapter]);
        server.ValidatingConnectionAsync += OnValidatingConnectionAsync;
        server.ClientConnectedAsync += OnClientConnectedAsync;
        server.ClientDisconnectedAsync += OnClientDisconnectedAsync;
        server.InterceptingPublishAsync += OnInterceptingPublishAsync;
        server.InterceptingSubscriptionAsync += OnInterceptingSubscriptionAsync;
        server.ClientSubscribedTopicAsync += OnClientSubscribedTopicAsync;
        await server.StartAsync();
        _server = server;
        var ports = adapter.BoundPorts;
        Port = _options.EffectivePlainPort != 0 ? ports[0] : 0;
        TlsPort = Tls is not null ? ports[^1] : 0;
        Listeners = string.Join(", ", listeners.Zip(ports, (l, p) =>
            l.Tls is null ? $"{address}:{p}" : $"{address}:{p} (TLS, client certificates {_options.Tls.ClientCertificateMode})"));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { IsStarted: true } server)
        {
            await server.StopAsync(new MqttServerStopOptionsBuilder().Build());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await StopAsync(CancellationToken.None);
            _server.Dispose();
            _server = null;
        }
    }

    private async Task OnValidatingConnectionAsync(ValidatingConnectionEventArgs e)
    {
        // Bans and the session quota first: they cost nothing, a token validation does.
        if (guard.Connecting(e.ChannelAdapter, e.ClientId) is { } refusal)
        {
            e.ReasonCode = refusal.Code;
            return;
        }

        var (code, result) = await authenticator.AuthenticateAsync(e.ClientId, e.UserName, e.Password, e.ClientCertificate);
        guard.Authenticated(e.ChannelAdapter, e.ClientId, code == MqttConnectReasonCode.Success);
        e.ReasonCode = code;
        metrics.Connection(result);
        if (code != MqttConnectReasonCode.Success)
        {
            LogConnectRefused(logger, e.ClientId, result);
            return;
        }

        if (Vin.IsValid(e.ClientId))
        {
            e.SessionItems[VinItem] = e.ClientId;
            e.SessionItems[SessionItem] = identity.NewSessionId();
        }
    }

    private Task OnClientConnectedAsync(ClientConnectedEventArgs e) =>
        e.SessionItems[VinItem] is string vin && e.SessionItems[SessionItem] is string session
            ? ingress.ConnectionOpenedAsync(vin, session).AsTask()
            : Task.CompletedTask;

    /// <summary>
    /// The grain ignores the close of a session that is no longer the car's current one, so a takeover or a
    /// reconnect through another silo cannot take the car offline.
    /// </summary>
    private Task OnClientDisconnectedAsync(ClientDisconnectedEventArgs e) =>
        e.SessionItems[VinItem] is string vin && e.SessionItems[SessionItem] is string session
            ? ingress.ConnectionClosedAsync(vin, session).AsTask()
            : Task.CompletedTask;

    private Task OnClientSubscribedTopicAsync(ClientSubscribedTopicEventArgs e) =>
        e.SessionItems[VinItem] is string vin && e.SessionItems[SessionItem] is string session
            && e.TopicFilter.Topic == VehicleTopic.Of(vin, VehicleTopicKind.Commands)
            ? ingress.CommandChannelOpenedAsync(vin, session, outbox.Value.Reference).AsTask()
            : Task.CompletedTask;

    /// <summary>Publishes a cloud-to-car message to whoever subscribed to its topic (the car), at QoS 1.</summary>
    public Task DeliverAsync(string topic, byte[] payload)
    {
        var message = ICarPublisher.Message(topic, payload);
        return Server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message)
        {
            SenderClientId = OutboxSender,
            CustomSessionItems = new Dictionary<object, object> { [OutboxMarker] = true },
        });
    }

    Task ICarPublisher.PublishAsync(string topic, byte[] payload) => DeliverAsync(topic, payload);

    private async Task OnInterceptingPublishAsync(InterceptingPublishEventArgs e)
    {
        // The broker runs its interceptor for injected messages too; ours are the only ones routed to cars.
        if (e.SessionItems[OutboxMarker] is true)
        {
            return;
        }

        // Nothing in the embedded broker subscribes to car-to-cloud topics: the grain is the consumer.
        e.ProcessPublish = false;
        var clientVin = e.SessionItems[VinItem] as string;
        var result = await ingress.HandlePublishAsync(clientVin, e.ApplicationMessage.Topic, e.ApplicationMessage.Payload);
        e.Response.ReasonCode = result.Status switch
        {
            IngressStatus.Applied or IngressStatus.Duplicate or IngressStatus.Ignored => MqttPubAckReasonCode.Success,
            IngressStatus.NotAuthorized => MqttPubAckReasonCode.NotAuthorized,
            IngressStatus.Rejected => result.Reason is RejectReason.UnknownTopic or RejectReason.InvalidVin
                ? MqttPubAckReasonCode.TopicNameInvalid
                : MqttPubAckReasonCode.PayloadFormatInvalid,
            _ => MqttPubAckReasonCode.ImplementationSpecificError,
        };
        if (result.Status != IngressStatus.Applied && result.Detail is not null && e.Response.ReasonCode != MqttPubAckReasonCode.Success)
        {
            e.Response.ReasonString = result.Detail.Length <= 200 ? result.Detail : result.Detail[..200];
        }
    }

    private Task OnInterceptingSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        if (_options.AllowAnonymous)
        {
            return Task.CompletedTask;
        }

        var clientVin = e.SessionItems[VinItem] as string;
        if (clientVin is not null && TopicAcl.MaySubscribe(clientVin, e.TopicFilter.Topic))
        {
            return Task.CompletedTask;
        }

        e.ProcessSubscription = false;
        e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        ingress.RefuseSubscription(clientVin ?? e.ClientId, e.TopicFilter.Topic);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT CONNECT from {ClientId} refused: {Result}")]
    private static partial void LogConnectRefused(ILogger logger, string clientId, string result);
}
