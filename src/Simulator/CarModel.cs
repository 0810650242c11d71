namespace DigitalTwin.Simulator;

/// <summary>
/// The state of one simulated electric car driving around Berlin. Pure: everything random comes
/// from the <see cref="Random"/> passed in, so a seeded run drives the same routes every time.
/// </summary>
public sealed class CarModel
{
    private const double CenterLatitude = 52.52;
    private const double CenterLongitude = 13.405;
    private const double MetersPerDegreeLatitude = 111_320;
    private const double CityRadiusKm = 12;
    private const double BatteryKwh = 75;
    private const double ChargePowerKw = 50;
    private const double ChargeLimitPercent = 80;
    private const double CabinTargetCelsius = 21.5;

    // Now and then a driver brakes hard (something in the road): about once per 15 minutes of driving, at 6 m/s^2 for
    // a second and a half, so that trips show a harsh brake now and then.
    private const double HardBrakesPerSecond = 1.0 / 900;
    private const double HardBrakeMps2 = 6;
    private const double HardBrakeSeconds = 1.5;

    // Bigger steps would let a car jump through a red light or overshoot a turn.
    private static readonly TimeSpan MaxSubStep = TimeSpan.FromSeconds(1);

    // After a long stall (debugger, suspended laptop) a car resumes rather than replaying the gap.
    private static readonly TimeSpan MaxStep = TimeSpan.FromMinutes(1);

    private enum Phase
    {
        Driving,
        StoppingForLight,
        WaitingAtLight,
        StoppingToPark,
        Parked,
    }

    private Phase _phase;
    private double _phaseSeconds;
    private double _speedMs;
    private double _targetSpeedMs;
    private double _secondsToNewTarget;
    private double _turnRateDegS;
    private double _exteriorBaseCelsius;
    private double _hardBrakeSeconds;

    private CarModel()
    {
    }

    public double Latitude { get; private set; }
    public double Longitude { get; private set; }
    public double Heading { get; private set; }
    public double SpeedKmh => _speedMs * 3.6;
    public double LongitudinalAcceleration { get; private set; }
    public double LateralAcceleration { get; private set; }
    public double VerticalAcceleration { get; private set; }
    public double TraveledDistanceKm { get; private set; }
    public double StateOfCharge { get; private set; }
    public bool IsCharging { get; private set; }
    public bool IsChargingCableConnected { get; private set; }
    public double ExteriorTemperature { get; private set; }
    public double CabinTemperature { get; private set; }
    public bool IsDriverSeatOccupied => _phase != Phase.Parked;

    /// <summary><c>Vehicle.LowVoltageSystemState</c>: the ignition is off while parked, on otherwise.</summary>
    public string Ignition => _phase == Phase.Parked ? "OFF" : "ON";

    public double NetCapacityKwh => BatteryKwh;

    public double ChargeLimit => ChargeLimitPercent;

    /// <summary>The driver pulls over and switches off (the end of a run), so that the trip under way finishes.</summary>
    public void ParkNow()
    {
        _speedMs = 0;
        _hardBrakeSeconds = 0;
        LongitudinalAcceleration = 0;
        LateralAcceleration = 0;
        VerticalAcceleration = 0;
        Enter(Phase.Parked, 60);
    }

    /// <summary>Car <paramref name="index"/> of <paramref name="count"/>, placed so that the fleet covers the city evenly.</summary>
    public static CarModel Create(int index, int count, Random rng)
    {
        // Golden-angle spiral: even coverage of the disc for any fleet size.
        var angle = index * Math.PI * (3 - Math.Sqrt(5));
        var radiusKm = 1 + (CityRadiusKm - 3) * Math.Sqrt((index + 0.5) / Math.Max(count, 1));
        var exterior = 8 + rng.NextDouble() * 10;
        var car = new CarModel
        {
            Latitude = CenterLatitude + radiusKm * 1000 * Math.Cos(angle) / MetersPerDegreeLatitude,
            Longitude = CenterLongitude + radiusKm * 1000 * Math.Sin(angle) / (MetersPerDegreeLatitude * Math.Cos(DegreesToRadians(CenterLatitude))),
            Heading = rng.NextDouble() * 360,
            TraveledDistanceKm = 2_000 + rng.NextDouble() * 80_000,
            StateOfCharge = 30 + rng.NextDouble() * 65,
            _exteriorBaseCelsius = exterior,
            ExteriorTemperature = exterior,
            CabinTemperature = exterior + 3,
        };

        // Staggered start: most cars wait at a light for a few seconds, some are parked and charging.
        if (rng.NextDouble() < 0.1)
        {
            car.Park(rng, wantsCharge: true);
        }
        else
        {
            car.Enter(Phase.WaitingAtLight, rng.NextDouble() * 10);
        }

        return car;
    }

