namespace DigitalTwin.Security;

public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Issuer and audience of the HS256 tokens of the embedded default.</summary>
    public const string DefaultIssuer = "digitaltwin";

    /// <summary>
    /// The key shipped in appsettings.Development.json so the README works out of the box.
    /// Known to everyone, so the silo refuses it outside Development.
    /// </summary>
    public const string DevelopmentSigningKey = "digitaltwin-development-signing-key-not-for-production-use";

    public const int MinSigningKeyBytes = 32;

    /// <summary>HS256 key for tokens of the embedded default (at least 32 bytes).</summary>
    public string? SigningKey { get; set; }

    /// <summary>OpenID Connect authority for production; when set, user tokens are validated against it.</summary>
    public string? Authority { get; set; }

    public string Audience { get; set; } = DefaultIssuer;

    public string Issuer { get; set; } = DefaultIssuer;
}
