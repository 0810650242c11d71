using DigitalTwin.Contract;
using DigitalTwin.Security;
using MQTTnet.Protocol;

namespace DigitalTwin.Gateway.Mqtt;

/// <summary>
/// Decides a CONNECT: client id = user name = a VIN, password = a vehicle token for that VIN.
/// Returns the MQTT reason code and a label for the connection counter.
/// </summary>
public sealed class VehicleConnectionAuthenticator(VehicleTokenValidator? validator, bool allowAnonymous)
{
    public async Task<(MqttConnectReasonCode Code, string Result)> AuthenticateAsync(string? clientId, string? userName, string? password)
    {
        if (allowAnonymous)
        {
            return (MqttConnectReasonCode.Success, "accepted_anonymous");
        }

        if (!Vin.IsValid(clientId))
        {
            return (MqttConnectReasonCode.NotAuthorized, "client_id_not_a_vin");
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
}
