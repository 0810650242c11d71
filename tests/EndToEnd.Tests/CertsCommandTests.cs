using System.Security.Cryptography.X509Certificates;
using DigitalTwin.Gateway.Mqtt.Tls;
using DigitalTwin.Silo;

namespace DigitalTwin.EndToEnd.Tests;

public sealed class CertsCommandTests : IDisposable
{
    private const string Vin = "WDD2030461A123456";
    private readonly string _directory = Directory.CreateTempSubdirectory("digitaltwin-certs-").FullName;

    [Fact]
    public void It_makes_a_CA_a_server_certificate_and_car_certificates_that_chain_to_it_and_reuses_the_CA()
    {
        var output = new StringWriter();

        Assert.Equal(0, CertsCommand.Run(["--out", _directory, "--vin", Vin], output, new StringWriter()));
        var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_directory, "ca.crt"));
        var car = X509Certificate2.CreateFromPemFile(Path.Combine(_directory, $"car-{Vin}.crt"), Path.Combine(_directory, $"car-{Vin}.key"));
        var server = X509Certificate2.CreateFromPemFile(Path.Combine(_directory, "server.crt"), Path.Combine(_directory, "server.key"));

        Assert.True(car.HasPrivateKey);
        Assert.True(server.HasPrivateKey);
        Assert.Equal(Vin, CertificateVin.Of(car));
        Assert.True(TlsTests.ChainsTo(car, ca));
        Assert.True(TlsTests.ChainsTo(server, ca));
        Assert.Contains("--Mqtt:Tls:CertificatePath=", output.ToString());

        Assert.Equal(0, CertsCommand.Run(["--out", _directory, "--vin", "WDD2030461A654321"], new StringWriter(), new StringWriter()));
        Assert.Equal(ca.Thumbprint, X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_directory, "ca.crt")).Thumbprint);
        Assert.True(TlsTests.ChainsTo(X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_directory, "car-WDD2030461A654321.crt")), ca));
    }

    [Fact]
    public void A_VIN_that_is_not_one_is_refused()
    {
        var error = new StringWriter();

        Assert.Equal(2, CertsCommand.Run(["--out", _directory, "--vin", "WDD2030461AI2345"], new StringWriter(), error));
        Assert.Contains("--vin", error.ToString());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
