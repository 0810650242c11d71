using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DigitalTwin.Cluster.Tests.Support;
using DigitalTwin.Testing;

namespace DigitalTwin.Cluster.Tests;

/// <summary>
/// State that is not the twin itself must be the same whichever silo answers: it lives in PostgreSQL.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SharedStateTests(ClusterFixture cluster)
{
    private static readonly TimeSpan StorageDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Signal_history_fed_through_one_silo_is_readable_through_every_silo_and_kept_in_PostgreSQL()
    {
        await cluster.EnsureFullStrengthAsync();
        var silos = cluster.Live;
        await using var fleet = await Fleet.ConnectAsync(cluster, silos.Count, i => silos[i]);
        await fleet.DriveAsync(3);
        long[] expected = [Car.TsAt(1), Car.TsAt(2), Car.TsAt(3)];

        foreach (var car in fleet.Cars)
        {
            foreach (var silo in silos)
            {
                await Poll.UntilAsync(
                    () => SpeedHistoryAsync(silo, car.Vin),
                    points => points.Select(p => p.Ts).SequenceEqual(expected) && points.All(p => p.Value == Car.SpeedAt((p.Ts - Car.TsAt(0)) / 1000)),
                    StorageDeadline,
                    $"the speed history of {car.Vin} (fed through silo {car.Silo!.Number}) reads the same through silo {silo.Number}",
                    describe: points => string.Join(", ", points));
            }
        }

        await Poll.UntilAsync(
            () => HistoryRowsAsync(fleet.Vins),
            rows => rows == 3 * fleet.Cars.Count,
            StorageDeadline,
            "signal_history holds every sample");
    }

    [Fact]
    public async Task A_vehicle_registered_through_one_silo_is_visible_to_its_owner_through_every_silo()
    {
        await cluster.EnsureFullStrengthAsync();
        var silos = cluster.Live;
        await using var fleet = await Fleet.ConnectAsync(cluster, 1, _ => silos[0]);
        await fleet.DriveAsync(1);
        var car = fleet.Cars[0];
        var owner = $"owner-{car.Vin}";

        using (var registered = await cluster.Operator.PostAsJsonAsync(new Uri(silos[0].BaseAddress, "/api/v1/vehicles"), new { vin = car.Vin, ownerId = owner }))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }

        using var ownerClient = cluster.Person(owner);
        using var stranger = cluster.Person($"stranger-{car.Vin}");
        foreach (var silo in silos)
        {
            var seenByOwner = await TwinView.ReadAsync(ownerClient, silo, car.Vin);
            Assert.True(seenByOwner.Shows(1), $"{owner} reading {car.Vin} (registered through silo {silos[0].Number}) through silo {silo.Number}: {seenByOwner}");
            var seenByStranger = await TwinView.ReadAsync(stranger, silo, car.Vin);
            Assert.Equal(HttpStatusCode.NotFound, seenByStranger.Status);
        }
    }

    private async Task<IReadOnlyList<(long Ts, double Value)>> SpeedHistoryAsync(SiloProcess silo, string vin)
    {
        var from = DateTimeOffset.FromUnixTimeMilliseconds(Car.TsAt(0)).ToString("O", CultureInfo.InvariantCulture);
        var to = DateTimeOffset.FromUnixTimeMilliseconds(Car.TsAt(100)).ToString("O", CultureInfo.InvariantCulture);
        var uri = new Uri(silo.BaseAddress, $"/api/v1/vehicles/{vin}/telemetry?signal=Vehicle.Speed&from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}");
        using var json = JsonDocument.Parse(await cluster.Operator.GetStringAsync(uri));
        return [.. json.RootElement.GetProperty("points").EnumerateArray().Select(p => (p.GetProperty("ts").GetInt64(), p.GetProperty("value").GetDouble()))];
    }

    private async Task<long> HistoryRowsAsync(IReadOnlyList<string> vins)
    {
        await using var connection = new Npgsql.NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM signal_history WHERE vin = ANY(@vins) AND signal = 'Vehicle.Speed'", connection);
        command.Parameters.AddWithValue("vins", vins.ToArray());
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
