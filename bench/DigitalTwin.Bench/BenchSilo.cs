using DigitalTwin.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Bench;

/// <summary>The real DigitalTwin host (<see cref="SiloHost.Build"/>), in this process, on free loopback ports.</summary>
public static class BenchSilo
{
    public static WebApplication Build(string signingKey, int mqttPort, params string[] extraArgs)
    {
        string[] args =
        [
            // Production: the configuration a deployment runs with, not the Development conveniences.
            "--environment=Production",
            $"--urls=http://127.0.0.1:{Ports.Free()}",
            $"--Mqtt:Port={mqttPort}",
            "--Mqtt:Host=127.0.0.1",
            $"--Orleans:SiloPort={Ports.Free()}",
            $"--Orleans:GatewayPort={Ports.Free()}",
            $"--Auth:SigningKey={signingKey}",
            "--Logging:LogLevel:Default=Warning",
            .. extraArgs,
        ];
        return SiloHost.Build(args, builder =>
        {
            // Warnings still show, but on stderr, so stdout stays the bench's progress and table.
            builder.Logging.ClearProviders();
            builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
    }
}
