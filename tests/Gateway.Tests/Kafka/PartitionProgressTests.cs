using Confluent.Kafka;
using DigitalTwin.Contract.Topics;
using DigitalTwin.Gateway.Kafka.Ingest;

namespace DigitalTwin.Gateway.Tests.Kafka;

public sealed class PartitionProgressTests
{
    private const string CarA = "WDD2030461A000001";
    private const string CarB = "WDD2030461A000002";

    private static PartitionProgress Partition() => new(new TopicPartition("vehicle-telemetry-in", new Partition(3)));

    [Fact]
    public void The_commit_offset_never_passes_a_record_that_is_not_applied_yet()
    {
        var progress = Partition();
        progress.Dispatched(10, 0);
        progress.Dispatched(11, 0);
        progress.Dispatched(12, 0);
        progress.Completed(11, CarB, VehicleTopicKind.Telemetry, 7);
        progress.Completed(12, CarB, VehicleTopicKind.Telemetry, 8);

        Assert.Equal(10, progress.TakeBarrier()!.Offset);

        progress.Completed(10, CarA, VehicleTopicKind.Telemetry, 1);
        Assert.Equal(13, progress.TakeBarrier()!.Offset);
    }

    [Fact]
    public void A_barrier_names_each_changed_car_once_with_its_highest_seqs_and_the_next_starts_afresh()
    {
        var progress = Partition();
        for (var offset = 0; offset < 4; offset++)
        {
            progress.Dispatched(offset, 0);
        }

        progress.Completed(0, CarA, VehicleTopicKind.Telemetry, 5);
        progress.Completed(1, CarA, VehicleTopicKind.Telemetry, 6);
        progress.Completed(2, CarA, VehicleTopicKind.Events, 2);
        progress.Completed(3, null, VehicleTopicKind.Telemetry, -1);

        var barrier = progress.TakeBarrier()!;
        Assert.Equal(4, barrier.Offset);
        Assert.Equal(new AppliedSeqs(6, 2), Assert.Single(barrier.Changed, c => c.Key == CarA).Value);
        Assert.Single(barrier.Changed);

        progress.Committed(4, 0);
        Assert.Null(progress.TakeBarrier());
    }

    [Fact]
    public void Cars_of_a_barrier_that_could_not_be_made_durable_come_back_in_the_next_one()
    {
        var progress = Partition();
        progress.Dispatched(0, 0);
        progress.Completed(0, CarA, VehicleTopicKind.Telemetry, 5);
        var failed = progress.TakeBarrier()!;
        progress.Dispatched(1, 0);
        progress.Completed(1, CarB, VehicleTopicKind.Telemetry, 1);

        progress.Restore(failed);

        var next = progress.TakeBarrier()!;
        Assert.Equal(2, next.Offset);
        Assert.Equal([CarA, CarB], next.Changed.Keys.Order());
        Assert.Equal(5, next.Changed[CarA].Telemetry);
    }

    [Fact]
    public void A_partition_resumes_from_its_first_record_until_something_is_committed()
    {
        var progress = Partition();
        Assert.Equal(-1, progress.CommittedOffset);

        progress.Dispatched(42, 0);
        progress.Dispatched(43, 0);
        Assert.Equal(42, progress.CommittedOffset);

        progress.Committed(44, 0);
        progress.Committed(43, 0);
        Assert.Equal(44, progress.CommittedOffset);
    }

    [Fact]
    public void A_retired_partition_offers_nothing_to_commit()
    {
        var progress = Partition();
        progress.Dispatched(0, 0);
        progress.Completed(0, CarA, VehicleTopicKind.Telemetry, 1);

        progress.Retire();

        Assert.False(progress.IsCurrent);
        Assert.Null(progress.TakeBarrier());
    }

    [Fact]
    public async Task Draining_waits_for_the_records_in_flight_and_gives_up_at_its_timeout()
    {
        var progress = Partition();
        progress.Dispatched(0, 0);
        Assert.False(progress.WaitDrained(TimeSpan.FromMilliseconds(50)));

        var drained = Task.Run(() => progress.WaitDrained(TimeSpan.FromSeconds(30)));
        progress.Completed(0, null, VehicleTopicKind.Telemetry, -1);

        Assert.True(await drained.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_record_skipped_while_the_partition_is_given_up_stops_the_commit_below_it_even_when_later_ones_were_applied()
    {
        var progress = Partition();
        progress.Dispatched(0, 0);
        progress.Dispatched(1, 0);
        progress.Dispatched(2, 0);
        progress.BeginRevoke();

        progress.Completed(0, CarA, VehicleTopicKind.Telemetry, 1);
        progress.Skipped(1);
        progress.Completed(2, CarB, VehicleTopicKind.Telemetry, 1);

        Assert.True(progress.IsRevoking);
        Assert.True(progress.WaitDrained(TimeSpan.Zero));
        Assert.Equal(1, progress.TakeBarrier()!.Offset);
    }
}
