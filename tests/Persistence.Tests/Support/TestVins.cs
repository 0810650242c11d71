namespace DigitalTwin.Persistence.Tests.Support;

/// <summary>Well-formed, distinct VINs (ISO 3779 alphabet), so tests sharing a database never share a vehicle.</summary>
public static class TestVins
{
    private const string Alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    private static readonly string RunPrefix = Guid.NewGuid().ToString("N")[..4].ToUpperInvariant(); // hex: never I, O or Q
    private static long _next;

    public static string Next()
    {
        var n = Interlocked.Increment(ref _next);
        var suffix = new char[10];
        for (var i = suffix.Length - 1; i >= 0; i--)
        {
            suffix[i] = Alphabet[(int)(n % Alphabet.Length)];
            n /= Alphabet.Length;
        }

        return $"WD{RunPrefix}1{new string(suffix)}";
    }
}
