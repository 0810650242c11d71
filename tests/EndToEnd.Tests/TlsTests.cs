using System.Diagnostics.Metrics;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Security;
using DigitalTwin.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MQTTnet;
using MQTTnet.Formatter;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>
/// MQTT over TLS with certificates the tests make: the server certificate from PEM files (and renewed in place), car
/// certificates against the fleet CA bundle and CRL, the VIN they name against the client id, tokens over TLS.
/// </summary>
public sealed class TlsTests(TlsTests.TlsSilo tls) : IClassFixture<TlsTests.TlsSilo>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly TestPki _pki = tls.Pki;
    private readonly TestPki _otherCa = tls.OtherCa;
    private readonly X509Certificate2 _revoked = tls.Revoked;
    private readonly SiloFixture _silo = tls.Silo;
    private readonly Counts _counts = new(tls.Connections);

    /// <summary>One silo with a TLS listener (client certificates allowed, a CRL revoking one car) for the whole class.</summary>
    public sealed class TlsSilo : IAsyncLifetime
    {
        public TestPki Pki { get; } = new();

        public TestPki OtherCa { get; } = new("Somebody Else's CA");

        public X509Certificate2 Revoked { get; private set; } = null!;

        public SiloFixture Silo { get; private set; } = null!;

        public MetricCollector<long> Connections { get; private set; } = null!;

        public async Task InitializeAsync()
    {
            var (_, certificatePath, keyPath) = Pki.Server();
            Revoked = Pki.Car(Vins.Next());
            Silo = await SiloFixture.StartAsync(
                $"--Mqtt:Tls:Port={TestPorts.Free()}",
                $"--Mqtt:Tls:CertificatePath={certificatePath}",
                $"--Mqtt:Tls:KeyPath={keyPath}",
                "--Mqtt:Tls:ClientCertificateMode=Allow",
                $"--Mqtt:Tls:ClientCaPath={Pki.CaPath}",
                $"--Mqtt:Tls:CrlPath={Pki.Crl(Revoked)}");
            Connections = new MetricCollector<long>(Silo.Services.GetRequiredService<IMeterFactory>(), GatewayMetrics.MeterName, "digitaltwin.mqtt.connections");
        }

        public async Task DisposeAsync()
        {
            Connections.Dispose();
            await Silo.DisposeAsync();
            Pki.Dispose();
            OtherCa.Dispose();
        }
    }

    /// <summary>Connection results counted since the test began (the class shares one silo).</summary>
    private sealed class Counts(MetricCollector<long> collector)
    {
        private readonly Dictionary<string, int> _before = Snapshot(collector);

        public int Since(string result) => Snapshot(collector).GetValueOrDefault(result) - _before.GetValueOrDefault(result);

        private static Dictionary<string, int> Snapshot(MetricCollector<long> collector) =>
            collector.GetMeasurementSnapshot().GroupBy(m => (string?)m.Tags["result"] ?? "").ToDictionary(g => g.Key, g => g.Sum(m => (int)m.Value));
    }

    [Fact]
    public async Task A_car_with_its_token_connects_over_TLS_and_its_telemetry_is_applied()
    {
        var vin = Vins.Next();
        using var client = new MqttClientFactory().CreateMqttClient();

        var result = await client.ConnectAsync(Options(vin, vin, Token(vin), certificate: null).Build());
        var ack = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"vehicles/{vin}/telemetry")
            .WithPayload("""{"ts":1764028800000,"seq":1,"signals":{"Vehicle.Speed":61}}""").WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.True(ack.IsSuccess);
        Assert.Equal(61, (await _silo.Grains.GetVehicle<IVehicleTwin>(vin).GetTwin()).Signals["Vehicle.Speed"].Value.Number);
        await client.DisconnectAsync();
    }

    [Theory]
    [InlineData("SAN urn:vin")]
    [InlineData("CN only")]
    public async Task A_car_certificate_authenticates_the_VIN_it_names_without_a_token(string where)
    {
        var vin = Vins.Next();
        var certificate = where == "CN only" ? _pki.Car(vin, sanVin: null) : _pki.Car("Car 7", sanVin: vin);
        using var client = new MqttClientFactory().CreateMqttClient();

        var result = await client.ConnectAsync(Options(vin, userName: null, password: null, certificate).Build());
        var ack = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"vehicles/{vin}/telemetry")
            .WithPayload("""{"ts":1764028800000,"seq":1,"signals":{"Vehicle.Speed":9}}""").WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.True(ack.IsSuccess);
        Assert.Equal(1, Count("accepted_certificate"));
        await client.DisconnectAsync();
    }

    [Fact]
    public async Task A_certificate_for_another_VIN_than_the_client_id_is_not_authorized()
    {
        var vin = Vins.Next();
        var certificate = _pki.Car(Vins.Next());

        Assert.Equal("NotAuthorized", await OutcomeAsync(Options(vin, null, null, certificate)));
        Assert.Equal(1, Count("certificate_vin_mismatch"));
    }

    [Fact]
    public async Task A_certificate_for_the_client_id_with_another_user_name_is_refused()
    {
        var vin = Vins.Next();

        Assert.Equal("BadUserNameOrPassword", await OutcomeAsync(Options(vin, Vins.Next(), null, _pki.Car(vin))));
        Assert.Equal(1, Count("user_name_not_client_id"));
    }

    [Fact]
    public async Task A_client_id_that_is_not_a_VIN_is_refused_even_with_a_valid_certificate()
    {
        var vin = Vins.Next();

        Assert.Equal("NotAuthorized", await OutcomeAsync(Options("not-a-vin", null, null, _pki.Car(vin))));
    }

    public static TheoryData<string> Refusals => new() { "certificate_untrusted", "certificate_expired", "certificate_not_yet_valid", "certificate_revoked" };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_bad_car_certificate_is_refused_at_the_handshake_and_counted(string reason)
    {
        var vin = Vins.Next();
        var certificate = reason switch
        {
            "certificate_untrusted" => _otherCa.Car(vin),
            "certificate_expired" => _pki.Car(vin, notBefore: DateTimeOffset.UtcNow.AddDays(-30), notAfter: DateTimeOffset.UtcNow.AddDays(-1)),
            "certificate_not_yet_valid" => _pki.Car(vin, notBefore: DateTimeOffset.UtcNow.AddDays(1), notAfter: DateTimeOffset.UtcNow.AddDays(30)),
            _ => _revoked,
        };
        var clientId = reason == "certificate_revoked" ? CertificateVinOf(_revoked) : vin;

        // Even with a good token: a car that presents a certificate is judged by it.
        Assert.NotEqual("Success", await OutcomeAsync(Options(clientId, clientId, Token(clientId), certificate)));
        await Poll.UntilAsync(() => Task.FromResult(Count(reason)), n => n == 1, Deadline);
    }

    [Fact]
    public async Task The_TLS_listener_refuses_TLS_1_1()
    {
        var vin = Vins.Next();
        var options = Options(vin, vin, Token(vin), null);
#pragma warning disable SYSLIB0039 // the point is that the broker refuses it
        options.WithTlsOptions(o => o.UseTls().WithSslProtocols(System.Security.Authentication.SslProtocols.Tls11).WithCertificateValidationHandler(_ => true));
#pragma warning restore SYSLIB0039

        Assert.NotEqual("Success", await OutcomeAsync(options));
    }

    private MqttClientOptionsBuilder Options(string clientId, string? userName, string? password, X509Certificate2? certificate)
    {
        var broker = _silo.Services.GetRequiredService<EmbeddedMqttBroker>();
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", broker.TlsPort)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithTlsOptions(o =>
            {
                o.UseTls().WithTargetHost("localhost").WithCertificateValidationHandler(e => ChainsTo(e.Certificate, _pki.Ca));
                if (certificate is not null)
                {
                    o.WithClientCertificates([certificate]);
                }
            });
        if (userName is not null || password is not null)
        {
            builder.WithCredentials(userName, password);
        }

        return builder;
    }

    /// <summary>The CONNACK code's name, or "failed: ..." when the connection ended before a CONNACK (TLS refused).</summary>
    internal static async Task<string> OutcomeAsync(MqttClientOptionsBuilder options)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var result = await client.ConnectAsync(options.Build());
            if (result.ResultCode == MqttClientConnectResultCode.Success)
            {
                await client.DisconnectAsync();
            }

            return result.ResultCode.ToString();
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException ex) when (Enum.GetNames<MqttClientConnectResultCode>().OrderByDescending(n => n.Length)
            .FirstOrDefault(n => ex.Message.Contains(n, StringComparison.Ordinal)) is { } code)
        {
            return code;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or IOException or SocketException)
        {
            return "failed: " + ex.GetType().Name;
        }
    }

    internal static bool ChainsTo(X509Certificate? presented, X509Certificate2 ca)
    {
        if (presented is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(presented.GetRawCertData()));
    }

    private static string CertificateVinOf(X509Certificate2 certificate) => certificate.GetNameInfo(X509NameType.SimpleName, false);

    private string Token(string vin) => _silo.Tokens.Mint(vin, Roles.Vehicle, TimeSpan.FromHours(1));

    private int Count(string result) => _counts.Since(result);

}
