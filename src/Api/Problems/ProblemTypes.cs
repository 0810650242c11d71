namespace DigitalTwin.Api.Problems;

/// <summary>Stable <c>type</c> URIs of the API's problem details (RFC 9457), one per kind of error.</summary>
public static class ProblemTypes
{
    private const string Base = "https://digitaltwin.dev/problems/";

    public const string Validation = Base + "validation";
    public const string NotFound = Base + "not-found";
    public const string Unauthorized = Base + "unauthorized";
    public const string Forbidden = Base + "forbidden";
}
