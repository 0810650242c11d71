using DigitalTwin.Grains.Abstractions.Insights;

namespace DigitalTwin.Grains.Insights;

/// <summary>
/// Finds one electric car's charging sessions: a session starts when the car reports it is charging and ends when it
/// stops charging or is unplugged, on the car's sample times. Energy added is the SoC gained times the battery's net
/// capacity (what reached the battery; the grid delivered some 10 % more through charger losses).
/// </summary>
public sealed class ChargingTracker(string vin, InsightsOptions options, OpenCharge? resume = null)
{
    private bool _charging = resume is not null;
    private double? _soc = resume?.LastSoc;
    private double? _limit = resume?.ChargeLimit;
    private long _lastTs = resume?.LastTs ?? long.MinValue;

    /// <summary>The session in progress, or null; also its checkpoint.</summary>
    public OpenCharge? Open { get; private set; } = resume;

    public void Prime(double? soc, double? limit)
    {
        _soc ??= soc;
        _limit ??= limit;
    }

    /// <param name="netCapacityKwh">The battery's capacity as the car last reported it.</param>
    /// <returns>Whether a session started, and the session this sample finished.</returns>
    public (bool Started, ChargingSession? Finished) Observe(in InsightSample sample, double? netCapacityKwh)
    {
        if (sample.Ts <= _lastTs)
        {
            return (false, null);
        }

        _lastTs = sample.Ts;
        _soc = sample.StateOfCharge ?? _soc;
        _limit = sample.ChargeLimit ?? _limit;
        _charging = sample.IsCharging ?? _charging;
        var unplugged = sample.CableConnected == false;

        if (Open is { } open)
        {
            open.LastTs = sample.Ts;
            open.StartSoc ??= _soc;
            open.LastSoc = _soc ?? open.LastSoc;
            open.ChargeLimit = _limit ?? open.ChargeLimit;
            if (!_charging || unplugged)
            {
                Open = null;
                _charging = false;
                return (false, Finish(open, sample.Ts, unplugged && sample.IsCharging != false ? InsightEndReasons.Unplugged : InsightEndReasons.ChargingStopped, netCapacityKwh));
            }

            return (false, null);
        }

        if (_charging && !unplugged)
        {
            Open = new OpenCharge { StartTs = sample.Ts, LastTs = sample.Ts, StartSoc = _soc, LastSoc = _soc, ChargeLimit = _limit };
            return (true, null);
        }

        return (false, null);
    }

    private ChargingSession? Finish(OpenCharge open, long endTs, string reason, double? netCapacityKwh)
    {
        if (open.StartSoc is not { } start || open.LastSoc is not { } end)
        {
            // A car that never said how full it is: there is no session to speak of.
            return null;
        }

        double? added = netCapacityKwh is { } capacity ? Math.Round(Math.Max(0, end - start) / 100 * capacity, 3) : null;
        var reached = open.ChargeLimit is { } limit && end >= limit - options.ChargeLimitTolerancePercent;
        return new ChargingSession(
            ChargingSession.IdFor(vin, open.StartTs),
            vin,
            DateTimeOffset.FromUnixTimeMilliseconds(open.StartTs),
            DateTimeOffset.FromUnixTimeMilliseconds(endTs),
            start,
            end,
            added,
            open.ChargeLimit,
            reached,
            reason);
    }
}
