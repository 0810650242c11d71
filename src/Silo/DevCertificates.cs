using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DigitalTwin.Silo;

/// <summary>
/// A development PKI in a directory of PEM files: a CA (<c>ca.crt</c>, <c>ca.key</c>, kept and reused when present), a
/// server certificate for the broker (<c>server.crt</c>, <c>server.key</c>) and car certificates
/// (<c>car-VIN.crt</c>, <c>car-VIN.key</c>, CN and SAN URI <c>urn:vin:VIN</c>). ECDSA P-256, SHA-256; keys are
/// unencrypted PKCS#8, readable by .NET, OpenSSL and so Mosquitto's clients. For development and tests, not for a fleet.
/// </summary>
internal sealed class DevCertificates
{
    private const string CaName = "DigitalTwin Development CA";
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly X509Certificate2 _ca;

    private DevCertificates(string directory, X509Certificate2 ca)
    {
        Directory = directory;
        _ca = ca;
    }

    public string Directory { get; }

    public string CaPath => Path.Combine(Directory, "ca.crt");

    /// <summary>Opens the CA in <paramref name="directory"/>, or makes one there (valid ten years).</summary>
    public static DevCertificates Open(string directory, out bool created)
    {
        System.IO.Directory.CreateDirectory(directory);
        var certificatePath = Path.Combine(directory, "ca.crt");
        var keyPath = Path.Combine(directory, "ca.key");
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            created = false;
            return new DevCertificates(directory, X509Certificate2.CreateFromPemFile(certificatePath, keyPath));
        }

        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={CaName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
        Write(certificatePath, keyPath, ca, key);
        created = true;
        return new DevCertificates(directory, ca);
    }

    /// <summary>The broker's certificate for <c>localhost</c>, 127.0.0.1, ::1 and <paramref name="hosts"/> (names or addresses).</summary>
    public (string CertificatePath, string KeyPath) Server(IEnumerable<string> hosts, int days)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        foreach (var host in hosts)
        {
            if (IPAddress.TryParse(host, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(host);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth], false));
        return Issue("server", request, key, days);
    }

    /// <summary>A car's certificate: CN = the VIN and SAN URI <c>urn:vin:VIN</c>, for client authentication.</summary>
    public (string CertificatePath, string KeyPath) Car(string vin, int days)
    {
        var (request, key) = CarRequest(vin);
        return Issue("car-" + vin, request, key, days);
    }

    /// <summary>A car's certificate with its key, in memory only (the bench's storm of certificate cars).</summary>
    public X509Certificate2 CarInMemory(string vin, int days)
    {
        var (request, key) = CarRequest(vin);
        using var certificate = Sign(request, days);
        return certificate.CopyWithPrivateKey(key);
    }

    private static (CertificateRequest, ECDsa) CarRequest(string vin)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={vin}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri("urn:vin:" + vin));
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClientAuth], false));
        return (request, key);
    }

    private X509Certificate2 Sign(CertificateRequest request, int days)
    {
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        var notAfter = DateTimeOffset.UtcNow.AddDays(days);
        return request.Create(_ca, DateTimeOffset.UtcNow.AddMinutes(-5), notAfter < _ca.NotAfter ? notAfter : _ca.NotAfter, serial);
    }

    private (string, string) Issue(string name, CertificateRequest request, ECDsa key, int days)
    {
        using var certificate = Sign(request, days);
        var certificatePath = Path.Combine(Directory, name + ".crt");
        var keyPath = Path.Combine(Directory, name + ".key");
        Write(certificatePath, keyPath, certificate, key);
        return (certificatePath, keyPath);
    }

    private static void Write(string certificatePath, string keyPath, X509Certificate2 certificate, ECDsa key)
    {
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
