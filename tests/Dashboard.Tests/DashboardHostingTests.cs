using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using DigitalTwin.EndToEnd.Tests;
using DigitalTwin.Security;
using DigitalTwin.Silo;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Dashboard.Tests;

/// <summary>What the silo serves around the page, over plain HTTP: the sign-in rules and the operators-only mount.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardHostingTests(BrowserFixture browser)
{
    [Fact]
    public async Task Production_refuses_the_development_sign_in_at_start_up()
    {
        // Refused when the host starts, before it listens, like the development signing key.
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = SiloHost.Build(
            [
                "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=None", "--environment=Production",
                "--Auth:SigningKey=a-production-secret-that-is-long-enough-0123", "--Dashboard:DevelopmentSignIn=true",
            ]);
            await app.StartAsync();
        });

        Assert.Contains("Dashboard:DevelopmentSignIn", ex.Message);
        Assert.Contains("outside Development", ex.Message);
    }

    [Fact]
    public async Task A_silo_without_the_development_sign_in_mints_no_token_but_still_serves_the_page()
    {
        await using var silo = await SiloFixture.StartAsync();
        using var http = silo.Http();

        using var mint = await http.PostAsJsonAsync("/dashboard/dev-token", new { sub = "mallory", role = Roles.Operator });
        var page = await http.GetStringAsync("/dashboard/");
        var config = await http.GetFromJsonAsync<DashboardConfig>("/dashboard/config.json");

        Assert.Equal(HttpStatusCode.NotFound, mint.StatusCode);
        Assert.Contains("app.js", page);
        Assert.False(config!.DevelopmentSignIn);
        Assert.Null(config.TileUrl);
    }

    [Fact]
    public async Task The_page_is_served_with_a_policy_that_loads_nothing_from_elsewhere()
    {
        using var http = browser.Silo.Http();

        using var response = await http.GetAsync("/dashboard/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy);
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
    }

    [Fact]
    public async Task Only_operators_reach_the_Orleans_Dashboard()
    {
        var silo = browser.Silo;
        using var anonymous = silo.Http();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/orleans-dashboard/")).StatusCode);

        using var user = silo.Http("dash-user");
        Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsync("/dashboard/orleans-session", null)).StatusCode);

        // A person's token smuggled in as the cookie is still a person's token.
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/orleans-dashboard/");
        forged.Headers.Add("Cookie", "dt_orleans_dashboard=" + silo.Tokens.Mint("dash-user", Roles.User, TimeSpan.FromHours(1)));
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.SendAsync(forged)).StatusCode);

        using var handler = new HttpClientHandler { UseCookies = true };
        using var operatorBrowser = new HttpClient(handler) { BaseAddress = silo.BaseAddress };
        using var session = new HttpRequestMessage(HttpMethod.Post, "/dashboard/orleans-session");
        session.Headers.Authorization = new AuthenticationHeaderValue("Bearer", silo.Tokens.Mint("dash-ops", Roles.Operator, TimeSpan.FromHours(1)));
        Assert.Equal(HttpStatusCode.NoContent, (await operatorBrowser.SendAsync(session)).StatusCode);
        var cookie = Assert.Single(handler.CookieContainer.GetAllCookies());
        Assert.True(cookie.HttpOnly);
        Assert.Equal("/orleans-dashboard", cookie.Path);

        using var dashboard = await operatorBrowser.GetAsync("/orleans-dashboard/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Orleans Dashboard", await dashboard.Content.ReadAsStringAsync());
        // The cookie opens that mount and nothing else.
        Assert.Equal(HttpStatusCode.Unauthorized, (await operatorBrowser.GetAsync("/api/v1/vehicles")).StatusCode);
    }
}
