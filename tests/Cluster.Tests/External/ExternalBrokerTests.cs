using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DigitalTwin.Cluster.Tests.Support;
using DigitalTwin.Contract.Topics;

namespace DigitalTwin.Cluster.Tests.External;

/// <summary>
/// <c>Mqtt:Mode=External</c> against Debian's Mosquitto: two silos split the cars' messages on one shared subscription,
/// a silo killed mid-stream loses nothing, commands reach cars through the broker, and bad input is dead-lettered
/// without holding up the car's next message.
/// </summary>
[Collection(ExternalBrokerCollection.Name)]
public sealed class ExternalBrokerTests(ExternalBrokerFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private async Task EnsureBothRunningAsync()
    {
        for (var slot = 0; slot < ExternalBrokerFixture.Size; slot++)
        {
            if (fixture.Silo(slot).HasExited)
            {
                await fixture.StartAsync(slot);
            }
        }
    }

    private Task<TwinView> TwinAsync(string vin) => TwinView.ReadAsync(fixture.Operator, fixture.Live.First(), vin);

    private Task WaitUntilTwinShowsAsync(string vin, long seq) =>
        Poll.UntilAsync(() => TwinAsync(vin), t => t.Shows(seq), Deadline, $"the twin of {vin} shows seq {seq}");

    private async Task<double> TelemetryOutcomesAsync(string outcome)
    {
        double sum = 0;
        foreach (var silo in fixture.Live)
        {
            sum += await fixture.CounterAsync(silo, "digitaltwin_mqtt_messages_total", "topic=\"telemetry\"", $"outcome=\"{outcome}\"");
        }

        return sum;
    }

    [Fact]
    public async Task Two_silos_on_one_shared_subscription_apply_every_message_once()
    {
        await EnsureBothRunningAsync();
        const int cars = 20;
        const int perCar = 50;
        var appliedBefore = await TelemetryOutcomesAsync("applied");
        var duplicateBefore = await TelemetryOutcomesAsync("duplicate");
        var fleet = Enumerable.Range(0, cars).Select(_ => new BrokerCar(fixture.NewVin(), fixture.Broker.Port)).ToList();
        try
        {
            await Task.WhenAll(fleet.Select(c => c.ConnectAsync()));
            await Task.WhenAll(fleet.Select(async car =>
            {
                for (var seq = 1; seq <= perCar; seq++)
                {
                    await car.SendTelemetryAsync(seq);
                }
            }));

            foreach (var car in fleet)
            {
                await WaitUntilTwinShowsAsync(car.Vin, perCar);
            }

            // Each message was handled exactly once across both silos: applied, or (when the broker's round robin let a
            // car's later seq overtake it on the other silo) found stale by the seq rule; nothing was delivered twice.
            var handled = await Poll.UntilAsync(
                async () => await TelemetryOutcomesAsync("applied") - appliedBefore + (await TelemetryOutcomesAsync("duplicate") - duplicateBefore),
                n => n >= cars * perCar,
                Deadline,
                $"{cars * perCar} telemetry messages are counted");
            Assert.Equal(cars * perCar, handled);
            foreach (var silo in fixture.Live)
            {
                Assert.True(await fixture.CounterAsync(silo, "digitaltwin_mqtt_messages_total", "topic=\"telemetry\"", "outcome=\"applied\"") > 0, $"{silo} applied none: the subscription was not shared");
            }
        }
        finally
        {
            foreach (var car in fleet)
            {
                await car.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_silo_killed_mid_stream_loses_nothing_its_session_is_delivered_again_when_it_is_back()
    {
        await EnsureBothRunningAsync();
        const int cars = 10;
        const int perCar = 60;
        var fleet = Enumerable.Range(0, cars).Select(_ => new BrokerCar(fixture.NewVin(), fixture.Broker.Port)).ToList();
        try
        {
            await Task.WhenAll(fleet.Select(c => c.ConnectAsync()));
            var killed = new TaskCompletionSource();
            var driving = Task.WhenAll(fleet.Select(async (car, index) =>
            {
                for (var seq = 1; seq <= perCar; seq++)
                {
                    if (seq == perCar / 3 && index == 0)
                    {
                        fixture.Silo(0).Kill();
                        killed.SetResult();
                    }

                    if (seq == perCar / 3)
                    {
                        await killed.Task;
                    }

                    await car.SendTelemetryAsync(seq);
                }
            }));
            await driving;

            // The broker went on sharing messages with the dead silo's session; they wait there until it is back.
            await fixture.StartAsync(0);
            var (_, description) = await fixture.BrokerReadinessAsync(fixture.Silo(0));
            Assert.Contains("session resumed", description);
            foreach (var car in fleet)
            {
                await WaitUntilTwinShowsAsync(car.Vin, perCar);
            }
        }
        finally
        {
            foreach (var car in fleet)
            {
                await car.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_command_sent_through_the_API_reaches_the_car_through_the_broker()
    {
        await EnsureBothRunningAsync();
        await using var car = new BrokerCar(fixture.NewVin(), fixture.Broker.Port);
        await car.ConnectAsync();
        await car.ListenForCommandsAsync();
        await car.SendTelemetryAsync(1);
        // What a car publishes when it connects (and its Last Will says false): behind a broker, the twin's sign that it listens.
        await car.PublishAsync(VehicleTopicKind.Status, """{"online": true}"""u8.ToArray());
        await Poll.UntilAsync(() => TwinAsync(car.Vin), t => t.IsOk && t.Online, Deadline, $"the twin of {car.Vin} is online");

        foreach (var silo in fixture.Live)
        {
            using var response = await fixture.Operator.PostAsJsonAsync(new Uri(silo.BaseAddress, $"/api/v1/vehicles/{car.Vin}/commands"), new { name = "doors.lock", ttlSeconds = 600 });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await Poll.UntilAsync(
                () => Task.FromResult(car.Commands.Any(c => c.GetProperty("id").GetGuid() == id)),
                received => received,
                Deadline,
                $"{car.Vin} receives command {id} sent through {silo}");
        }
    }

    [Fact]
    public async Task Malformed_input_through_the_broker_is_dead_lettered_and_does_not_block_the_cars_next_message()
    {
        await EnsureBothRunningAsync();
        await using var car = new BrokerCar(fixture.NewVin(), fixture.Broker.Port);
        await car.ConnectAsync();
        await car.PublishAsync(VehicleTopicKind.Telemetry, "not json at all"u8.ToArray());
        await car.SendTelemetryAsync(1);

        await WaitUntilTwinShowsAsync(car.Vin, 1);
        // Dead letters are kept per silo: the one that took the message has it.
        var found = await Poll.UntilAsync(
            async () =>
            {
                foreach (var silo in fixture.Live)
                {
                    var text = await fixture.Operator.GetStringAsync(new Uri(silo.BaseAddress, "/api/v1/operations/dead-letters"));
                    if (text.Contains($"vehicles/{car.Vin}/telemetry", StringComparison.Ordinal) && text.Contains("malformed_json", StringComparison.Ordinal))
                    {
                        return true;
                    }
                }

                return false;
            },
            f => f,
            Deadline,
            $"a silo lists the malformed message of {car.Vin} as a dead letter");
        Assert.True(found);
    }
}