    public void Step(TimeSpan dt, Random rng)
    {
        var remaining = dt > MaxStep ? MaxStep : dt;
        while (remaining > TimeSpan.Zero)
        {
            var h = remaining > MaxSubStep ? MaxSubStep : remaining;
            Advance(h.TotalSeconds, rng);
            remaining -= h;
        }
    }

    private void Advance(double h, Random rng)
    {
        UpdatePhase(h, rng);
        UpdateSpeed(h, rng);
        var meters = UpdateHeadingAndPosition(h, rng);
        UpdateEnergy(h, meters);
        UpdateTemperatures(h, rng);
    }

    private void UpdatePhase(double h, Random rng)
    {
        _phaseSeconds -= h;
        switch (_phase)
        {
            case Phase.Driving:
                _secondsToNewTarget -= h;
                if (StateOfCharge < 15)
                {
                    Enter(Phase.StoppingToPark, 0);
                }
                else if (_speedMs > 8 && rng.NextDouble() < h * HardBrakesPerSecond)
                {
                    _hardBrakeSeconds = HardBrakeSeconds;
                }
                else if (_speedMs > 5 && rng.NextDouble() < h / 60)
                {
                    // Roughly one red light a minute; now and then the driver parks instead.
                    Enter(rng.NextDouble() < 0.1 ? Phase.StoppingToPark : Phase.StoppingForLight, 0);
                }
                else if (_secondsToNewTarget <= 0)
                {
                    PickTargetSpeed(rng);
                }

                break;
            case Phase.StoppingForLight when _speedMs == 0:
                Enter(Phase.WaitingAtLight, 10 + rng.NextDouble() * 35);
                break;
            case Phase.StoppingToPark when _speedMs == 0:
                Park(rng, wantsCharge: StateOfCharge < 60 && rng.NextDouble() < 0.7 || StateOfCharge < 20);
                break;
            case Phase.WaitingAtLight when _phaseSeconds <= 0:
                Drive(rng);
                break;
            case Phase.Parked:
                IsCharging = IsChargingCableConnected && StateOfCharge < ChargeLimitPercent;

                // Nobody drives off with an almost empty battery.
                if (_phaseSeconds <= 0 && (StateOfCharge >= 20 || !IsChargingCableConnected))
                {
                    IsCharging = false;
                    IsChargingCableConnected = false;
                    Drive(rng);
                }

                break;
        }
    }

    private void UpdateSpeed(double h, Random rng)
    {
        var target = _phase == Phase.Driving ? _targetSpeedMs : 0;

        // Less punch at motorway speed; firmer braking when a light or a parking spot comes up, still a comfortable stop
        // below the harsh-braking threshold of driving insights (3.5 m/s^2), with the jitter added below.
        var maxAccel = 2.5 * (1 - Math.Min(_speedMs / 40, 0.7));
        var maxBrake = _phase is Phase.StoppingForLight or Phase.StoppingToPark ? 3.2 : 2.5;
        var wanted = Math.Clamp((target - _speedMs) / 4, -maxBrake, maxAccel);

        // Limited jerk, so the reported acceleration moves smoothly between samples; a hard brake is a hard brake.
        var accel = LongitudinalAcceleration + (wanted - LongitudinalAcceleration) * Math.Min(1, h / 0.8);
        if (_hardBrakeSeconds > 0)
        {
            _hardBrakeSeconds -= h;
            accel = -HardBrakeMps2;
        }

        if (_speedMs > 0)
        {
            accel += (rng.NextDouble() - 0.5) * 0.1;
        }

        var speed = _speedMs + accel * h;
        if (speed <= 0 || (target == 0 && speed < 0.3))
        {
            // The braking that brought the car to rest, not speed/h: tiny steps would turn that into a crash pulse.
            accel = _speedMs > 0 ? Math.Min(accel, 0) : 0;
            speed = 0;
        }

        _speedMs = Math.Min(speed, 130 / 3.6);
        LongitudinalAcceleration = accel;
    }

