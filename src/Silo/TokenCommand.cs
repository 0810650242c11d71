using System.CommandLine;
using System.Globalization;
using DigitalTwin.Contract;
using DigitalTwin.Security;

namespace DigitalTwin.Silo;

/// <summary>
/// <c>token --sub SUB --role vehicle|user|operator [--hours N]</c>: prints a token signed with this
/// silo's Auth:SigningKey, read from the same configuration the silo uses. Arguments it does not know
/// (<c>--Auth:SigningKey=...</c> and the like) go to that configuration, as they would for the silo.
/// </summary>
internal static class TokenCommand
{
    public const string Usage = "usage: token --sub <VIN or user id> --role vehicle|user|operator [--hours 24]";

    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var sub = new Option<string>("--sub") { Description = "the subject: a VIN for a vehicle, else a user id", HelpName = "VIN or user id" };
        var role = new Option<string>("--role") { Description = "vehicle, user or operator", HelpName = "role", DefaultValueFactory = _ => Roles.User };
        var hours = new Option<double>("--hours")
        {
            Description = "lifetime of the token in hours",
            HelpName = "N",
            DefaultValueFactory = _ => 24.0,
            CustomParser = r =>
            {
                if (double.TryParse(r.Tokens[0].Value, CultureInfo.InvariantCulture, out var h) && h > 0)
                {
                    return h;
                }

                r.AddError($"--hours must be a number of hours above 0, got '{r.Tokens[0].Value}'");
                return 0;
            },
        };

        var token = new Command("token", "Prints a token signed with this silo's Auth:SigningKey. Other arguments (--Auth:SigningKey=<secret>, ...) are configuration, as for the silo.")
        {
            sub,
            role,
            hours,
        };
        token.TreatUnmatchedTokensAsErrors = false;
        token.SetAction(result => Mint(result.GetValue(sub), result.GetValue(role)!, result.GetValue(hours), result.UnmatchedTokens, output, error));

        // Only the token command is parsed here; without it the silo runs and reads its arguments as configuration.
        var silo = new RootCommand("The DigitalTwin silo") { token };
        silo.Options.Remove(silo.Options.OfType<VersionOption>().Single());

        // Configuration arguments are passed on as they are: no @response files, no bundling of short options.
        var parsed = silo.Parse(["token", .. args], new ParserConfiguration { ResponseFileTokenReplacer = null, EnablePosixBundling = false });
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                error.WriteLine($"token: {parseError.Message}");
            }

            error.WriteLine(Usage);
            return 2;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    private static int Mint(string? sub, string role, double hours, IReadOnlyList<string> settings, TextWriter output, TextWriter error)
    {
        if (string.IsNullOrEmpty(sub) || role is not (Roles.Vehicle or Roles.User or Roles.Operator))
        {
            error.WriteLine(Usage);
            return 2;
        }

        if (role == Roles.Vehicle && Vin.Validate(sub) is { } vinError)
        {
            error.WriteLine($"--sub: {vinError}");
            return 2;
        }

        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Production"}.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(settings.ToArray())
            .Build();
        var auth = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        if (string.IsNullOrEmpty(auth.SigningKey))
        {
            error.WriteLine("Auth:SigningKey is not set: run in Development or pass --Auth:SigningKey=<secret>");
            return 2;
        }

        output.WriteLine(new TokenIssuer(auth.SigningKey, auth.Issuer, auth.Audience).Mint(sub, role, TimeSpan.FromHours(hours)));
        return 0;
    }
}
