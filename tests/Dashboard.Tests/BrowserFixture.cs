using DigitalTwin.EndToEnd.Tests;
using Microsoft.Playwright;

namespace DigitalTwin.Dashboard.Tests;

/// <summary>
/// The real silo in-process (Development, so the page offers its development sign-in) and Debian's chromium driven by
/// Playwright, started once for every browser test.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Where Debian's chromium package puts the browser; <c>DIGITALTWIN_CHROMIUM</c> overrides it.</summary>
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("DIGITALTWIN_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public SiloFixture Silo { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Test artefacts: screenshots of every view when a test fails (or always, with DIGITALTWIN_SCREENSHOTS=1).</summary>
    public static string ArtefactsDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"No browser at {ChromiumPath}: install Debian's chromium (apt-get install chromium) or set DIGITALTWIN_CHROMIUM");
        }

        Silo = await SiloFixture.StartAsync(
            "--environment=Development",
            "--Dashboard:DevelopmentSignIn=true",
            "--Dashboard:OrleansDashboard=true",
            // The fleet stream renews its members every 30 s; tests add cars before they open the page, so that is fine.
            "--Api:MaxTwinEventsPerSecond=10");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Root in a container has no user namespaces for chromium's sandbox.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Silo is not null)
        {
            await Silo.DisposeAsync();
        }
    }

    /// <summary>A fresh browser context (its own session storage) on the dashboard, signed in through the development form.</summary>
    public async Task<DashboardPage> SignInAsync(string sub, string role, string testName, ViewportSize? viewport = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Silo.BaseAddress.ToString(),
            ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 800 },
        });
        var page = await context.NewPageAsync();
        var dashboard = new DashboardPage(page, testName);
        page.Console += (_, message) => dashboard.Log($"console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => dashboard.Log($"page error: {error}");
        await page.GotoAsync("/dashboard/");
        await page.GetByLabel("User id (sub)").FillAsync(sub);
        await page.GetByLabel("Role").SelectOptionAsync(role);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in (development)" }).ClickAsync();
        await Assertions.Expect(page.Locator("#signed-in-as")).ToHaveTextAsync($"{sub} ({role})");
        return dashboard;
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
