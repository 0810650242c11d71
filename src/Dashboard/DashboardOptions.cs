namespace DigitalTwin.Dashboard;

/// <summary>The <c>Dashboard</c> section: where map tiles come from and how people sign in to the page.</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>
    /// An operator's raster tile server, e.g. <c>https://tiles.example.net/{z}/{x}/{y}.png</c>. Empty: the map draws the
    /// cars on a plain background (tests, air-gapped sites); nothing is ever fetched from a public tile server by default.
    /// </summary>
    public string? TileUrl { get; set; }

    /// <summary>The attribution the tile server's licence asks for, shown in the map's corner.</summary>
    public string? TileAttribution { get; set; }

    /// <summary>
    /// A sign-in form that mints a token for any subject and role with <c>Auth:SigningKey</c>. Anyone could become an
    /// operator with it, so it is refused outside Development, like the development signing key.
    /// </summary>
    public bool DevelopmentSignIn { get; set; }

    /// <summary>The page's client id at the OpenID Connect authority (<c>Auth:Authority</c>): a public client, code + PKCE.</summary>
    public string ClientId { get; set; } = "digitaltwin-dashboard";

    /// <summary>Scopes the page asks the authority for; the access token must carry <c>Auth:Audience</c>.</summary>
    public string Scope { get; set; } = "openid profile";

    /// <summary>Mounts the Orleans Dashboard at <c>/orleans-dashboard/</c> for operators. It profiles every grain call, so it is opt-in.</summary>
    public bool OrleansDashboard { get; set; }

    public const string OrleansDashboardPath = "/orleans-dashboard";
}
