namespace DigitalTwin.Api.Auth;

public static class Policies
{
    /// <summary>A person with a token: owners and operators. Vehicle tokens are for MQTT only.</summary>
    public const string Person = "person";

    public const string Operator = "operator";
}
