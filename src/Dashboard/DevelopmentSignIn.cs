using DigitalTwin.Api.Problems;
using DigitalTwin.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Dashboard;

/// <summary>
/// Development only (the options validator refuses it elsewhere): mints the token the <c>token</c> command would, for
/// the subject and role typed into the page, so a developer signs in without an identity provider.
/// </summary>
internal static partial class DevelopmentSignIn
{
    public const int MaxSubjectLength = 256;
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    public sealed record Request(string? Sub, string? Role);

    public sealed record Response(string Token, DateTimeOffset ExpiresAt);

    public static Results<Ok<Response>, ValidationProblem> MintAsync(Request request, IOptions<AuthOptions> auth, TimeProvider time, ILoggerFactory loggers)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(request.Sub) || request.Sub.Length > MaxSubjectLength || request.Sub.Any(char.IsControl))
        {
            errors.Add(new("sub", $"sub is the user id to sign in as: 1 to {MaxSubjectLength} characters without control characters"));
        }

        if (request.Role is not (Roles.User or Roles.Operator))
        {
            errors.Add(new("role", "role is user or operator (vehicle tokens are for cars)"));
        }

        var settings = auth.Value;
        if (string.IsNullOrEmpty(settings.SigningKey))
        {
            errors.Add(new("sub", "Auth:SigningKey is not set, so there is no key to mint a development token with"));
        }

        if (errors.Count > 0)
        {
            return ValidationProblems.For(errors, title: "The sign-in is not valid");
        }

        var issuer = new TokenIssuer(settings.SigningKey!, settings.Issuer, settings.Audience, time);
        var token = issuer.Mint(request.Sub!, request.Role!, Lifetime);
        Log.Minted(loggers.CreateLogger(typeof(DevelopmentSignIn).FullName!), request.Role!, request.Sub!);
        return TypedResults.Ok(new Response(token, time.GetUtcNow() + Lifetime));
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Development sign-in: minted a {Role} token for {Subject}")]
        public static partial void Minted(ILogger logger, string role, string subject);
    }
}
