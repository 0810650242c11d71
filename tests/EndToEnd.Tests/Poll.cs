namespace DigitalTwin.EndToEnd.Tests;

/// <summary>Waits for a condition with a deadline instead of sleeping a guessed amount.</summary>
public static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Condition not met within the deadline; last value: {value}");
            }

            await Task.Delay(20);
        }
    }
}
