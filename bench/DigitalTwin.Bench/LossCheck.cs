namespace DigitalTwin.Bench;

/// <param name="CarsChecked">Cars whose twin was read back.</param>
/// <param name="CarsBehind">Cars whose twin's last seq is below the last seq the car had acknowledged.</param>
/// <param name="SeqsMissing">Sum over those cars of how far behind the twin is.</param>
public sealed record LossCheck(int CarsChecked, int CarsBehind, long SeqsMissing)
{
    public bool Passed => CarsBehind == 0;
}

/// <summary>
/// Signal history after a run on PostgreSQL: samples accepted, written (once caught up, <paramref name="CatchUpSeconds"/>
/// after the end), dropped (the promise broken), and telemetry publishes refused with an error code while history was
/// full (not acknowledged, so not a loss: the car sends them again).
/// </summary>
public sealed record HistoryCheck(long Appended, long Written, long Dropped, long Deferred, double CatchUpSeconds);
