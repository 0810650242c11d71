using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DigitalTwin.Cluster.Tests.Support;
using DigitalTwin.Testing;

namespace DigitalTwin.Cluster.Tests;

/// <summary>
/// Commands reach a car whichever silo holds its MQTT session, whichever hosts its grain and whichever takes the
/// API request; a command queued while the car is away reaches it through the silo it comes back to.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CommandDeliveryTests(ClusterFixture cluster)
{
    private static readonly TimeSpan DeliveryDeadline = TimeSpan.FromSeconds(20);

    private async Task<Guid> SubmitAsync(SiloProcess through, string vin, string name)
    {
        using var response = await cluster.Operator.PostAsJsonAsync(new Uri(through.BaseAddress, $"/api/v1/vehicles/{vin}/commands"), new { name, ttlSeconds = 600 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static Task WaitForCommandAsync(Car car, Guid id) =>
        Poll.UntilAsync(
            () => Task.FromResult(car.Commands.Any(c => c.GetProperty("id").GetGuid() == id)),
            received => received,
            DeliveryDeadline,
            $"{car.Vin} receives command {id}");

    [Fact]
    public async Task A_command_sent_through_any_silo_reaches_the_car_on_another_silo()
    {
        await cluster.EnsureFullStrengthAsync();
        var silos = cluster.Live;
        await using var car = cluster.NewCar();
        await car.ConnectAsync(silos[0]);
        await car.ListenForCommandsAsync();
        await car.DriveAsync(1);

        var viaSecond = await SubmitAsync(silos[1], car.Vin, "doors.lock");
        var viaThird = await SubmitAsync(silos[2], car.Vin, "charging.stop");

        await WaitForCommandAsync(car, viaSecond);
        await WaitForCommandAsync(car, viaThird);
    }

    [Fact]
    public async Task A_command_queued_while_the_car_is_away_reaches_it_on_the_silo_it_comes_back_to()
    {
        await cluster.EnsureFullStrengthAsync();
        var silos = cluster.Live;
        await using var car = cluster.NewCar();
        await car.ConnectAsync(silos[0]);
        await car.DriveAsync(1);
        await car.DisposeAsync();

        var queued = await SubmitAsync(silos[1], car.Vin, "doors.lock");
        await car.ConnectAsync(silos[2]);
        await car.ListenForCommandsAsync();

        await WaitForCommandAsync(car, queued);
        using var status = await cluster.Operator.GetAsync(new Uri(silos[0].BaseAddress, $"/api/v1/vehicles/{car.Vin}/commands/{queued}"));
        Assert.Equal("sent", (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }
}
