using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace DigitalTwin.Gateway.Mqtt.Tls;

/// <summary>
/// The VIN a car certificate speaks for: a SAN URI <c>urn:vin:&lt;VIN&gt;</c> if it has one (what AWS IoT and Azure IoT
/// Hub style provisioning tends to put there), else the subject's CN.
/// </summary>
public static class CertificateVin
{
    public const string UriPrefix = "urn:vin:";

    private const string SubjectAlternativeNameOid = "2.5.29.17";

    public static string? Of(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value == SubjectAlternativeNameOid && UriVin(extension.RawData) is { } vin)
            {
                return vin;
            }
        }

        var commonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return string.IsNullOrEmpty(commonName) ? null : commonName;
    }

    private static string? UriVin(byte[] san)
    {
        try
        {
            var names = new AsnReader(san, AsnEncodingRules.DER).ReadSequence();
            var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
            while (names.HasData)
            {
                if (names.PeekTag().HasSameClassAndValue(uriTag))
                {
                    var uri = names.ReadCharacterString(UniversalTagNumber.IA5String, uriTag);
                    if (uri.StartsWith(UriPrefix, StringComparison.OrdinalIgnoreCase))
                    {
                        return uri[UriPrefix.Length..];
                    }
                }
                else
                {
                    names.ReadEncodedValue();
                }
            }
        }
        catch (AsnContentException)
        {
            // A malformed extension names no VIN; the CN may still.
        }

        return null;
    }
}
