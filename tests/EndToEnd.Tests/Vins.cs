namespace DigitalTwin.EndToEnd.Tests;

/// <summary>Fresh VINs per test, so tests sharing one silo never see each other's cars.</summary>
public static class Vins
{
    private static int _next;

    public static string Next(string prefix = "WDD2030461E") => $"{prefix}{Interlocked.Increment(ref _next):D6}";
}
