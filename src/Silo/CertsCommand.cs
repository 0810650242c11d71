using System.CommandLine;
using System.Globalization;
using DigitalTwin.Contract;

namespace DigitalTwin.Silo;

/// <summary>
/// <c>certs [--out DIR] [--vin VIN]... [--host NAME]... [--days N]</c>: a development CA, a server certificate for the
/// broker's TLS listener and car certificates, as PEM files (<see cref="DevCertificates"/>). Run again with more
/// <c>--vin</c> to add cars signed by the same CA.
/// </summary>
internal static class CertsCommand
{
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var outDirectory = new Option<string>("--out") { Description = "directory for the PEM files (the CA in it is reused)", HelpName = "DIR", DefaultValueFactory = _ => "certs" };
        var vins = new Option<string[]>("--vin") { Description = "a car to make a certificate for (repeatable)", HelpName = "VIN", AllowMultipleArgumentsPerToken = false };
        var hosts = new Option<string[]>("--host") { Description = "another name or address of the broker for its certificate (repeatable); localhost, 127.0.0.1 and ::1 are always in", HelpName = "NAME" };
        var days = new Option<int>("--days")
        {
            Description = "validity of the server and car certificates",
            HelpName = "N",
            DefaultValueFactory = _ => 365,
            CustomParser = r =>
            {
                if (int.TryParse(r.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d > 0)
                {
                    return d;
                }

                r.AddError($"--days must be a whole number of days above 0, got '{r.Tokens[0].Value}'");
                return 0;
            },
        };

        var certs = new Command("certs", "Makes a development CA, a server certificate for MQTT over TLS and car certificates (PEM). Not for production.")
        {
            outDirectory,
            vins,
            hosts,
            days,
        };
        certs.SetAction(result => Make(result.GetValue(outDirectory)!, result.GetValue(vins) ?? [], result.GetValue(hosts) ?? [], result.GetValue(days), output, error));

        var silo = new RootCommand("The DigitalTwin silo") { certs };
        silo.Options.Remove(silo.Options.OfType<VersionOption>().Single());
        var parsed = silo.Parse(["certs", .. args], new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                error.WriteLine($"certs: {parseError.Message}");
            }

            return 2;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    private static int Make(string directory, string[] vins, string[] hosts, int days, TextWriter output, TextWriter error)
    {
        foreach (var vin in vins)
        {
            if (Vin.Validate(vin) is { } problem)
            {
                error.WriteLine($"--vin {vin}: {problem}");
                return 2;
            }
        }

        var pki = DevCertificates.Open(Path.GetFullPath(directory), out var created);
        output.WriteLine($"{(created ? "created" : "reused ")} {pki.CaPath} (and ca.key)");
        var (certificatePath, keyPath) = pki.Server(hosts, days);
        output.WriteLine($"created {certificatePath} (and {Path.GetFileName(keyPath)})");
        foreach (var vin in vins)
        {
            var (carCertificate, carKey) = pki.Car(vin, days);
            output.WriteLine($"created {carCertificate} (and {Path.GetFileName(carKey)})");
        }

        output.WriteLine();
        output.WriteLine("Run the silo with:");
        output.WriteLine($"  --Mqtt:Tls:CertificatePath={certificatePath} --Mqtt:Tls:KeyPath={keyPath} --Mqtt:Tls:ClientCertificateMode=Allow --Mqtt:Tls:ClientCaPath={pki.CaPath}");
        return 0;
    }
}
