using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace DigitalTwin.Dashboard.Tests;

/// <summary>One signed-in page; runs a test's steps and keeps screenshots of each view it visited when a step fails.</summary>
public sealed class DashboardPage(IPage page, string testName) : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _log = new();
    private readonly List<(string View, byte[] Png)> _views = [];

    public IPage Page { get; } = page;

    public void Log(string line) => _log.Enqueue(line);

    /// <summary>Navigates to a view (<c>#/alerts</c>...) and remembers it for the failure screenshots.</summary>
    public async Task GoAsync(string hash)
    {
        await Page.EvaluateAsync("h => location.hash = h", hash);
        await Page.WaitForFunctionAsync("h => location.hash === h", hash);
    }

    /// <summary>A screenshot of what the page shows now, written if the test fails (always, with DIGITALTWIN_SCREENSHOTS=1).</summary>
    public async Task SnapAsync(string view) => _views.Add((view, await Page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true })));

    /// <summary>Runs the test's steps; on failure saves every view seen plus the current one, and the browser's console.</summary>
    public async Task RunAsync(Func<Task> steps)
    {
        try
        {
            await steps();
            if (Environment.GetEnvironmentVariable("DIGITALTWIN_SCREENSHOTS") == "1")
            {
                await SaveAsync(failed: false);
            }
        }
        catch
        {
            try
            {
                await SnapAsync("at-failure");
            }
            catch (PlaywrightException)
            {
                // The page itself is gone; the screenshots taken so far still help.
            }

            await SaveAsync(failed: true);
            throw;
        }
    }

    private async Task SaveAsync(bool failed)
    {
        var directory = Path.Combine(BrowserFixture.ArtefactsDirectory, testName);
        Directory.CreateDirectory(directory);
        for (var i = 0; i < _views.Count; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, $"{i + 1:D2}-{_views[i].View}.png"), _views[i].Png);
        }

        await File.WriteAllLinesAsync(Path.Combine(directory, "console.log"), _log);
        if (failed)
        {
            Console.Error.WriteLine($"Dashboard test {testName} failed; screenshots and console in {directory}");
        }
    }

    public async ValueTask DisposeAsync() => await Page.Context.CloseAsync();
}
