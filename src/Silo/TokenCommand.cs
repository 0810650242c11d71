using DigitalTwin.Security;
using DigitalTwin.Contract;

namespace DigitalTwin.Silo;

/// <summary>
/// <c>token --sub SUB --role vehicle|user|operator [--hours N]</c>: prints a token signed with this
/// silo's Auth:SigningKey, read from the same configuration the silo uses.
/// </summary>
internal static class TokenCommand
{
    public static int Run(string[] args)
    {
        string? sub = null;
        var role = Roles.User;
        var hours = 24.0;
        var settings = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--sub" when i + 1 < args.Length: sub = args[++i]; break;
                case "--role" when i + 1 < args.Length: role = args[++i]; break;
                case "--hours" when i + 1 < args.Length && double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var h) && h > 0:
                    hours = h;
                    i++;
                    break;
                default: settings.Add(args[i]); break;
            }
        }

        if (string.IsNullOrEmpty(sub) || role is not (Roles.Vehicle or Roles.User or Roles.Operator))
        {
            Console.Error.WriteLine("usage: token --sub <VIN or user id> --role vehicle|user|operator [--hours 24]");
            return 2;
        }

        if (role == Roles.Vehicle && Vin.Validate(sub) is { } vinError)
        {
            Console.Error.WriteLine($"--sub: {vinError}");
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
            Console.Error.WriteLine("Auth:SigningKey is not set: run in Development or pass --Auth:SigningKey=<secret>");
            return 2;
        }

        Console.WriteLine(new TokenIssuer(auth.SigningKey, auth.Issuer, auth.Audience).Mint(sub, role, TimeSpan.FromHours(hours)));
        return 0;
    }
}
