namespace DigitalTwin.Persistence.Tests.Support;

/// <summary>
/// A measurement kept beside the tests because it needs their PostgreSQL support, but not a test: it takes a minute,
/// proves nothing by passing, and its figures mean something only on a quiet machine. Skipped unless
/// <see cref="Variable"/> is <c>1</c>.
/// </summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public const string Variable = "DIGITALTWIN_BENCH";

    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            Skip = $"a benchmark; set {Variable}=1 to run it";
        }
    }
}
