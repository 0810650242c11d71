using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DigitalTwin.Gateway.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Adapter;
using MQTTnet.Protocol;

namespace DigitalTwin.Gateway.Mqtt.Connections;

/// <summary>
/// Everything that keeps connections from taking the silo down, in one place between the listener and the broker:
/// the socket budget from the open-files limit (the accept loop waits for a slot before it accepts), the session quota
/// (<c>Mqtt:MaxConnections</c>, CONNACK "quota exceeded"), the CONNECT timeout, the per-address connect rate and
/// flapping bans. Each refusal is counted in <c>digitaltwin.mqtt.connections</c> by result and logged at most once
/// every few seconds.
/// </summary>
public sealed partial class ConnectionGuard : IDisposable
{
    /// <summary>The keyed <see cref="TimeProvider"/> the guard runs on; tests put a fake one there.</summary>
    public const string ClockKey = "mqtt-connections";

    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    private readonly MqttOptions _options;
    private readonly TimeProvider _clock;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<ConnectionGuard> _logger;
    private readonly ConcurrentDictionary<IMqttChannelAdapter, ConnectionTicket> _tickets = new(ReferenceEqualityComparer.Instance);
    private readonly LogThrottle _acceptLog;
    private readonly LogThrottle _quotaLog;
    private readonly LogThrottle _rateLog;
    private readonly LogThrottle _banLog;
    private readonly LogThrottle _timeoutLog;
    private readonly LogThrottle _tlsLog;
    private readonly Lock _startGate = new();
    private SemaphoreSlim? _socketSlots;
    private ITimer? _sweeper;
    private int _sessions;
    private int _sockets;
    private volatile bool _draining;

    public ConnectionGuard(IOptions<MqttOptions> options, [FromKeyedServices(ClockKey)] TimeProvider clock, GatewayMetrics metrics, ILogger<ConnectionGuard> logger)
    {
        _options = options.Value;
        _clock = clock;
        _metrics = metrics;
        _logger = logger;
        RateLimiter = new ConnectRateLimiter(_options.ConnectRate.PerAddress, _options.ConnectRate.Burst, clock);
        Flapping = new FlappingDetector(_options.Flapping, clock);
        _acceptLog = new LogThrottle(LogInterval, clock);
        _quotaLog = new LogThrottle(LogInterval, clock);
        _rateLog = new LogThrottle(LogInterval, clock);
        _banLog = new LogThrottle(LogInterval, clock);
        _timeoutLog = new LogThrottle(LogInterval, clock);
        _tlsLog = new LogThrottle(LogInterval, clock);
        metrics.ObserveConnections(() => Volatile.Read(ref _sessions), () => Volatile.Read(ref _sockets), () => Capacity?.MaxConnections ?? 0);
    }

    /// <summary>Known once <see cref="Start"/> ran.</summary>
    public ConnectionCapacity? Capacity { get; private set; }

    public ConnectRateLimiter RateLimiter { get; }

    public FlappingDetector Flapping { get; }

    /// <summary>Connections past CONNECT that hold a session slot.</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    /// <summary>MQTT sockets open, CONNECT or not.</summary>
    public int Sockets => Volatile.Read(ref _sockets);

    /// <summary>True once <see cref="StopAdmitting"/> ran: the silo is draining and takes no new car.</summary>
    public bool Draining => _draining;

    /// <summary>
    /// The silo is draining (SIGTERM): from now on every CONNECT is answered "use another server" (MQTT 5 reason 0x9C)
    /// before authentication, so a car that still reaches this silo through a stale load-balancer entry goes elsewhere.
    /// </summary>
    public void StopAdmitting() => _draining = true;

