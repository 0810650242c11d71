using System.Net;
using DigitalTwin.Persistence;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Silo;

internal sealed class SiloOptionsValidator(IConfiguration configuration) : IValidateOptions<SiloOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloOptions options)
    {
        if (options.Clustering == SiloOptions.AdoNet && !configuration.IsPostgresConfigured())
        {
            return ValidateOptionsResult.Fail("Orleans:Clustering=AdoNet needs ConnectionStrings:Postgres (the membership table lives there)");
        }

        if (!IPAddress.TryParse(options.AdvertisedIPAddress, out _))
        {
            return ValidateOptionsResult.Fail($"Orleans:AdvertisedIPAddress must be an IP address, not '{options.AdvertisedIPAddress}'");
        }

        return ValidateOptionsResult.Success;
    }
}
