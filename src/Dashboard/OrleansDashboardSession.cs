using Microsoft.AspNetCore.Http;

namespace DigitalTwin.Dashboard;

/// <summary>
/// Hands an operator's bearer token to the Orleans Dashboard, a page that cannot send one: as an HttpOnly, SameSite=Strict
/// cookie scoped to its path, so no other route ever receives it and no other site can make the browser send it.
/// </summary>
internal static class OrleansDashboardSession
{
    public const string CookieName = "dt_orleans_dashboard";

    public static IResult Open(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        if (!header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
        {
            return Results.Unauthorized();
        }

        http.Response.Cookies.Append(CookieName, header[bearer.Length..].Trim(), new CookieOptions
        {
            Path = DashboardOptions.OrleansDashboardPath,
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            // The token's own expiry still applies; the cookie need not outlive a working day.
            MaxAge = TimeSpan.FromHours(8),
        });
        return Results.NoContent();
    }
}
