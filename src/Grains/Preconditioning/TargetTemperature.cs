namespace DigitalTwin.Grains.Preconditioning;

/// <summary>
/// The one rule for a preconditioning target: a finite temperature from <see cref="MinC"/> to <see cref="MaxC"/>
/// degrees Celsius. The REST plan, the <c>hvac.precondition</c> command and the planner all ask here; each words its
/// own answer.
/// </summary>
public static class TargetTemperature
{
    public const double MinC = 16.0;
    public const double MaxC = 28.0;

    public static bool IsValid(double celsius) => double.IsFinite(celsius) && celsius >= MinC && celsius <= MaxC;
}
