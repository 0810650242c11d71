using System.Globalization;
using System.Net.Http.Headers;
using DigitalTwin.Cluster.Tests.Support;
using DigitalTwin.Security;
using DigitalTwin.Silo;
using DigitalTwin.Testing;

namespace DigitalTwin.Cluster.Tests.External;

/// <summary>
/// <c>Mqtt:External:Tls:*</c> against Debian's Mosquitto with a TLS listener whose certificate comes from a CA of the
/// test's own: the silo reaches the broker over TLS when it trusts that CA, and refuses the broker (and says so on
/// <c>/readyz</c>) when it trusts another. Cars publish on the broker's plain listener; the silo reads over TLS.
/// </summary>
[Collection(ExternalBrokerCollection.Name)]
public sealed class ExternalBrokerTlsTests(ExternalBrokerFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _directory = Directory.CreateTempSubdirectory("digitaltwin-external-tls-").FullName;
    private readonly string _runId = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
    private readonly HttpClient _operator = new() { Timeout = TimeSpan.FromSeconds(10) };
    private DevCertificates _brokerPki = null!;
    private MosquittoBroker _broker = null!;
    private int _tlsPort;

    public async Task InitializeAsync()
    {
        _brokerPki = DevCertificates.Open(Path.Combine(_directory, "broker-ca"), out _);
        var (certificate, key) = _brokerPki.Server([], 1);
        _tlsPort = TestPorts.Free();
        _broker = await MosquittoBroker.StartAsync(extraConfiguration: string.Join('\n',
            // Started as root, Mosquitto reads certificates after it became the mosquitto user, who cannot read the
            // test's private temp directory; the test's broker keeps root instead.
            "user root",
            string.Create(CultureInfo.InvariantCulture, $"listener {_tlsPort} 127.0.0.1"),
            $"certfile {certificate}",
            $"keyfile {key}"));
        _operator.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", new TokenIssuer(ClusterFixture.SigningKey).Mint("ops-external-tls", Roles.Operator, TimeSpan.FromHours(1)));
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _operator.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_silo_that_trusts_the_brokers_CA_reads_the_cars_over_TLS()
    {
        await using var silo = await StartSiloAsync(_brokerPki.CaPath);
        await Poll.UntilAsync(() => BrokerCheckAsync(silo), c => c.Status == "Healthy", Deadline, $"{silo} is subscribed over TLS");

        var vin = string.Create(CultureInfo.InvariantCulture, $"WDT{_runId}00000001");
        await using var car = new BrokerCar(vin, _broker.Port);
        await car.ConnectAsync();
        await car.SendTelemetryAsync(1);
        await car.SendTelemetryAsync(2);

        await Poll.UntilAsync(() => TwinView.ReadAsync(_operator, silo, vin), t => t.Shows(2), Deadline, $"the twin of {vin} shows seq 2");
    }

    [Fact]
    public async Task A_silo_that_trusts_another_CA_refuses_the_broker_and_says_why_on_readyz()
    {
        var other = DevCertificates.Open(Path.Combine(_directory, "other-ca"), out _);
        await using var silo = await StartSiloAsync(other.CaPath);

        // Past "connecting": the state names why the last attempt failed, and it stays failed.
        var check = await Poll.UntilAsync(
            () => BrokerCheckAsync(silo), c => c.Status == "Degraded" && !c.Description.Contains(": connecting", StringComparison.Ordinal),
            Deadline, $"{silo} reports why the broker is unreachable");

        Assert.Contains("certificate", check.Description, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<SiloProcess> StartSiloAsync(string caPath)
    {
        var silo = SiloProcess.Start(1, ClusterFixture.LocateSiloAssembly(),
        [
            "--environment=Testing",
            $"--Auth:SigningKey={ClusterFixture.SigningKey}",
            "--Mqtt:Mode=External",
            "--Mqtt:External:Host=127.0.0.1",
            string.Create(CultureInfo.InvariantCulture, $"--Mqtt:External:Port={_tlsPort}"),
            $"--Mqtt:External:InstanceName=tls-{_runId}-{Guid.NewGuid():N}",
            "--Mqtt:External:Tls:Enabled=true",
            $"--Mqtt:External:Tls:CaPath={caPath}",
            "--Mqtt:External:ReconnectDelay=00:00:00.2",
        ]);
        await silo.Ready.WaitAsync(ClusterFixture.StartTimeout);
        return silo;
    }

    private Task<(string Status, string Description)> BrokerCheckAsync(SiloProcess silo) => fixture.BrokerReadinessAsync(silo);
}
