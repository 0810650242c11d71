namespace DigitalTwin.Security;

public enum VehicleTokenResult
{
    Valid = 0,
    Missing,
    Malformed,
    Expired,
    BadSignature,
    WrongIssuerOrAudience,
    WrongRole,
    VinMismatch,
}
