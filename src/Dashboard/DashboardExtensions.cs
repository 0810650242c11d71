using System.Reflection;
using DigitalTwin.Api.Auth;
using DigitalTwin.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;

namespace DigitalTwin.Dashboard;

public static class DashboardExtensions
{
    public const string BasePath = "/dashboard";

    /// <summary>The Orleans Dashboard is a page of its own that sends no bearer token: operators reach it with this cookie.</summary>
    internal const string OrleansDashboardScheme = "OrleansDashboardCookie";

    internal const string OrleansDashboardPolicy = "orleans-dashboard";

    public static IHostApplicationBuilder AddFleetDashboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>();
        builder.Services.AddSingleton<DashboardAssets>();

        // The same token validation as the API (AuthenticationSetup post-configures every JwtBearer scheme), read from
        // a cookie that only /orleans-dashboard ever receives.
        builder.Services.AddAuthentication().AddJwtBearer(OrleansDashboardScheme, o => o.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                context.Token = context.Request.Cookies[OrleansDashboardSession.CookieName];
                return Task.CompletedTask;
            },
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy(OrleansDashboardPolicy, p => p
            .AddAuthenticationSchemes(OrleansDashboardScheme)
            .RequireAuthenticatedUser()
            .RequireClaim(Roles.ClaimType, Roles.Operator));
        return builder;
    }

    /// <summary>Whether the silo should host the Orleans Dashboard's grains and profiler (<c>Dashboard:OrleansDashboard</c>).</summary>
    public static bool IsOrleansDashboardEnabled(this IHostApplicationBuilder builder) =>
        builder.Configuration.GetSection(DashboardOptions.SectionName).Get<DashboardOptions>()?.OrleansDashboard == true;

    public static WebApplication MapFleetDashboard(this WebApplication app)
    {
        // Which routes exist follows the raw settings: validated options would throw here, while the host is built,
        // and a bad setting must stop the host when it starts, with the one-line error every other setting gets.
        var options = app.Configuration.GetSection(DashboardOptions.SectionName).Get<DashboardOptions>() ?? new DashboardOptions();
        var assets = app.Services.GetRequiredService<DashboardAssets>();

        // Relative URLs in the page resolve against /dashboard/, so the bare path redirects (a route would also match
        // the trailing slash, which endpoint routing ignores).
        app.Use((http, next) =>
        {
            if (http.Request.Path.Equals(BasePath, StringComparison.OrdinalIgnoreCase) && HttpMethods.IsGet(http.Request.Method))
            {
                http.Response.Redirect(BasePath + "/" + http.Request.QueryString);
                return Task.CompletedTask;
            }

            return next(http);
        });
        app.UseDefaultFiles(new DefaultFilesOptions { RequestPath = BasePath, FileProvider = assets.Files });
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = BasePath,
            FileProvider = assets.Files,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = context => assets.AddHeaders(context.Context, context.File.Name),
        });

        var dashboard = app.MapGroup(BasePath).ExcludeFromDescription().AllowAnonymous();
        if (!assets.IsBuilt)
        {
            dashboard.MapGet("/", () => Results.Content(DashboardAssets.NotBuiltPage, "text/html; charset=utf-8"));
        }

        dashboard.MapGet("/config.json", (IOptions<DashboardOptions> settings, IOptions<AuthOptions> auth) => DashboardConfig.For(settings.Value, auth.Value, app.Environment));
        if (options.DevelopmentSignIn)
        {
            dashboard.MapPost("/dev-token", DevelopmentSignIn.MintAsync);
        }

        if (options.OrleansDashboard)
        {
            app.MapGroup(BasePath).ExcludeFromDescription()
                .MapPost("/orleans-session", OrleansDashboardSession.Open)
                .RequireAuthorization(Policies.Operator);
            app.MapOrleansDashboard(DashboardOptions.OrleansDashboardPath).RequireAuthorization(OrleansDashboardPolicy);
        }

        return app;
    }

    internal static Assembly Assembly => typeof(DashboardExtensions).Assembly;
}
