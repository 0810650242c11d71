using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Gateway.Mqtt.Tls;

/// <summary>
/// What the TLS listener needs per handshake: the server certificate (reloaded when its files change), and for car
/// certificates the trusted CA bundle and the CRL (reloaded the same way). Car certificates are checked against the CA
/// bundle alone (<see cref="X509ChainTrustMode.CustomRootTrust"/>: the system's roots do not sign cars), at the guard's
/// clock, and against the CRL; a refusal ends the handshake and its reason is counted.
/// </summary>
public sealed partial class TlsMaterial
{
    private static readonly SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    private readonly MqttTlsOptions _options;
    private readonly TimeProvider _clock;
    private readonly ReloadingFiles<SslStreamCertificateContext> _server;
    private readonly ReloadingFiles<X509Certificate2Collection>? _clientCas;
    private readonly ReloadingFiles<CertificateRevocationList>? _crl;

    public TlsMaterial(MqttTlsOptions options, TimeProvider clock, ILogger logger)
    {
        _options = options;
        _clock = clock;
        _server = new ReloadingFiles<SslStreamCertificateContext>([options.CertificatePath!, options.KeyPath!], p => LoadServer(p[0], p[1]), clock,
            ex => LogReloadFailed(logger, "Mqtt:Tls:CertificatePath", ex));
        if (options.ClientCertificateMode != ClientCertificateMode.None)
        {
            _clientCas = new ReloadingFiles<X509Certificate2Collection>([options.ClientCaPath!], p => LoadCas(p[0]), clock,
                ex => LogReloadFailed(logger, "Mqtt:Tls:ClientCaPath", ex));
        }

        if (!string.IsNullOrWhiteSpace(options.CrlPath))
        {
            _crl = new ReloadingFiles<CertificateRevocationList>([options.CrlPath], p => CertificateRevocationList.Load(p[0]), clock,
                ex => LogReloadFailed(logger, "Mqtt:Tls:CrlPath", ex));
        }
    }

    public ClientCertificateMode Mode => _options.ClientCertificateMode;

    /// <summary>The server certificate in force (reloaded when its files changed).</summary>
    public X509Certificate2 ServerCertificate => _server.Current.TargetCertificate;

    /// <summary>Loads every file the options name; returns what is wrong, naming the key, or null.</summary>
    public static string? Check(MqttTlsOptions options)
    {
        try
        {
            LoadServer(options.CertificatePath!, options.KeyPath!);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or ArgumentException or InvalidOperationException)
        {
            return $"Mqtt:Tls:CertificatePath / Mqtt:Tls:KeyPath: no certificate with its private key could be read from '{options.CertificatePath}' and '{options.KeyPath}' ({ex.Message})";
        }

        if (options.ClientCertificateMode != ClientCertificateMode.None)
        {
            try
            {
                LoadCas(options.ClientCaPath!);
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or InvalidOperationException)
            {
                return $"Mqtt:Tls:ClientCaPath: no CA certificate could be read from '{options.ClientCaPath}' ({ex.Message})";
            }
        }

        if (!string.IsNullOrWhiteSpace(options.CrlPath))
        {
            try
            {
                CertificateRevocationList.Load(options.CrlPath);
            }
            catch (Exception ex) when (ex is System.Formats.Asn1.AsnContentException or FormatException or IOException or CryptographicException)
            {
                return $"Mqtt:Tls:CrlPath: '{options.CrlPath}' is not a certificate revocation list (PEM or DER) ({ex.Message})";
            }
        }

        return null;
    }

    /// <summary>Options for one handshake; a refused car certificate leaves its reason in <paramref name="handshake"/>.</summary>
    public SslServerAuthenticationOptions ServerOptions(TlsHandshake handshake) => new()
    {
        ServerCertificateContext = _server.Current,
        EnabledSslProtocols = Protocols,
        ClientCertificateRequired = Mode != ClientCertificateMode.None,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
        {
            handshake.Refusal = Validate(certificate, chain);
            return handshake.Refusal is null;
        },
    };

    /// <summary>Null when the car's certificate (or its absence) is acceptable, else the reason it is not.</summary>
    public string? Validate(X509Certificate? presented, X509Chain? sentChain)
    {
        if (presented is null)
        {
            return Mode == ClientCertificateMode.Require ? "certificate_missing" : null;
        }

        if (Mode == ClientCertificateMode.None || _clientCas is null)
        {
            // Not asked for; a client that sends one anyway is not judged by it.
            return null;
        }

        var certificate = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        var now = _clock.GetUtcNow().UtcDateTime;
        if (now > certificate.NotAfter.ToUniversalTime())
        {
            return "certificate_expired";
        }

        if (now < certificate.NotBefore.ToUniversalTime())
        {
            return "certificate_not_yet_valid";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_clientCas.Current);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now;
        if (sentChain is not null)
        {
            // Intermediates the car sent with its certificate.
            chain.ChainPolicy.ExtraStore.AddRange(sentChain.ChainPolicy.ExtraStore);
        }

        if (!chain.Build(certificate))
        {
            var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
            return (flags & X509ChainStatusFlags.NotTimeValid) != 0 ? "certificate_expired" : "certificate_untrusted";
        }

        if (_crl?.Current is { } crl && chain.ChainElements.Any(e => crl.IsRevoked(e.Certificate)))
        {
            return "certificate_revoked";
        }

        return null;
    }

    private static SslStreamCertificateContext LoadServer(string certificatePath, string keyPath)
    {
        using var leaf = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        if (!leaf.HasPrivateKey)
        {
            throw new InvalidOperationException("the key does not belong to the certificate");
        }

        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(certificatePath);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in all.Skip(1))
        {
            intermediates.Add(certificate);
        }

        // A PEM key is ephemeral; SslStream on Linux takes it as it is. A copy detached from the using above.
        var served = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        return SslStreamCertificateContext.Create(served, intermediates, offline: true);
    }

    private static X509Certificate2Collection LoadCas(string path)
    {
        var cas = new X509Certificate2Collection();
        cas.ImportFromPemFile(path);
        return cas.Count > 0 ? cas : throw new InvalidOperationException("the file holds no PEM certificate");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Key}: the changed file could not be loaded; the previous one stays in force until it can")]
    private static partial void LogReloadFailed(ILogger logger, string key, Exception exception);
}

/// <summary>What one TLS handshake decided about the car's certificate.</summary>
public sealed class TlsHandshake
{
    /// <summary>Why the car's certificate was refused (a metric result), or null.</summary>
    public string? Refusal { get; set; }
}
