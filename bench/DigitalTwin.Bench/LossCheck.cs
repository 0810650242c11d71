namespace DigitalTwin.Bench;

/// <param name="CarsChecked">Cars whose twin was read back.</param>
/// <param name="CarsBehind">Cars whose twin's last seq is below the last seq the car published.</param>
/// <param name="SeqsMissing">Sum over those cars of how far behind the twin is.</param>
public sealed record LossCheck(int CarsChecked, int CarsBehind, long SeqsMissing)
{
    public bool Passed => CarsBehind == 0;
}
