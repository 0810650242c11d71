using DigitalTwin.Api.Auth;
using DigitalTwin.Api.Operations;
using DigitalTwin.Api.Vehicles;
using DigitalTwin.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Api;

public static class ApiExtensions
{
    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        builder.AddAuthOptions();
        builder.Services.AddProblemDetails();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>, AuthenticationSetup>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Person, p => p.RequireAuthenticatedUser().RequireAssertion(c => !c.User.HasClaim(Roles.ClaimType, Roles.Vehicle)))
            .AddPolicy(Policies.Operator, p => p.RequireAuthenticatedUser().RequireClaim(Roles.ClaimType, Roles.Operator));
        builder.Services.AddOpenApi();
        return builder;
    }

    public static WebApplication MapApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi();
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).WithTags("Health").AllowAnonymous();

        var api = app.MapGroup("/api/v1");
        api.MapVehiclesApi();
        api.MapOperationsApi();
        return app;
    }
}
