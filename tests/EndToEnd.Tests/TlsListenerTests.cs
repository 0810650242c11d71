using System.Security.Cryptography.X509Certificates;
using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Security;
using DigitalTwin.Testing;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>The TLS listener's own settings, each with a silo of its own: the plain port off, certificates required, renewal.</summary>
public sealed class TlsListenerTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly TestPki _pki = new();

    [Fact]
    public async Task With_the_plain_port_off_and_certificates_required_only_TLS_with_a_car_certificate_gets_in()
    {
        var (_, certificatePath, keyPath) = _pki.Server();
        await using var silo = await SiloFixture.StartAsync(
            "--Mqtt:Port=0",
            $"--Mqtt:Tls:Port={TestPorts.Free()}",
            $"--Mqtt:Tls:CertificatePath={certificatePath}",
            $"--Mqtt:Tls:KeyPath={keyPath}",
            "--Mqtt:Tls:ClientCertificateMode=Require",
            $"--Mqtt:Tls:ClientCaPath={_pki.CaPath}");
        var broker = silo.Services.GetRequiredService<EmbeddedMqttBroker>();
        var vin = Vins.Next();

        Assert.Equal(0, broker.Port);
        Assert.DoesNotContain(":" + silo.MqttPort, broker.Listeners, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(async () =>
        {
            using var plain = new System.Net.Sockets.TcpClient();
            await plain.ConnectAsync("127.0.0.1", silo.MqttPort);
        });
        Assert.Equal("Success", await TlsTests.OutcomeAsync(Options(broker.TlsPort, vin, _pki.Car(vin), null)));
        Assert.StartsWith("failed", await TlsTests.OutcomeAsync(Options(broker.TlsPort, vin, null, silo.Tokens.Mint(vin, Roles.Vehicle, TimeSpan.FromHours(1)))));
    }

    [Fact]
    public async Task A_server_certificate_renewed_on_disk_is_served_without_a_restart()
    {
        var (first, certificatePath, keyPath) = _pki.Server();
        await using var silo = await SiloFixture.StartAsync(
            $"--Mqtt:Tls:Port={TestPorts.Free()}",
            $"--Mqtt:Tls:CertificatePath={certificatePath}",
            $"--Mqtt:Tls:KeyPath={keyPath}");
        var port = silo.Services.GetRequiredService<EmbeddedMqttBroker>().TlsPort;
        Assert.Equal(first.Thumbprint, await PresentedAsync(silo, port));

        // cert-manager writes the renewed pair over the old files.
        var (renewed, _, _) = _pki.Server();
        File.SetLastWriteTimeUtc(certificatePath, DateTime.UtcNow.AddSeconds(2));
        File.SetLastWriteTimeUtc(keyPath, DateTime.UtcNow.AddSeconds(2));

        await Poll.UntilAsync(() => PresentedAsync(silo, port), thumbprint => thumbprint == renewed.Thumbprint, Deadline);
    }

    public void Dispose() => _pki.Dispose();

    /// <summary>
    /// Connects a car with its token and returns the thumbprint of the certificate the broker presented. A new car each
    /// time: one car connecting again and again while the test polls would be banned for flapping.
    /// </summary>
    private async Task<string?> PresentedAsync(SiloFixture silo, int port)
    {
        var vin = Vins.Next();
        var token = silo.Tokens.Mint(vin, Roles.Vehicle, TimeSpan.FromHours(1));
        string? presented = null;
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(vin)
            .WithCredentials(vin, token)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTlsOptions(o => o.UseTls().WithTargetHost("localhost").WithCertificateValidationHandler(e =>
            {
                presented = X509CertificateLoader.LoadCertificate(e.Certificate.GetRawCertData()).Thumbprint;
                return TlsTests.ChainsTo(e.Certificate, _pki.Ca);
            }));
        Assert.Equal("Success", await TlsTests.OutcomeAsync(options));
        return presented;
    }

    private MqttClientOptionsBuilder Options(int port, string vin, X509Certificate2? certificate, string? token)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(vin)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithTlsOptions(o =>
            {
                o.UseTls().WithTargetHost("localhost").WithCertificateValidationHandler(e => TlsTests.ChainsTo(e.Certificate, _pki.Ca));
                if (certificate is not null)
                {
                    o.WithClientCertificates([certificate]);
                }
            });
        if (token is not null)
        {
            builder.WithCredentials(vin, token);
        }

        return builder;
    }
}