    private double UpdateHeadingAndPosition(double h, Random rng)
    {
        if (_speedMs < 0.5)
        {
            _turnRateDegS = 0;
            LateralAcceleration = 0;
            VerticalAcceleration = 0;
            return 0;
        }

        _turnRateDegS += (rng.NextDouble() - 0.5) * 2 * h;
        _turnRateDegS *= 1 - 0.15 * h;

        // Outside the city the driver turns back towards the centre instead of leaving Berlin.
        if (DistanceFromCenterKm() > CityRadiusKm)
        {
            var towardsCenter = NormalizeSigned(BearingToCenter() - Heading);
            _turnRateDegS += Math.Sign(towardsCenter) * 1.5 * h;
        }

        // Keep lateral acceleration at or below 3 m/s^2: tight turns only at low speed.
        var maxTurn = Math.Min(10, RadiansToDegrees(3 / _speedMs));
        _turnRateDegS = Math.Clamp(_turnRateDegS, -maxTurn, maxTurn);

        Heading = NormalizeDegrees(Heading + _turnRateDegS * h);
        LateralAcceleration = _speedMs * DegreesToRadians(_turnRateDegS);
        VerticalAcceleration = (rng.NextDouble() - 0.5) * 0.6 * Math.Min(1, _speedMs / 15);

        var meters = _speedMs * h;
        var heading = DegreesToRadians(Heading);
        Latitude += meters * Math.Cos(heading) / MetersPerDegreeLatitude;
        Longitude += meters * Math.Sin(heading) / (MetersPerDegreeLatitude * Math.Cos(DegreesToRadians(Latitude)));
        return meters;
    }

    private void UpdateEnergy(double h, double meters)
    {
        var km = meters / 1000;
        TraveledDistanceKm += km;

        // Rolling resistance plus air drag growing with the square of speed: about 18 kWh/100 km at 50 km/h.
        var kwhPerKm = 0.15 + 0.000012 * SpeedKmh * SpeedKmh;
        var percent = StateOfCharge - kwhPerKm * km / BatteryKwh * 100;
        if (IsCharging)
        {
            percent += ChargePowerKw * h / 3600 / BatteryKwh * 100;
        }

        StateOfCharge = Math.Clamp(percent, 0, 100);
    }

    private void UpdateTemperatures(double h, Random rng)
    {
        ExteriorTemperature = Math.Clamp(ExteriorTemperature + (rng.NextDouble() - 0.5) * 0.02 * h, _exteriorBaseCelsius - 3, _exteriorBaseCelsius + 3);

        // HVAC pulls the cabin to its set point within minutes; a parked cabin drifts to ambient slowly.
        var (target, timeConstant) = IsDriverSeatOccupied ? (CabinTargetCelsius, 300.0) : (ExteriorTemperature, 1800.0);
        CabinTemperature += (target - CabinTemperature) * Math.Min(1, h / timeConstant);
    }

    private void Drive(Random rng)
    {
        Enter(Phase.Driving, 0);
        PickTargetSpeed(rng);
    }

    private void Park(Random rng, bool wantsCharge)
    {
        Enter(Phase.Parked, 60 + rng.NextDouble() * 540);
        IsChargingCableConnected = wantsCharge;
        IsCharging = wantsCharge && StateOfCharge < ChargeLimitPercent;
    }

    private void Enter(Phase phase, double seconds)
    {
        _phase = phase;
        _phaseSeconds = seconds;
    }

    private void PickTargetSpeed(Random rng)
    {
        var roll = rng.NextDouble();
        var kmh = roll < 0.7 ? 30 + rng.NextDouble() * 25
            : roll < 0.9 ? 60 + rng.NextDouble() * 30
            : 100 + rng.NextDouble() * 30;
        _targetSpeedMs = kmh / 3.6;
        _secondsToNewTarget = 10 + rng.NextDouble() * 30;
    }

    private double DistanceFromCenterKm()
    {
        var north = (Latitude - CenterLatitude) * MetersPerDegreeLatitude;
        var east = (Longitude - CenterLongitude) * MetersPerDegreeLatitude * Math.Cos(DegreesToRadians(Latitude));
        return Math.Sqrt(north * north + east * east) / 1000;
    }

    private double BearingToCenter()
    {
        var north = CenterLatitude - Latitude;
        var east = (CenterLongitude - Longitude) * Math.Cos(DegreesToRadians(Latitude));
        return NormalizeDegrees(RadiansToDegrees(Math.Atan2(east, north)));
    }

    private static double NormalizeDegrees(double degrees)
    {
        var d = degrees % 360;
        if (d < 0)
        {
            d += 360;
        }

        // -1e-15 % 360 + 360 rounds to exactly 360, which is not a heading.
        return d >= 360 ? 0 : d;
    }

    private static double NormalizeSigned(double degrees)
    {
        var d = NormalizeDegrees(degrees);
        return d > 180 ? d - 360 : d;
    }

    private static double DegreesToRadians(double degrees) => degrees * Math.PI / 180;

    private static double RadiansToDegrees(double radians) => radians * 180 / Math.PI;
}
