namespace DigitalTwin.EndToEnd.Tests;

/// <summary>The callers of the authorization matrix.</summary>
public enum Identity
{
    Owner,
    OtherOwner,
    Operator,
    Anonymous,
    Expired,
    Forged,
    WrongAudience,
    Vehicle,
}
