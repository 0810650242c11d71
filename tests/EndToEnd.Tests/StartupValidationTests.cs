using System.Diagnostics;
using DigitalTwin.Security;
using DigitalTwin.Silo;
using Microsoft.Extensions.DependencyInjection;
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
    [InlineData("--Mqtt:Mode=7", "Mqtt:Mode must be Embedded or External")]
    [InlineData("--Mqtt:Mode=External", "Mqtt:External:Host must name the broker")]
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
    [InlineData("--Hazards:MinConfirmations=0", "Hazards:MinConfirmations must be between")]
    [InlineData("--Traffic:Window=00:00:01", "Traffic:Window must be between")]
    [InlineData("--FleetQuery:Partitions=0", "FleetQuery:Partitions must be between")]
    public async Task A_bad_value_names_its_key(string setting, string message)
    {
        var ex = await StartFailsAsync("--environment=Development", "--Auth:SigningKey=a-test-secret-that-is-long-enough-0123456", setting);

        Assert.Contains(message, ex.Message);
    }

    [Theory]
    [InlineData("--Mqtt:External:Port=0", "Mqtt:External:Port must be between 1 and 65535")]
    [InlineData("--Mqtt:External:Group=a/b", "Mqtt:External:Group must be a non-empty name without")]
    [InlineData("--Mqtt:External:Group=", "Mqtt:External:Group must be a non-empty name")]
    [InlineData("--Mqtt:External:InstanceName=two words here", "Mqtt:External:ClientIdPrefix and Mqtt:External:InstanceName make the client id")]
    [InlineData("--Mqtt:External:Password=secret", "Mqtt:External:Password is set without Mqtt:External:Username")]
    [InlineData("--Mqtt:External:SessionExpiry=00:00:00", "Mqtt:External:SessionExpiry must be at least 00:00:01")]
    [InlineData("--Mqtt:External:ReceiveMaximum=0", "Mqtt:External:ReceiveMaximum must be between 1 and 65535")]
    [InlineData("--Mqtt:External:ReceiveMaximum=70000", "Mqtt:External:ReceiveMaximum must be between 1 and 65535")]
    [InlineData("--Mqtt:External:Concurrency=0", "Mqtt:External:Concurrency must be between 1 and 4096")]
    [InlineData("--Mqtt:External:RetryFor=-00:00:01", "Mqtt:External:RetryFor must be between")]
    [InlineData("--Mqtt:External:KeepAlive=00:00:00", "Mqtt:External:KeepAlive must be between")]
    [InlineData("--Mqtt:External:ReconnectDelay=00:01:00", "Mqtt:External:ReconnectDelay must be at least 10 ms and at most Mqtt:External:MaxReconnectDelay")]
    [InlineData("--Mqtt:External:Tls:CaPath=/nonexistent/ca.crt", "Mqtt:External:Tls:Enabled must be true")]
    [InlineData("--Mqtt:External:Tls:Enabled=true|--Mqtt:External:Tls:CaPath=/nonexistent/ca.crt", "Mqtt:External:Tls:CaPath: no file at")]
    [InlineData("--Mqtt:External:Tls:Enabled=true|--Mqtt:External:Tls:CertificatePath=/nonexistent/silo.crt", "Mqtt:External:Tls:CertificatePath and Mqtt:External:Tls:KeyPath go together")]
    /// <param name="settings">One or more settings, separated by <c>|</c>.</param>
    public async Task A_bad_external_broker_value_names_its_key(string settings, string message)
    {
        var ex = await StartFailsAsync(
            ["--environment=Development", "--Auth:SigningKey=a-test-secret-that-is-long-enough-0123456", "--Mqtt:Mode=External", "--Mqtt:External:Host=127.0.0.1", .. settings.Split('|')]);

        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public async Task External_mode_ignores_the_embedded_listener_settings()
    {
        // Mqtt:Port=0 without TLS stops an embedded silo ("would not listen at all"); a silo behind a broker listens for no car.
        await using var app = SiloHost.Build(
        [
            "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=None", "--environment=Development",
            "--Auth:SigningKey=a-test-secret-that-is-long-enough-0123456",
            "--Mqtt:Mode=External", "--Mqtt:External:Host=127.0.0.1", "--Mqtt:Port=0",
        ]);
        var options = app.Services.GetRequiredService<IOptions<DigitalTwin.Gateway.Mqtt.MqttOptions>>().Value;

        Assert.Equal(DigitalTwin.Gateway.Mqtt.MqttMode.External, options.Mode);
        Assert.Null(app.Services.GetService<DigitalTwin.Gateway.Mqtt.EmbeddedMqttBroker>());
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
    [InlineData("--Mqtt:Mode=Cloud", "'Cloud' at 'Mqtt:Mode'")]
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
