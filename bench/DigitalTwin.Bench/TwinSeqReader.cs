using System.Net;
using DigitalTwin.Grains.Abstractions.Vehicles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace DigitalTwin.Bench;

/// <summary>
/// Reads twins of silos in other processes through an Orleans client (the silos' gateway ports): the same per-car
/// last-seq check the in-process target makes with direct grain calls.
/// </summary>
public static class TwinSeqReader
{
    /// <summary>Each VIN's <c>LastTelemetrySeq</c> as its twin holds it now.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> ReadAsync(
        IEnumerable<int> gatewayPorts, string clusterId, string serviceId, IReadOnlyCollection<string> vins, CancellationToken cancel)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var gateways = gatewayPorts.Select(p => new IPEndPoint(IPAddress.Loopback, p)).ToArray();
        builder.UseOrleansClient(client => client
            .UseStaticClustering(gateways)
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            }));
        using var host = builder.Build();
        await host.StartAsync(cancel);
        try
        {
            var grains = host.Services.GetRequiredService<IClusterClient>();
            var seqs = new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);
            await Parallel.ForEachAsync(vins, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancel }, async (vin, _) =>
            {
                var twin = await grains.GetVehicle<IVehicleTwin>(vin).GetTwin();
                seqs[vin] = twin.LastTelemetrySeq;
            });
            return seqs;
        }
        finally
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(timeout.Token);
        }
    }
}
