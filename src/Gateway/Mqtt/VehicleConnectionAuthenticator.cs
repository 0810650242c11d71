using System.Security.Cryptography.X509Certificates;
using DigitalTwin.Contract;
using DigitalTwin.Gateway.Mqtt.Tls;
using DigitalTwin.Security;
using MQTTnet.Protocol;

namespace DigitalTwin.Gateway.Mqtt;

/// <summary>
/// Decides a CONNECT: client id = user name = a VIN, password = a vehicle token for that VIN; or, over TLS, a car
/// certificate (already validated in the handshake) whose VIN is the client id, in place of the token.
/// Returns the MQTT reason code and a label for the connection counter.
/// </summary>
public sealed class VehicleConnectionAuthenticator(VehicleTokenValidator? validator, bool allowAnonymous)
{
    public async Task<(MqttConnectReasonCode Code, string Result)> AuthenticateAsync(string? clientId, string? userName, string? password, X509Certificate2? certificate = null)
    {
        if (allowAnonymous)
        {
            return (MqttConnectReasonCode.Success, "accepted_anonymous");
        }

        if (!Vin.IsValid(clientId))
        {
            return (MqttConnectReasonCode.NotAuthorized, "client_id_not_a_vin");
        }

        if (certificate is not null)
        {
            return Certificate(clientId!, userName, certificate);
        }

        if (!string.Equals(userName, clientId, StringComparison.Ordinal))
        {
            return (MqttConnectReasonCode.BadUserNameOrPassword, "user_name_not_client_id");
        }

        if (validator is null)
        {
            return (MqttConnectReasonCode.NotAuthorized, "no_signing_key");
        }

        var result = await validator.ValidateAsync(password, clientId!);
        return result switch
        {
            VehicleTokenResult.Valid => (MqttConnectReasonCode.Success, "accepted"),
            VehicleTokenResult.WrongRole => (MqttConnectReasonCode.NotAuthorized, "wrong_role"),
            VehicleTokenResult.VinMismatch => (MqttConnectReasonCode.NotAuthorized, "vin_mismatch"),
            VehicleTokenResult.Expired => (MqttConnectReasonCode.BadUserNameOrPassword, "token_expired"),
            VehicleTokenResult.BadSignature => (MqttConnectReasonCode.BadUserNameOrPassword, "bad_signature"),
            VehicleTokenResult.Missing => (MqttConnectReasonCode.BadUserNameOrPassword, "token_missing"),
            VehicleTokenResult.WrongIssuerOrAudience => (MqttConnectReasonCode.BadUserNameOrPassword, "wrong_issuer_or_audience"),
            _ => (MqttConnectReasonCode.BadUserNameOrPassword, "token_malformed"),
        };
    }

    /// <summary>A certificate that passed the handshake authenticates the VIN it names; the client id must be that VIN.</summary>
    private static (MqttConnectReasonCode, string) Certificate(string clientId, string? userName, X509Certificate2 certificate)
    {
        if (CertificateVin.Of(certificate) is not { } vin || !Vin.IsValid(vin))
        {
            return (MqttConnectReasonCode.NotAuthorized, "certificate_without_vin");
        }

        if (!string.Equals(vin, clientId, StringComparison.Ordinal))
        {
            return (MqttConnectReasonCode.NotAuthorized, "certificate_vin_mismatch");
        }

        // A user name is not needed with a certificate; one that is given must still be the VIN.
        if (!string.IsNullOrEmpty(userName) && !string.Equals(userName, clientId, StringComparison.Ordinal))
        {
            return (MqttConnectReasonCode.BadUserNameOrPassword, "user_name_not_client_id");
        }

        return (MqttConnectReasonCode.Success, "accepted_certificate");
    }
}
