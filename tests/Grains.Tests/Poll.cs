namespace DigitalTwin.Grains.Tests;

/// <summary>Waits for a condition with a deadline instead of sleeping a guessed amount.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within the deadline");
            await Task.Delay(10);
        }
    }
}
