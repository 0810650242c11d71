using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Security;
using DigitalTwin.Silo;
using DigitalTwin.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>
/// The real host, in-process, on free ports: Orleans, the embedded MQTT broker over TCP and Kestrel over HTTP.
/// Shared by every end-to-end test class; tests use distinct VINs so they cannot disturb each other.
/// </summary>
public sealed class SiloFixture : IAsyncLifetime, IAsyncDisposable
{
    public const string SigningKey = "end-to-end-test-signing-key-long-enough-for-hs256";

    private readonly string[] _settings;
    private readonly Action<WebApplicationBuilder>? _configure;
    private WebApplication? _app;

    public SiloFixture()
        : this([], null)
    {
    }

    private SiloFixture(string[] settings, Action<WebApplicationBuilder>? configure)
    {
        _settings = settings;
        _configure = configure;
    }

    public int MqttPort { get; private set; }
    public Uri BaseAddress { get; private set; } = null!;
    public TokenIssuer Tokens { get; } = new(SigningKey);
    public IServiceProvider Services => _app!.Services;
    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    public async Task InitializeAsync()
    {
        MqttPort = TestPorts.Free();
        var httpPort = TestPorts.Free();
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
        _app = SiloHost.Build(
        [
            "--environment=Testing",
            $"--urls={BaseAddress}",
            $"--Mqtt:Port={MqttPort}",
            "--Mqtt:Host=127.0.0.1",
            $"--Orleans:SiloPort={TestPorts.Free()}",
            $"--Orleans:GatewayPort={TestPorts.Free()}",
            $"--Auth:SigningKey={SigningKey}",
            "--Persistence:FlushInterval=00:00:00.050",
            "--Logging:LogLevel:Default=Warning",
            .. _settings,
        ], _configure);
        await _app.StartAsync();
        // Unless a test turned the plain listener off (--Mqtt:Port=0).
        var plainPort = _app.Services.GetRequiredService<EmbeddedMqttBroker>().Port;
        Assert.True(plainPort == MqttPort || plainPort == 0, $"the broker listens on {plainPort}, not {MqttPort}");
    }

    /// <summary>A host of its own with extra settings (<c>--Kafka:BootstrapServers=...</c>), for tests that need one.</summary>
    public static Task<SiloFixture> StartAsync(params string[] settings) => StartAsync(null, settings);

    /// <summary>A host of its own with extra settings and services (a fake clock under a key), for tests that need one.</summary>
    public static async Task<SiloFixture> StartAsync(Action<WebApplicationBuilder>? configure, params string[] settings)
    {
        var fixture = new SiloFixture(settings, configure);
        await fixture.InitializeAsync();
        return fixture;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    public HttpClient Http(string? subject = null, string role = Roles.User)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (subject is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Mint(subject, role, TimeSpan.FromHours(1)));
        }

        return client;
    }

    public HttpClient Operator() => Http("ops-1", Roles.Operator);

    public CarClient Car(string vin) => new(vin, MqttPort, Tokens.Mint(vin, Roles.Vehicle, TimeSpan.FromHours(1)));

}