    /// <summary>
    /// Raises the open-files limit and sizes the budget from what is in use now; the broker calls it as it starts, when
    /// Orleans and the storage are up. Throws, naming the keys, when no car would fit.
    /// </summary>
    public ConnectionCapacity Start()
    {
        lock (_startGate)
        {
            if (Capacity is { } known)
            {
                return known;
            }

            var limits = FileDescriptorLimit.RaiseSoftToHard();
            var capacity = ConnectionCapacity.Compute(_options.MaxConnections, _options.ReservedDescriptors, limits, FileDescriptorLimit.CountOpen());
            _socketSlots = new SemaphoreSlim(capacity.MaxSockets, capacity.MaxSockets);
            _sweeper = _clock.CreateTimer(static state => ((ConnectionGuard)state!).Sweep(), this, SweepInterval, SweepInterval);
            Capacity = capacity;
            if (capacity.Limits is { } l)
            {
                LogCapacity(_logger, capacity.MaxConnections, capacity.MaxSockets, l.SoftBefore, l.Soft, l.Hard, capacity.InUse ?? 0, capacity.Reserved,
                    capacity.Derived ? "derived from the open-files limit" : "Mqtt:MaxConnections");
            }
            else
            {
                LogCapacityUnknown(_logger, capacity.MaxConnections);
            }

            if (capacity.Capped)
            {
                LogCapped(_logger, _options.MaxConnections ?? 0, capacity.MaxConnections);
            }

            return capacity;
        }
    }

