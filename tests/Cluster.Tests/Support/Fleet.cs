using DigitalTwin.Testing;

namespace DigitalTwin.Cluster.Tests.Support;

/// <summary>A test's cars, each connected to the silo chosen for it; disposing disconnects them all.</summary>
public sealed class Fleet : IAsyncDisposable
{
    private readonly List<Car> _cars = [];

    private Fleet()
    {
    }

    public IReadOnlyList<Car> Cars => _cars;

    public IReadOnlyList<string> Vins => [.. _cars.Select(c => c.Vin)];

    public static async Task<Fleet> ConnectAsync(ClusterFixture cluster, int count, Func<int, SiloProcess> siloOf)
    {
        var fleet = new Fleet();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var car = cluster.NewCar();
                fleet._cars.Add(car);
                await car.ConnectAsync(siloOf(i));
            }
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }

        return fleet;
    }

    public Task DriveAsync(int seqsPerCar) => Task.WhenAll(_cars.Select(c => c.DriveAsync(seqsPerCar)));

    public async ValueTask DisposeAsync()
    {
        foreach (var car in _cars)
        {
            await car.DisposeAsync();
        }
    }
}
