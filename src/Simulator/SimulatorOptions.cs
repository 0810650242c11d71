using System.Globalization;
using System.Text;
using DigitalTwin.Security;

namespace DigitalTwin.Simulator;

/// <summary>Command-line settings of one simulator run.</summary>
public sealed record SimulatorOptions
{
    public const int VinLength = 17;

    // CancellationTokenSource.CancelAfter takes at most about 49 days.
    private const int MaxDurationSeconds = 30 * 24 * 3600;

    public const string Usage = """
        DigitalTwin fleet simulator: each car is its own MQTT 5 client publishing VSS telemetry.

        usage: dotnet run --project src/Simulator -- [options]

          --host HOST          broker host (default 127.0.0.1)
          --port PORT          broker port (default 1883)
          --cars N             number of cars (default 10)
          --rate R             telemetry messages per second per car, may be fractional (default 1)
          --duration S         seconds to publish, 0 = until Ctrl-C (default 0)
          --qos 0|1            QoS of telemetry (default 1)
          --vin-prefix P       VINs are P + a zero-padded number, 17 characters in all (default WDD2030461A)
          --signing-key KEY    HS256 key for vehicle tokens (default: env Auth__SigningKey, else the development key)
          --quiet              no progress lines, only the summary
          --help               this text

        exit codes: 0 success, 1 a car could not connect, 2 bad arguments
        """;

    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 1883;
    public int Cars { get; init; } = 10;
    public double Rate { get; init; } = 1;
    public TimeSpan Duration { get; init; } = TimeSpan.Zero;
    public int Qos { get; init; } = 1;
    public string VinPrefix { get; init; } = "WDD2030461A";
    public string SigningKey { get; init; } = AuthOptions.DevelopmentSigningKey;
    public bool Quiet { get; init; }
    public bool ShowHelp { get; init; }

    public string VinOf(int carNumber) =>
        VinPrefix + carNumber.ToString(CultureInfo.InvariantCulture).PadLeft(VinLength - VinPrefix.Length, '0');

    /// <summary>Parses <paramref name="args"/>; on failure returns null and a reason a person can act on.</summary>
    public static SimulatorOptions? Parse(IReadOnlyList<string> args, string? environmentKey, out string? error)
    {
        var options = new SimulatorOptions
        {
            SigningKey = string.IsNullOrEmpty(environmentKey) ? AuthOptions.DevelopmentSigningKey : environmentKey,
        };
        string? problem = null;
        SimulatorOptions Bad(string message)
        {
            problem = message;
            return options;
        }

        for (var i = 0; i < args.Count && problem is null; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h" or "-?")
            {
                error = null;
                return options with { ShowHelp = true };
            }

            if (name == "--quiet")
            {
                options = options with { Quiet = true };
                continue;
            }

            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length == 2)
            {
                problem = $"unexpected argument '{name}' (options start with --, see --help)";
                break;
            }

            if (i + 1 >= args.Count)
            {
                problem = $"{name} needs a value";
                break;
            }

            var value = args[++i];
            options = name switch
            {
                "--host" => string.IsNullOrWhiteSpace(value) ? Bad("--host must not be empty") : options with { Host = value },
                "--port" => ParseInt(value, 1, 65535) is { } port ? options with { Port = port } : Bad($"--port must be a whole number 1..65535, got '{value}'"),
                "--cars" => ParseInt(value, 1, 1_000_000) is { } cars ? options with { Cars = cars } : Bad($"--cars must be a whole number 1..1000000, got '{value}'"),
                "--rate" => ParseDouble(value) is { } rate && rate > 0 && rate <= 1000 ? options with { Rate = rate } : Bad($"--rate must be a number above 0 and at most 1000, got '{value}'"),
                "--duration" => ParseDouble(value) is { } seconds && seconds is >= 0 and <= MaxDurationSeconds ? options with { Duration = TimeSpan.FromSeconds(seconds) } : Bad($"--duration must be seconds from 0 to {MaxDurationSeconds} (30 days), got '{value}'"),
                "--qos" => value is "0" or "1" ? options with { Qos = value[0] - '0' } : Bad($"--qos must be 0 or 1, got '{value}'"),
                "--vin-prefix" => options with { VinPrefix = value },
                "--signing-key" => options with { SigningKey = value },
                _ => Bad($"unknown option '{name}' (see --help)"),
            };
        }

        error = problem ?? ValidateVinPrefix(options.VinPrefix) ?? ValidateCapacity(options) ?? ValidateKey(options.SigningKey);
        return error is null ? options : null;
    }

    private static string? ValidateVinPrefix(string prefix)
    {
        if (prefix.Length >= VinLength)
        {
            return $"--vin-prefix '{prefix}' has {prefix.Length} characters; it needs at most {VinLength - 1} so that a car number fits in the 17-character VIN";
        }

        foreach (var c in prefix)
        {
            if (c is 'I' or 'O' or 'Q')
            {
                return $"--vin-prefix '{prefix}' contains '{c}', which a VIN never contains (ISO 3779 excludes I, O and Q)";
            }

            if (!(c is >= '0' and <= '9' || c is >= 'A' and <= 'Z'))
            {
                return $"--vin-prefix '{prefix}' contains '{c}'; a VIN has only the characters A-H, J-N, P, R-Z and 0-9 (upper case)";
            }
        }

        return null;
    }

    private static string? ValidateCapacity(SimulatorOptions options)
    {
        var digits = VinLength - options.VinPrefix.Length;
        return digits < 7 && options.Cars >= Math.Pow(10, digits)
            ? $"--cars {options.Cars} does not fit in the {digits} digit(s) that --vin-prefix '{options.VinPrefix}' leaves"
            : null;
    }

    private static string? ValidateKey(string key) =>
        Encoding.UTF8.GetByteCount(key) < AuthOptions.MinSigningKeyBytes
            ? $"the signing key must be at least {AuthOptions.MinSigningKeyBytes} bytes (HS256)"
            : null;

    private static int? ParseInt(string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n : null;

    private static double? ParseDouble(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;
}