    /// <summary>Waits until the budget has room for one more socket; false when <paramref name="stopping"/> fires.</summary>
    public async ValueTask<bool> WaitForSocketSlotAsync(CancellationToken stopping)
    {
        var slots = _socketSlots ?? throw new InvalidOperationException("The connection guard has not started.");
        try
        {
            await slots.WaitAsync(stopping).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Gives back the slot of an accept that produced no socket.</summary>
    public void ReleaseSocketSlot() => _socketSlots?.Release();

    /// <summary>Counts and logs a failed accept and says how long the loop waits before the next.</summary>
    public TimeSpan AcceptFailed(Exception error, int consecutive)
    {
        var code = error is SocketException socketError ? socketError.SocketErrorCode : SocketError.SocketError;
        var name = error is SocketException ? AcceptBackoff.Name(code) : error.GetType().Name;
        _metrics.AcceptFailure(name);
        var delay = AcceptBackoff.Delay(code, consecutive);
        if (delay > TimeSpan.Zero && _acceptLog.ShouldLog(out var heldBack))
        {
            LogAcceptFailed(_logger, name, consecutive, delay.TotalMilliseconds, heldBack, Sockets, error);
        }

        return delay;
    }

    /// <summary>
    /// Takes in an accepted socket (its slot already taken): refused at once when its address is over the connect rate
    /// (null; the socket is closed and the slot given back), else tracked and timed until its CONNECT.
    /// </summary>
    public ConnectionTicket? Accepted(Socket socket)
    {
        var address = (socket.RemoteEndPoint as IPEndPoint)?.Address;
        // An IPv4 car reaching the dual-mode listener appears as ::ffff:a.b.c.d; it is the same address.
        if (address is { IsIPv4MappedToIPv6: true })
        {
            address = address.MapToIPv4();
        }

        if (address is not null && !(_options.ConnectRate.ExemptLoopback && IPAddress.IsLoopback(address)) && !RateLimiter.TryAcquire(address))
        {
            _metrics.Connection("rate_limited");
            if (_rateLog.ShouldLog(out var heldBack))
            {
                LogRateLimited(_logger, address.ToString(), _options.ConnectRate.PerAddress, heldBack);
            }

            socket.Dispose();
            ReleaseSocketSlot();
            return null;
        }

        Interlocked.Increment(ref _sockets);
        var ticket = new ConnectionTicket(socket, address);
        ticket.ConnectTimer = _clock.CreateTimer(OnConnectTimeout, (this, ticket), _options.ConnectTimeout, Timeout.InfiniteTimeSpan);
        return ticket;
    }

    /// <summary>Ties the broker's view of the connection (its channel adapter) to the socket's ticket.</summary>
    public void Bind(ConnectionTicket ticket, IMqttChannelAdapter adapter) => _tickets[adapter] = ticket;

    /// <summary>
    /// The socket is closed and the broker is done with it: its session slot and socket slot are free again, and the end
    /// of an authenticated session is counted for flapping. Safe to call more than once.
    /// </summary>
    public void Closed(ConnectionTicket ticket, IMqttChannelAdapter? adapter)
    {
        if (!ticket.MarkClosed())
        {
            return;
        }

        if (adapter is not null)
        {
            _tickets.TryRemove(adapter, out _);
        }

        ticket.ConnectTimer?.Dispose();
        if (ticket.HoldsSession)
        {
            ticket.HoldsSession = false;
            Interlocked.Decrement(ref _sessions);
            if (ticket.SessionClientId is { } clientId && Flapping.SessionEnded(clientId))
            {
                _metrics.Ban();
                if (_banLog.ShouldLog(out var heldBack))
                {
                    LogBanned(_logger, clientId, _options.Flapping.MaxCount, _options.Flapping.Window, _options.Flapping.BanTime, heldBack);
                }
            }
        }

        Interlocked.Decrement(ref _sockets);
        ReleaseSocketSlot();
    }

    /// <summary>
    /// A CONNECT arrived: it stops the timeout, and is refused while its client id is banned or every session slot is
    /// taken; otherwise it takes a slot (given back by <see cref="Authenticated"/> if authentication fails). Null = go on.
    /// Before authentication on purpose: a full broker refuses a storm without validating a token per car.
    /// </summary>
    public (MqttConnectReasonCode Code, string Result)? Connecting(IMqttChannelAdapter adapter, string? clientId)
    {
        if (!_tickets.TryGetValue(adapter, out var ticket))
        {
            // Not from our listener (none exists today): nothing to account for.
            return null;
        }

        if (ticket.MarkConnectReceived())
        {
            ticket.ConnectTimer?.Dispose();
        }

        if (_draining)
        {
            _metrics.Connection("draining");
            return (MqttConnectReasonCode.UseAnotherServer, "draining");
        }

        if (!string.IsNullOrEmpty(clientId) && Flapping.IsBanned(clientId, out _))
        {
            return Refuse(MqttConnectReasonCode.Banned, "banned", clientId, _banLog);
        }

        var max = Capacity?.MaxConnections ?? int.MaxValue;
        while (true)
        {
            var current = Volatile.Read(ref _sessions);
            if (current >= max)
            {
                return Refuse(MqttConnectReasonCode.QuotaExceeded, "quota_exceeded", clientId, _quotaLog);
            }

            if (Interlocked.CompareExchange(ref _sessions, current + 1, current) == current)
            {
                ticket.HoldsSession = true;
                return null;
            }
        }
    }

    /// <summary>
    /// A TLS handshake failed: counted under the reason the car's certificate was refused for (expired, untrusted,
    /// revoked...), or <c>tls_handshake_failed</c>; not again when the connect timeout already closed the socket.
    /// </summary>
    public void HandshakeFailed(ConnectionTicket ticket, string? refusal, Exception error)
    {
        if (ticket.TimedOut)
        {
            return;
        }

        var result = refusal ?? "tls_handshake_failed";
        _metrics.Connection(result);
        if (_tlsLog.ShouldLog(out var heldBack))
        {
            LogHandshakeFailed(_logger, ticket.Address?.ToString() ?? "?", result, error.Message, heldBack);
        }
    }

    /// <summary>Records the outcome of authentication for a connection <see cref="Connecting"/> let through.</summary>
    public void Authenticated(IMqttChannelAdapter adapter, string? clientId, bool accepted)
    {
        if (!_tickets.TryGetValue(adapter, out var ticket) || !ticket.HoldsSession)
        {
            return;
        }

        if (accepted)
        {
            ticket.SessionClientId = clientId;
            return;
        }

        ticket.HoldsSession = false;
        Interlocked.Decrement(ref _sessions);
    }

    public void Dispose()
    {
        _sweeper?.Dispose();
        _socketSlots?.Dispose();
    }

    private (MqttConnectReasonCode, string) Refuse(MqttConnectReasonCode code, string result, string? clientId, LogThrottle throttle)
    {
        _metrics.Connection(result);
        if (throttle.ShouldLog(out var heldBack))
        {
            LogRefused(_logger, clientId ?? "", result, Sessions, Capacity?.MaxConnections ?? 0, heldBack);
        }

        return (code, result);
    }

    private static void OnConnectTimeout(object? state)
    {
        var (guard, ticket) = ((ConnectionGuard, ConnectionTicket))state!;
        guard.ConnectTimedOut(ticket);
    }

    private void ConnectTimedOut(ConnectionTicket ticket)
    {
        if (ticket.ConnectReceived)
        {
            return;
        }

        // Bytes from the car are waiting unread: the car has spoken and the broker is the one behind (a reconnect storm
        // on a busy silo). Closing now would waste the handshake and make the car start again; wait another period.
        if (UnreadBytes(ticket) > 0)
        {
            ticket.ConnectTimer?.Change(_options.ConnectTimeout, Timeout.InfiniteTimeSpan);
            return;
        }

        ticket.TimedOut = true;
        _metrics.Connection("connect_timeout");
        if (_timeoutLog.ShouldLog(out var heldBack))
        {
            LogConnectTimeout(_logger, ticket.Address?.ToString() ?? "?", _options.ConnectTimeout, heldBack);
        }

        ticket.Abort();
    }

    private static int UnreadBytes(ConnectionTicket ticket)
    {
        try
        {
            return ticket.Socket.Available;
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            return 0;
        }
    }

    private void Sweep()
    {
        RateLimiter.Sweep();
        Flapping.Sweep();
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "MQTT capacity: {MaxConnections} cars ({Source}), {MaxSockets} sockets; open-files limit {SoftBefore} raised to {Soft} (hard {Hard}), {InUse} descriptors in use at start, {Reserved} reserved for the rest of the process")]
    private static partial void LogCapacity(ILogger logger, int maxConnections, int maxSockets, long softBefore, long soft, long hard, int inUse, int reserved, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT capacity: {MaxConnections} cars (the open-files limit of this platform is not known)")]
    private static partial void LogCapacityUnknown(ILogger logger, int maxConnections);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mqtt:MaxConnections={Configured} is more than the open-files limit allows; the broker takes {MaxConnections} cars")]
    private static partial void LogCapped(ILogger logger, int configured, int maxConnections);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "MQTT accept failed ({Error}, {Consecutive} in a row); waiting {DelayMs} ms before the next ({HeldBack} more since the last line, {Sockets} MQTT sockets open)")]
    private static partial void LogAcceptFailed(ILogger logger, string error, int consecutive, double delayMs, long heldBack, int sockets, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection from {Address} closed: over Mqtt:ConnectRate:PerAddress={PerSecond}/s ({HeldBack} more since the last line)")]
    private static partial void LogRateLimited(ILogger logger, string address, int perSecond, long heldBack);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT CONNECT from {ClientId} refused: {Result} ({Sessions} of {MaxConnections} sessions; {HeldBack} more since the last line)")]
    private static partial void LogRefused(ILogger logger, string clientId, string result, int sessions, int maxConnections, long heldBack);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT client {ClientId} banned: {MaxCount} connections ended within {Window}; refused for {BanTime} ({HeldBack} more since the last line)")]
    private static partial void LogBanned(ILogger logger, string clientId, int maxCount, TimeSpan window, TimeSpan banTime, long heldBack);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT over TLS from {Address} refused at the handshake: {Result} ({Error}; {HeldBack} more since the last line)")]
    private static partial void LogHandshakeFailed(ILogger logger, string address, string result, string error, long heldBack);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT connection from {Address} closed: no CONNECT within Mqtt:ConnectTimeout={Timeout} ({HeldBack} more since the last line)")]
    private static partial void LogConnectTimeout(ILogger logger, string address, TimeSpan timeout, long heldBack);
}
