using DigitalTwin.Grains.Ownership;

namespace DigitalTwin.Grains.Storage;

/// <summary>
/// Which person owns which vehicle: the single source of the API's ownership check.
/// In memory in the embedded default, a table with PostgreSQL.
/// </summary>
public interface IVehicleRegistry
{
    ValueTask<string?> GetOwnerAsync(string vin, CancellationToken cancellationToken);

    ValueTask<(RegistrationOutcome Outcome, VehicleRegistration Registration)> RegisterAsync(string vin, string ownerId, CancellationToken cancellationToken);

    /// <summary>Registrations ordered by VIN, after the cursor; all owners when <paramref name="ownerId"/> is null.</summary>
    ValueTask<RegistrationPage> ListAsync(string? ownerId, string? after, int limit, CancellationToken cancellationToken);
}
