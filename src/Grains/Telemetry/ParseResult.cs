namespace DigitalTwin.Grains.Telemetry;

/// <summary>
/// The outcome of parsing one document: either a value (possibly with some signals rejected)
/// or a document-level error with a reason code from <see cref="RejectReason"/>.
/// </summary>
public sealed class ParseResult<T> where T : class
{
    private static readonly IReadOnlyList<SignalRejection> NoRejections = [];

    private ParseResult(T? value, string? error, string? detail, IReadOnlyList<SignalRejection> rejections)
    {
        Value = value;
        Error = error;
        Detail = detail;
        Rejections = rejections;
    }

    public T? Value { get; }

    /// <summary>A <see cref="RejectReason"/> code when the whole document was refused.</summary>
    public string? Error { get; }

    public string? Detail { get; }

    /// <summary>Signals dropped from an accepted document.</summary>
    public IReadOnlyList<SignalRejection> Rejections { get; }

    public bool IsSuccess => Value is not null;

    public static ParseResult<T> Success(T value, IReadOnlyList<SignalRejection>? rejections = null) =>
        new(value, null, null, rejections ?? NoRejections);

    public static ParseResult<T> Failure(string reason, string detail) => new(null, reason, detail, NoRejections);
}
