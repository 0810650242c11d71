namespace DigitalTwin.Deploy.Tests.Support;

/// <summary>Waits for a condition by asking again until a deadline; never sleeps a guessed amount instead.</summary>
public static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what, Func<T, string>? describe = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            T value;
            try
            {
                value = await probe();
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                continue;
            }

            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {what}; last seen: {(describe is null ? value?.ToString() : describe(value))}");
            }

            await Task.Delay(100);
        }
    }
}
