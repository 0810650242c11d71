using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace DigitalTwin.Gateway.Mqtt.Tls;

/// <summary>
/// The serial numbers a CRL file revokes, with the issuer it names (<c>Mqtt:Tls:CrlPath</c>, PEM or DER). X509Chain on
/// Linux only consults CRLs it downloads from a certificate's distribution point into its own cache; a fleet's CA often
/// publishes none, and operators hand over a file. The file is trusted as configured, like the CA bundle beside it; a
/// certificate is revoked when its issuer is the CRL's and its serial number is listed.
/// </summary>
public sealed class CertificateRevocationList
{
    private readonly HashSet<BigInteger> _serials;

    private CertificateRevocationList(X500DistinguishedName issuer, HashSet<BigInteger> serials)
    {
        Issuer = issuer;
        _serials = serials;
    }

    public X500DistinguishedName Issuer { get; }

    public int Count => _serials.Count;

    public bool IsRevoked(X509Certificate2 certificate) =>
        certificate.IssuerName.RawData.AsSpan().SequenceEqual(Issuer.RawData)
        && _serials.Contains(new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true));

    public static CertificateRevocationList Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var text = Encoding.ASCII.GetString(bytes);
        if (text.Contains("-----BEGIN X509 CRL-----", StringComparison.Ordinal))
        {
            var begin = text.IndexOf("-----BEGIN X509 CRL-----", StringComparison.Ordinal) + "-----BEGIN X509 CRL-----".Length;
            var end = text.IndexOf("-----END X509 CRL-----", begin, StringComparison.Ordinal);
            bytes = Convert.FromBase64String(text[begin..end]);
        }

        return Parse(bytes);
    }

    /// <summary>Reads CertificateList (RFC 5280, 5.1): tbsCertList's issuer and each revokedCertificates entry's serial.</summary>
    public static CertificateRevocationList Parse(ReadOnlyMemory<byte> der)
    {
        var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var tbs = list.ReadSequence();
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            tbs.ReadInteger(); // version
        }

        tbs.ReadSequence(); // signature algorithm
        var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
        ReadTime(tbs); // thisUpdate
        if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
        {
            ReadTime(tbs); // nextUpdate
        }

        var serials = new HashSet<BigInteger>();
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var revoked = tbs.ReadSequence();
            while (revoked.HasData)
            {
                var entry = revoked.ReadSequence();
                serials.Add(entry.ReadInteger());
            }
        }

        return new CertificateRevocationList(issuer, serials);
    }

    private static void ReadTime(AsnReader reader)
    {
        if (reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime))
        {
            reader.ReadUtcTime();
        }
        else
        {
            reader.ReadGeneralizedTime();
        }
    }
}
