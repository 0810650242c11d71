using System.Diagnostics;
using DigitalTwin.Security;
using DigitalTwin.Silo;
using Microsoft.Extensions.Options;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>Settings that would leave the fleet open stop the silo before it listens.</summary>
public sealed class StartupValidationTests
{
    private static async Task<OptionsValidationException> StartFailsAsync(params string[] args)
    {
        await using var app = SiloHost.Build(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=None", .. args]);
        return await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
    }

    [Fact]
    public async Task Production_refuses_the_development_signing_key()
    {
        var ex = await StartFailsAsync("--environment=Production", $"--Auth:SigningKey={AuthOptions.DevelopmentSigningKey}");

        Assert.Contains("Auth:SigningKey", ex.Message);
        Assert.Contains("development key", ex.Message);
    }

    [Fact]
    public async Task Production_refuses_anonymous_MQTT()
    {
        var ex = await StartFailsAsync("--environment=Production", "--Auth:SigningKey=a-production-secret-that-is-long-enough-0123", "--Mqtt:AllowAnonymous=true");

        Assert.Contains("Mqtt:AllowAnonymous", ex.Message);
    }

    [Fact]
    public async Task Production_without_any_key_or_authority_is_refused()
    {
        var ex = await StartFailsAsync("--environment=Production");

        Assert.Contains("Auth:SigningKey or Auth:Authority", ex.Message);
    }

    [Theory]
    [InlineData("--Auth:SigningKey=short", "Auth:SigningKey must be at least 32 bytes")]
    [InlineData("--Mqtt:Port=70000", "Mqtt:Port must be between")]
    [InlineData("--Mqtt:Host=not-an-ip", "Mqtt:Host must be an IP address")]
    [InlineData("--Mqtt:MaxPayloadBytes=10", "Mqtt:MaxPayloadBytes must be between")]
    [InlineData("--Persistence:FlushInterval=00:00:00", "Persistence:FlushInterval must be between")]
    [InlineData("--Orleans:Clustering=Zookeeper", "Orleans:Clustering must be")]
    [InlineData("--Mqtt:Mode=1", "Mqtt:Mode must be Embedded")]
    [InlineData("--Mqtt:MaxConnections=0", "Mqtt:MaxConnections must be between")]
    [InlineData("--Mqtt:ConnectTimeout=00:00:00", "Mqtt:ConnectTimeout must be between")]
    [InlineData("--Mqtt:ConnectRate:PerAddress=-1", "Mqtt:ConnectRate:PerAddress must be 0")]
    [InlineData("--Mqtt:ConnectRate:Burst=0", "Mqtt:ConnectRate:Burst must be at least 1")]
    [InlineData("--Mqtt:Flapping:MaxCount=1", "Mqtt:Flapping:MaxCount must be at least 2")]
    [InlineData("--Mqtt:Flapping:BanTime=00:00:00", "Mqtt:Flapping:BanTime must be above zero")]
    [InlineData("--Mqtt:ListenBacklog=0", "Mqtt:ListenBacklog must be between")]
    [InlineData("--Mqtt:PlainPort=0", "the broker would not listen at all")]
    [InlineData("--Mqtt:Tls:CertificatePath=/nonexistent/server.crt", "Mqtt:Tls:KeyPath must be set")]
    [InlineData("--Mqtt:Tls:ClientCertificateMode=Require", "Mqtt:Tls:CertificatePath must be set")]
    public async Task A_bad_value_names_its_key(string setting, string message)
    {
        var ex = await StartFailsAsync("--environment=Development", "--Auth:SigningKey=a-test-secret-that-is-long-enough-0123456", setting);

        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public async Task A_bad_kafka_security_combination_names_its_keys()
    {
        var ex = await StartFailsAsync(
            "--environment=Development",
            "--Auth:SigningKey=a-test-secret-that-is-long-enough-0123456",
            "--Kafka:BootstrapServers=127.0.0.1:9092",
            "--Kafka:SecurityProtocol=SaslSsl");

        Assert.Contains("Kafka:SaslMechanism must be set", ex.Message);
    }

    [Fact]
    public async Task The_silo_process_prints_one_line_for_a_bad_setting_and_exits_non_zero()
    {
        var line = await StartProcessFailsAsync("--environment=Production");

        Assert.StartsWith("Configuration error: Auth:SigningKey or Auth:Authority must be set", line);
    }

    [Theory]
    [InlineData("--Mqtt:Mode=External", "'External' at 'Mqtt:Mode'")]
    [InlineData("--Mqtt:Port=abc", "'abc' at 'Mqtt:Port'")]
    [InlineData("--Mqtt:Tls:ClientCertificateMode=Sometimes", "'Sometimes' at 'Mqtt:Tls:ClientCertificateMode'")]
    public async Task A_value_of_the_wrong_type_gets_one_line_that_names_its_key(string setting, string named)
    {
        var line = await StartProcessFailsAsync("--environment=Development", setting);

        Assert.StartsWith("Configuration error: ", line);
        Assert.Contains(named, line);
    }

    /// <returns>The one line the silo printed on standard error before it exited with 1.</returns>
    private static async Task<string> StartProcessFailsAsync(params string[] args)
    {
        var silo = typeof(SiloHost).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet", [silo, "--urls=http://127.0.0.1:0", .. args])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };

        using var process = Process.Start(psi)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(1, process.ExitCode);
        return Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
