namespace DigitalTwin.Persistence.WriteBehind;

/// <summary>
/// Delay before the next write attempt: the normal interval while writes succeed, then doubling per failure up to a
/// ceiling. Jitter keeps many silos that lost the same database from hammering it in lockstep when it returns.
/// </summary>
internal sealed class RetryBackoff(TimeSpan interval, TimeSpan maxDelay)
{
    public int Failures { get; private set; }

    public void Failed() => Failures++;

    public void Reset() => Failures = 0;

    public TimeSpan NextDelay()
    {
        if (Failures == 0)
        {
            return interval;
        }

        var ceiling = Math.Max(maxDelay.Ticks, 1);
        var exponent = Math.Min(Failures, 30);
        var grown = interval.Ticks > ceiling >> exponent ? ceiling : interval.Ticks << exponent;
        var jittered = grown * (0.8 + (Random.Shared.NextDouble() * 0.4));
        return TimeSpan.FromTicks((long)Math.Clamp(jittered, 1, ceiling));
    }
}
