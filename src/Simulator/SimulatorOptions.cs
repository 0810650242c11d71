using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
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

    private const string Description = """
        DigitalTwin fleet simulator: each car is its own MQTT 5 client publishing VSS telemetry.
        Exit codes: 0 success, 1 a car could not connect, 2 bad arguments.
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

    /// <summary>
    /// Reconnect when the broker closes the connection (a silo drains or dies) and resend the telemetry document that was
    /// not acknowledged, as a car does; off, a car that lost its connection stays offline for the rest of the run.
    /// </summary>
    public bool Reconnect { get; init; }

    /// <summary>Subscribe to the car's commands and notifications: complete every command, show notifications.</summary>
    public bool Listen { get; init; }
    public bool ShowHelp { get; init; }

    public string VinOf(int carNumber) =>
        VinPrefix + carNumber.ToString(CultureInfo.InvariantCulture).PadLeft(VinLength - VinPrefix.Length, '0');

    /// <summary>Parses <paramref name="args"/>; on failure returns null and a reason a person can act on.</summary>
    public static SimulatorOptions? Parse(IReadOnlyList<string> args, string? environmentKey, out string? error)
    {
        var command = new SimulatorCommand();
        var result = command.Root.Parse(args);
        if (result.Action is HelpAction)
        {
            error = null;
            return new SimulatorOptions { ShowHelp = true };
        }

        if (result.Errors.Count > 0)
        {
            error = string.Join("; ", result.Errors.Select(e => e.Message));
            return null;
        }

        var options = new SimulatorOptions
        {
            Host = result.GetValue(command.Host)!,
            Port = result.GetValue(command.Port),
            Cars = result.GetValue(command.Cars),
            Rate = result.GetValue(command.Rate),
            Duration = TimeSpan.FromSeconds(result.GetValue(command.Duration)),
            Qos = result.GetValue(command.Qos),
            VinPrefix = result.GetValue(command.VinPrefix)!,
            SigningKey = result.GetValue(command.SigningKey) ?? (string.IsNullOrEmpty(environmentKey) ? AuthOptions.DevelopmentSigningKey : environmentKey),
            Quiet = result.GetValue(command.Quiet),
            Reconnect = result.GetValue(command.Reconnect),
            Listen = result.GetValue(command.Listen),
        };

        error = ValidateVinPrefix(options.VinPrefix) ?? ValidateCapacity(options) ?? ValidateKey(options.SigningKey);
        return error is null ? options : null;
    }

    /// <summary>Writes the generated <c>--help</c> text.</summary>
    public static void WriteHelp(TextWriter output) =>
        new SimulatorCommand().Root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = output });

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

    /// <summary>The command line, its defaults and its value rules; the messages name the option and the value given.</summary>
    private sealed class SimulatorCommand
    {
        public Option<string> Host { get; } = new("--host")
        {
            Description = "broker host",
            HelpName = "HOST",
            DefaultValueFactory = _ => "127.0.0.1",
            CustomParser = r => string.IsNullOrWhiteSpace(r.Tokens[0].Value) ? Bad<string>(r, "--host must not be empty") : r.Tokens[0].Value,
        };

        public Option<int> Port { get; } = new("--port")
        {
            Description = "broker port",
            HelpName = "PORT",
            DefaultValueFactory = _ => 1883,
            CustomParser = r => ParseInt(r.Tokens[0].Value, 1, 65535) ?? Bad<int>(r, $"--port must be a whole number 1..65535, got '{r.Tokens[0].Value}'"),
        };

        public Option<int> Cars { get; } = new("--cars")
        {
            Description = "number of cars",
            HelpName = "N",
            DefaultValueFactory = _ => 10,
            CustomParser = r => ParseInt(r.Tokens[0].Value, 1, 1_000_000) ?? Bad<int>(r, $"--cars must be a whole number 1..1000000, got '{r.Tokens[0].Value}'"),
        };

        public Option<double> Rate { get; } = new("--rate")
        {
            Description = "telemetry messages per second per car, may be fractional",
            HelpName = "R",
            DefaultValueFactory = _ => 1,
            CustomParser = r => ParseDouble(r.Tokens[0].Value) is { } rate && rate > 0 && rate <= 1000
                ? rate
                : Bad<double>(r, $"--rate must be a number above 0 and at most 1000, got '{r.Tokens[0].Value}'"),
        };

        public Option<double> Duration { get; } = new("--duration")
        {
            Description = "seconds to publish, 0 = until Ctrl-C",
            HelpName = "S",
            DefaultValueFactory = _ => 0,
            CustomParser = r => ParseDouble(r.Tokens[0].Value) is { } seconds && seconds is >= 0 and <= MaxDurationSeconds
                ? seconds
                : Bad<double>(r, $"--duration must be seconds from 0 to {MaxDurationSeconds} (30 days), got '{r.Tokens[0].Value}'"),
        };

        public Option<int> Qos { get; } = new("--qos")
        {
            Description = "QoS of telemetry",
            HelpName = "0|1",
            DefaultValueFactory = _ => 1,
            CustomParser = r => r.Tokens[0].Value is "0" or "1" ? r.Tokens[0].Value[0] - '0' : Bad<int>(r, $"--qos must be 0 or 1, got '{r.Tokens[0].Value}'"),
        };

        public Option<string> VinPrefix { get; } = new("--vin-prefix")
        {
            Description = "VINs are P + a zero-padded number, 17 characters in all",
            HelpName = "P",
            DefaultValueFactory = _ => "WDD2030461A",
        };

        // No default shown: it may come from the environment, and a help text must not print a key.
        public Option<string?> SigningKey { get; } = new("--signing-key")
        {
            Description = "HS256 key for vehicle tokens (default: env Auth__SigningKey, else the development key)",
            HelpName = "KEY",
        };

        public Option<bool> Quiet { get; } = new("--quiet") { Description = "no progress lines, only the summary" };

        public Option<bool> Reconnect { get; } = new("--reconnect")
        {
            Description = "reconnect when the broker closes the connection (a silo drains) and resend what was not acknowledged",
        };

        public Option<bool> Listen { get; } = new("--listen")
        {
            Description = "subscribe to each car's commands and notifications: carry out every command (ack accepted, then completed) and print notifications",
        };

        public RootCommand Root { get; }

        public SimulatorCommand()
        {
            Root = new RootCommand(Description) { Host, Port, Cars, Rate, Duration, Qos, VinPrefix, SigningKey, Quiet, Reconnect, Listen };
            Root.Options.Remove(Root.Options.OfType<VersionOption>().Single());
        }

        private static T Bad<T>(ArgumentResult result, string message)
        {
            result.AddError(message);
            return default!;
        }
    }
}
