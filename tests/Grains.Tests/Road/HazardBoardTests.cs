using DigitalTwin.Grains.Abstractions.Road;
using DigitalTwin.Grains.Road;

namespace DigitalTwin.Grains.Tests.Road;

public sealed class HazardBoardTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private static readonly HazardOptions Options = new();

    private static RoadObservation At(string vin, TimeSpan after, RoadIncident incident = RoadIncident.HardBraking, double lat = 52.52, double lon = 13.405, double? heading = 90, double speed = 50) =>
        new(vin, T0 + after, lat, lon, heading, speed, incident);

    private static HazardBoard Board() => new("u33dc0", Options);

    [Fact]
    public void Two_distinct_cars_braking_hard_at_one_spot_within_the_window_raise_one_hazard()
    {
        var board = Board();

        Assert.False(board.Observe(At("CAR1", TimeSpan.Zero)));
        Assert.True(board.Observe(At("CAR2", TimeSpan.FromMinutes(3), lat: 52.5203)));

        var hazard = Assert.Single(board.Active());
        Assert.Equal(RoadIncident.HardBraking, hazard.Kind);
        Assert.Equal(2, hazard.Confirmations);
        Assert.Equal(T0, hazard.FirstSeen);
        Assert.Equal(T0 + TimeSpan.FromMinutes(3), hazard.LastSeen);
        Assert.Equal(hazard.LastSeen + Options.Ttl, hazard.ExpiresAt);
        Assert.InRange(hazard.Heading!.Value, 89.9, 90.1);
    }

    [Fact]
    public void One_car_braking_again_and_again_never_confirms_a_hazard_alone()
    {
        var board = Board();

        for (var i = 0; i < 5; i++)
        {
            board.Observe(At("CAR1", TimeSpan.FromSeconds(i * 30)));
        }

        Assert.Empty(board.Active());
    }

    [Fact]
    public void Reports_further_apart_than_the_confirmation_window_do_not_confirm_each_other()
    {
        var board = Board();

        board.Observe(At("CAR1", TimeSpan.Zero));
        board.Observe(At("CAR2", Options.ConfirmationWindow + TimeSpan.FromSeconds(1)));

        Assert.Empty(board.Active());
    }

    [Fact]
    public void Cars_braking_in_opposite_directions_or_far_apart_are_different_candidates()
    {
        var board = Board();

        board.Observe(At("CAR1", TimeSpan.Zero, heading: 90));
        board.Observe(At("CAR2", TimeSpan.FromSeconds(10), heading: 270));
        board.Observe(At("CAR3", TimeSpan.FromSeconds(20), lat: 52.53));

        Assert.Empty(board.Active());
        Assert.Equal(3, board.CandidateCount);
    }

    [Fact]
    public void A_crash_is_a_hazard_at_once()
    {
        var board = Board();

        Assert.True(board.Observe(At("CAR1", TimeSpan.Zero, RoadIncident.Crash, speed: 0)));

        Assert.Equal(RoadIncident.Crash, Assert.Single(board.Active()).Kind);
    }

    [Fact]
    public void A_hazard_ends_when_its_time_to_live_passes_without_a_report()
    {
        var board = Board();
        board.Observe(At("CAR1", TimeSpan.Zero));
        board.Observe(At("CAR2", TimeSpan.FromMinutes(1)));

        Assert.False(board.Expire(T0 + TimeSpan.FromMinutes(1) + Options.Ttl - TimeSpan.FromSeconds(1)));
        Assert.True(board.Expire(T0 + TimeSpan.FromMinutes(1) + Options.Ttl));

        Assert.Empty(board.Active());
        Assert.Equal(0, board.CandidateCount);
    }

    [Fact]
    public void A_hazard_ends_when_enough_cars_pass_it_at_speed_without_incident()
    {
        var board = Board();
        board.Observe(At("CAR1", TimeSpan.Zero));
        board.Observe(At("CAR2", TimeSpan.FromMinutes(1)));

        Assert.False(board.Observe(At("PASS1", TimeSpan.FromMinutes(2), RoadIncident.None, speed: 60)));
        Assert.False(board.Observe(At("PASS1", TimeSpan.FromMinutes(2.1), RoadIncident.None, speed: 60)));
        Assert.False(board.Observe(At("PASS2", TimeSpan.FromMinutes(3), RoadIncident.None, speed: 60)));
        Assert.True(board.Observe(At("PASS3", TimeSpan.FromMinutes(4), RoadIncident.None, speed: 60)));

        Assert.Empty(board.Active());
    }

    [Fact]
    public void Cars_crawling_past_or_driving_the_other_way_do_not_clear_a_hazard_and_a_new_report_restarts_the_count()
    {
        var board = Board();
        board.Observe(At("CAR1", TimeSpan.Zero));
        board.Observe(At("CAR2", TimeSpan.FromMinutes(1)));

        board.Observe(At("SLOW1", TimeSpan.FromMinutes(2), RoadIncident.None, speed: 10));
        board.Observe(At("SLOW2", TimeSpan.FromMinutes(2), RoadIncident.None, speed: 5));
        board.Observe(At("ONCOMING", TimeSpan.FromMinutes(2), RoadIncident.None, heading: 270, speed: 80));
        board.Observe(At("PASS1", TimeSpan.FromMinutes(3), RoadIncident.None, speed: 60));
        board.Observe(At("PASS2", TimeSpan.FromMinutes(3), RoadIncident.None, speed: 60));
        board.Observe(At("CAR3", TimeSpan.FromMinutes(4)));
        board.Observe(At("PASS3", TimeSpan.FromMinutes(5), RoadIncident.None, speed: 60));

        var hazard = Assert.Single(board.Active());
        Assert.Equal(3, hazard.Confirmations);
    }

    [Fact]
    public void A_cell_forgets_the_cars_that_reported_once_the_window_is_over()
    {
        var board = Board();
        board.Observe(At("CAR1", TimeSpan.Zero));
        board.Observe(At("CAR2", TimeSpan.FromMinutes(1)));
        var id = Assert.Single(board.Active()).Id;
        Assert.True(board.Reported(id, "CAR1"));

        board.Expire(T0 + TimeSpan.FromMinutes(1) + Options.ConfirmationWindow);

        Assert.False(board.Reported(id, "CAR1"));
        Assert.False(board.Reported(id, "CAR2"));
        Assert.Single(board.Active());
    }
}
