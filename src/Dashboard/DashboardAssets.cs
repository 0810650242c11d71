using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Dashboard;

/// <summary>The bundled page, embedded in this assembly at build time, and the headers it is served with.</summary>
internal sealed class DashboardAssets
{
    public const string NotBuiltPage = """
        <!doctype html><html lang="en"><meta charset="utf-8"><title>DigitalTwin dashboard</title>
        <p>This silo was built without the dashboard's web assets (<code>-p:DashboardBundle=false</code>, or no Node.js at build time).
        Build it with Node.js 18+ and npm installed to get the dashboard.</p></html>
        """;

    // Built at the first request: options are validated when the host starts, and a bad setting must fail there.
    private readonly Lazy<string> _contentSecurityPolicy;

    public DashboardAssets(IOptions<DashboardOptions> options, IOptions<Security.AuthOptions> auth)
    {
        Files = new ManifestEmbeddedFileProvider(DashboardExtensions.Assembly, "wwwroot");
        IsBuilt = Files.GetFileInfo("index.html").Exists;
        _contentSecurityPolicy = new(() => ContentSecurityPolicy(options.Value, auth.Value));
    }

    public IFileProvider Files { get; }

    public bool IsBuilt { get; }

    /// <summary>
    /// The page loads nothing from elsewhere: its own bundle, tiles from the operator's server, and (OIDC) the
    /// authority's discovery and token endpoints. Leaflet positions tiles and markers with inline styles.
    /// </summary>
    private static string ContentSecurityPolicy(DashboardOptions options, Security.AuthOptions auth)
    {
        var images = Origin(options.TileUrl?.Replace("{s}", "*", StringComparison.Ordinal));
        var connect = Origin(auth.Authority);
        return string.Join("; ",
            "default-src 'self'",
            $"img-src 'self' data:{images}",
            $"connect-src 'self'{connect}",
            "style-src 'self' 'unsafe-inline'",
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'");
    }

    public void AddHeaders(HttpContext http, string fileName)
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        if (fileName.EndsWith(".html", StringComparison.Ordinal))
        {
            // The page must pick up a new bundle at once; the bundle is small and revalidated by its ETag.
            headers.CacheControl = "no-cache";
            headers.ContentSecurityPolicy = _contentSecurityPolicy.Value;
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
        }
        else
        {
            headers.CacheControl = "no-cache";
        }
    }

    private static string Origin(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return string.Empty;
        }

        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return string.Empty;
        }

        var hostEnd = url.IndexOf('/', schemeEnd + 3);
        return " " + (hostEnd < 0 ? url : url[..hostEnd]);
    }
}
