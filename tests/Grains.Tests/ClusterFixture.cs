using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Commands;
using DigitalTwin.Grains.Crash;
using DigitalTwin.Grains.Preconditioning;
using DigitalTwin.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace DigitalTwin.Grains.Tests;

/// <summary>One in-process Orleans cluster shared by every grain test class.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; } = new TestClusterBuilder(initialSilosCount: 1)
        .AddSiloBuilderConfigurator<SiloConfigurator>()
        .AddClientBuilderConfigurator<ClientConfigurator>()
        .Build();

    public IGrainFactory Grains => Cluster.Client;

    public ITwinSnapshotStore Store =>
        ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services.GetRequiredService<ITwinSnapshotStore>();

    /// <summary>The domain clock of every grain in this cluster; tests move it forward, never back.</summary>
    public static FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>The history every grain of this cluster appends to; a test may close it to play a full one.</summary>
    internal static GatedHistoryWriter History { get; private set; } = null!;

    /// <summary>What every grain of this cluster handed to the change feed.</summary>
    internal static RecordingChangeFeed ChangeFeed { get; } = new();

    public IAlertStore Alerts =>
        ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services.GetRequiredService<IAlertStore>();

    public ITripStore Trips =>
        ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services.GetRequiredService<ITripStore>();

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddMemoryStreams(VehicleStreams.ProviderName);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddInMemoryStorage();
            siloBuilder.Services.AddSingleton<ISignalHistoryWriter>(provider => History = new GatedHistoryWriter(provider.GetRequiredService<InMemorySignalHistory>()));
            siloBuilder.Services.AddSingleton<IVehicleChangeFeed>(ChangeFeed);
            siloBuilder.Services.AddOptions<CrashDetectionOptions>();
            siloBuilder.Services.AddOptions<CommandPolicyOptions>();
            siloBuilder.Services.AddOptions<PreconditioningOptions>();

            // Only the domain reads this clock; Orleans keeps the real one for its own loops.
            siloBuilder.Services.AddKeyedSingleton<TimeProvider>(DomainClock.Key, Clock);
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.Services.AddSingleton(TimeProvider.System);
            siloBuilder.AddMemoryStreams(VehicleStreams.ProviderName).AddMemoryGrainStorage("PubSubStore");
            siloBuilder.Services.Configure<PersistenceOptions>(o => o.FlushInterval = TimeSpan.FromMilliseconds(20));
        }
    }
}
