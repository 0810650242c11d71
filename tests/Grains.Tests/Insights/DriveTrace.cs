using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Tests.Crash;

namespace DigitalTwin.Grains.Tests.Insights;

/// <summary>
/// A recorded-style drive, one document per second: speed, position moved along the heading, odometer, state of
/// charge drawn at a fixed consumption and the accelerations; any signal can be left out to play a car without it.
/// </summary>
internal sealed class DriveTrace
{
    public const long Start = 1_764_028_800_000;
    private const double MetersPerDegreeLatitude = 111_320;

    private readonly List<SignalSample> _extra = [];
    private long _seq;
    private double _speedKmh;

    public DriveTrace(double latitude = 52.52, double longitude = 13.405, double odometerKm = 12_345, double soc = 80)
    {
        Latitude = latitude;
        Longitude = longitude;
        Odometer = odometerKm;
        Soc = soc;
    }

    public long NextTs { get; private set; } = Start;
    public double Latitude { get; private set; }
    public double Longitude { get; private set; }
    public double Odometer { get; private set; }
    public double Soc { get; private set; }
    public double Heading { get; set; } = 90;
    public bool SendsPosition { get; set; } = true;
    public bool SendsSpeed { get; set; } = true;
    public bool SendsOdometer { get; set; } = true;
    public bool SendsSoc { get; set; } = true;

    /// <summary>Battery drawn per km, in percent of a 75 kWh pack (0.2 kWh/km).</summary>
    public double SocPerKm { get; set; } = 0.2 / 75 * 100;

    public List<TelemetryMessage> Messages { get; } = [];

    /// <summary>Distance driven so far, as the odometer counts it.</summary>
    public double DrivenKm { get; private set; }

    public DriveTrace With(params SignalSample[] samples)
    {
        _extra.AddRange(samples);
        return this;
    }

    public DriveTrace Ignition(string state) => With(new SignalSample(SignalCatalogue.LowVoltageSystemState, SignalValue.FromText(state)));

    /// <summary>Drives (or stands) at a speed for some seconds.</summary>
    public DriveTrace Hold(int seconds, double speedKmh, double longitudinal = 0, double lateral = 0, double vertical = 0)
    {
        for (var i = 0; i < seconds; i++)
        {
            _speedKmh = speedKmh;
            Tick(longitudinal, lateral, vertical);
        }

        return this;
    }

    /// <summary>Changes speed linearly, with the matching longitudinal acceleration.</summary>
    public DriveTrace Ramp(int seconds, double fromKmh, double toKmh)
    {
        var accel = (toKmh - fromKmh) / 3.6 / seconds;
        for (var i = 1; i <= seconds; i++)
        {
            _speedKmh = fromKmh + ((toKmh - fromKmh) * i / seconds);
            Tick(accel, 0, 0);
        }

        return this;
    }

    /// <summary>One document with exactly these signals (a parked car's jittering fix, say).</summary>
    public DriveTrace Raw(params SignalSample[] samples)
    {
        Messages.Add(new TelemetryMessage(NextTs, ++_seq, samples, DateTimeOffset.FromUnixTimeMilliseconds(NextTs)));
        NextTs += 1000;
        return this;
    }

    private void Tick(double longitudinal, double lateral, double vertical)
    {
        var km = _speedKmh / 3600;
        Odometer += km;
        DrivenKm += km;
        Soc -= km * SocPerKm;
        var meters = km * 1000;
        Latitude += meters * Math.Cos(Heading * Math.PI / 180) / MetersPerDegreeLatitude;
        Longitude += meters * Math.Sin(Heading * Math.PI / 180) / (MetersPerDegreeLatitude * Math.Cos(Latitude * Math.PI / 180));

        var samples = new List<SignalSample>
        {
            Sig.Num(SignalCatalogue.AccelerationLongitudinal, longitudinal),
            Sig.Num(SignalCatalogue.AccelerationLateral, lateral),
            Sig.Num(SignalCatalogue.AccelerationVertical, vertical),
        };
        if (SendsSpeed)
        {
            samples.Add(Sig.Speed(_speedKmh));
        }

        if (SendsPosition)
        {
            samples.Add(Sig.Num(SignalCatalogue.Latitude, Latitude));
            samples.Add(Sig.Num(SignalCatalogue.Longitude, Longitude));
        }

        if (SendsOdometer)
        {
            samples.Add(Sig.Num(SignalCatalogue.TraveledDistance, Odometer));
        }

        if (SendsSoc)
        {
            samples.Add(Sig.Num(SignalCatalogue.StateOfCharge, Soc));
            samples.Add(Sig.Num(SignalCatalogue.NetCapacity, 75));
        }

        samples.AddRange(_extra);
        _extra.Clear();
        Messages.Add(new TelemetryMessage(NextTs, ++_seq, [.. samples], DateTimeOffset.FromUnixTimeMilliseconds(NextTs)));
        NextTs += 1000;
    }
}
