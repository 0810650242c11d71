using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Dashboard;

/// <summary>Refuses a dashboard setting that would open the silo or break the page, naming the key.</summary>
internal sealed class DashboardOptionsValidator(IHostEnvironment environment) : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        if (options.DevelopmentSignIn && !environment.IsDevelopment())
        {
            return ValidateOptionsResult.Fail($"Dashboard:DevelopmentSignIn lets anyone mint an operator token, which is refused outside Development (environment: {environment.EnvironmentName}); sign in through Auth:Authority instead");
        }

        if (!string.IsNullOrWhiteSpace(options.TileUrl))
        {
            var template = options.TileUrl;
            var probe = template.Replace("{z}", "0", StringComparison.Ordinal).Replace("{x}", "0", StringComparison.Ordinal).Replace("{y}", "0", StringComparison.Ordinal).Replace("{s}", "a", StringComparison.Ordinal);
            if (!template.Contains("{z}", StringComparison.Ordinal) || !template.Contains("{x}", StringComparison.Ordinal) || !template.Contains("{y}", StringComparison.Ordinal)
                || !Uri.TryCreate(probe, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                return ValidateOptionsResult.Fail("Dashboard:TileUrl must be an absolute http(s) URL template with {z}, {x} and {y}, e.g. https://tiles.example.net/{z}/{x}/{y}.png");
            }
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            return ValidateOptionsResult.Fail("Dashboard:ClientId must not be empty (the page's client id at Auth:Authority)");
        }

        return ValidateOptionsResult.Success;
    }
}
