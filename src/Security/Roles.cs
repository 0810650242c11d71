namespace DigitalTwin.Security;

public static class Roles
{
    public const string ClaimType = "role";
    public const string Vehicle = "vehicle";
    public const string Operator = "operator";
    public const string User = "user";
}
