using System.Formats.Asn1;
using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>
/// Certificates made by the tests themselves (CertificateRequest, ECDSA P-256) and written as PEM files into a temporary
/// directory, as an operator's would be: a CA, server certificates for 127.0.0.1 and car certificates naming a VIN.
/// </summary>
public sealed class TestPki : IDisposable
{
    private long _serial = 1000;

    public TestPki(string name = "Test Fleet CA")
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("digitaltwin-pki-").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-365), DateTimeOffset.UtcNow.AddYears(1));
        CaPath = Path.Combine(Directory, "ca.crt");
        File.WriteAllText(CaPath, Ca.ExportCertificatePem());
    }

    public string Directory { get; }

    public X509Certificate2 Ca { get; }

    public string CaPath { get; }

    /// <summary>A server certificate for 127.0.0.1 and localhost, written as <c>name.crt</c> / <c>name.key</c>.</summary>
    public (X509Certificate2 Certificate, string CertificatePath, string KeyPath) Server(string name = "server")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var certificate = Sign(request, key, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var (certificatePath, keyPath) = Write(name, certificate, key);
        return (certificate, certificatePath, keyPath);
    }

    /// <summary>A car certificate: CN = <paramref name="commonName"/>, and a SAN URI <c>urn:vin:</c> unless told otherwise.</summary>
    public X509Certificate2 Car(string commonName, string? sanVin = "", DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        // Not disposed: the certificate returned holds it for the client's handshakes.
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        if (sanVin is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddUri(new Uri("urn:vin:" + (sanVin.Length == 0 ? commonName : sanVin)));
            request.CertificateExtensions.Add(san.Build());
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        return Sign(request, key, notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(30));
    }

    /// <summary>A CRL of this CA listing <paramref name="revoked"/>, written as PEM; returns its path.</summary>
    public string Crl(params X509Certificate2[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate, DateTimeOffset.UtcNow.AddMinutes(-5));
        }

        var crl = builder.Build(Ca, BigInteger.One, DateTimeOffset.UtcNow.AddDays(7), HashAlgorithmName.SHA256);
        var path = Path.Combine(Directory, "ca.crl");
        File.WriteAllText(path, PemEncoding.WriteString("X509 CRL", crl));
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private X509Certificate2 Sign(CertificateRequest request, ECDsa key, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        var serial = new BigInteger(Interlocked.Increment(ref _serial)).ToByteArray(isUnsigned: true, isBigEndian: true);
        using var signed = request.Create(Ca, notBefore, notAfter, serial);
        return signed.CopyWithPrivateKey(key);
    }

    private (string CertificatePath, string KeyPath) Write(string name, X509Certificate2 certificate, ECDsa key)
    {
        var certificatePath = Path.Combine(Directory, name + ".crt");
        var keyPath = Path.Combine(Directory, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
