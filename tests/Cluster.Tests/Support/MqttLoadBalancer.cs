using System.Net;
using System.Net.Sockets;
using DigitalTwin.Testing;

namespace DigitalTwin.Cluster.Tests.Support;

/// <summary>
/// What a Kubernetes Service of type LoadBalancer does for the MQTT port, on loopback: each new TCP connection goes to
/// the next ready silo in turn, and a silo is ready while its <c>/readyz</c> answers 200, polled every
/// <see cref="ReadinessPeriod"/> (a readiness probe and the endpoints controller in one). A connection that is open stays
/// with its silo until either side closes it.
/// </summary>
public sealed class MqttLoadBalancer : IAsyncDisposable
{
    public static readonly TimeSpan ReadinessPeriod = TimeSpan.FromMilliseconds(200);

    private readonly ClusterFixture _cluster;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<SiloProcess> _candidates;
    private readonly Lock _gate = new();
    private SiloProcess[] _endpoints = [];
    private int _next;
    private Task _accepting = Task.CompletedTask;
    private Task _probing = Task.CompletedTask;

    private MqttLoadBalancer(ClusterFixture cluster, IEnumerable<SiloProcess> silos)
    {
        _cluster = cluster;
        _candidates = [.. silos];
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The silos new connections go to now.</summary>
    public IReadOnlyList<SiloProcess> Endpoints => Volatile.Read(ref _endpoints);

    public static MqttLoadBalancer Start(ClusterFixture cluster, IEnumerable<SiloProcess> silos)
    {
        var balancer = new MqttLoadBalancer(cluster, silos);
        balancer._listener.Start(1024);
        balancer._accepting = Task.Run(balancer.AcceptLoopAsync);
        balancer._probing = Task.Run(balancer.ProbeLoopAsync);
        return balancer;
    }

    public void Add(SiloProcess silo)
    {
        lock (_gate)
        {
            _candidates.Add(silo);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await Task.WhenAll(_accepting, _probing);
        _stop.Dispose();
    }

    private async Task ProbeLoopAsync()
    {
        using var timer = new PeriodicTimer(ReadinessPeriod);
        do
        {
            List<SiloProcess> candidates;
            lock (_gate)
            {
                candidates = [.. _candidates];
            }

            var readiness = await Task.WhenAll(candidates.Select(async s => (Silo: s, Ready: !s.HasExited && (await _cluster.ReadinessAsync(s)).Status == HttpStatusCode.OK)));
            Volatile.Write(ref _endpoints, [.. readiness.Where(r => r.Ready).Select(r => r.Silo)]);
        }
        while (await WaitAsync(timer));
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket car;
            try
            {
                car = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ForwardAsync(car));
        }
    }

    private async Task ForwardAsync(Socket car)
    {
        using var _ = car;
        var endpoints = Endpoints;
        if (endpoints.Count == 0)
        {
            return;
        }

        var silo = endpoints[(int)((uint)Interlocked.Increment(ref _next) % (uint)endpoints.Count)];
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, silo.MqttPort, _stop.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            // The silo went away between two probes: the car sees its connection close and tries again.
            return;
        }

        car.NoDelay = true;
        using var carStream = new NetworkStream(car, ownsSocket: false);
        using var siloStream = new NetworkStream(upstream, ownsSocket: false);
        var toSilo = Pump(carStream, siloStream);
        var toCar = Pump(siloStream, carStream);
        await Task.WhenAny(toSilo, toCar);
        // One side closed: close both, as a proxy does (the car reconnects, the silo cleans up its session).
        car.Close();
        upstream.Close();
        await Task.WhenAll(toSilo, toCar);
    }

    private async Task Pump(Stream from, Stream to)
    {
        try
        {
            await from.CopyToAsync(to, _stop.Token);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
        }
    }
}
