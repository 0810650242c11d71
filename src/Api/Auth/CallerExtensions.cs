using System.Security.Claims;
using DigitalTwin.Security;

namespace DigitalTwin.Api.Auth;

public static class CallerExtensions
{
    public static bool IsOperator(this ClaimsPrincipal user) => user.HasClaim(Roles.ClaimType, Roles.Operator);

    public static string? Subject(this ClaimsPrincipal user) => user.FindFirstValue("sub");
}
