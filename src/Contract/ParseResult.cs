using System.Diagnostics.CodeAnalysis;

namespace DigitalTwin.Contract;

/// <summary>
/// The outcome of reading anything a car sends, a topic or a document: either a value (a document possibly with some
/// signals rejected) or a refusal with a reason code from <see cref="RejectReason"/> and a detail a person can act on.
/// </summary>
public readonly struct ParseResult<T>
{
    private static readonly IReadOnlyList<SignalRejection> NoRejections = [];

    private readonly IReadOnlyList<SignalRejection>? _rejections;

    private ParseResult(bool isSuccess, T? value, string? error, string? detail, IReadOnlyList<SignalRejection>? rejections)
    {
        IsSuccess = isSuccess;
        Value = value;
        Error = error;
        Detail = detail;
        _rejections = rejections;
    }

    public T? Value { get; }

    /// <summary>A <see cref="RejectReason"/> code when the whole input was refused.</summary>
    public string? Error { get; }

    public string? Detail { get; }

    /// <summary>Signals dropped from an accepted document.</summary>
    public IReadOnlyList<SignalRejection> Rejections => _rejections ?? NoRejections;

    /// <summary>Only <see cref="Success"/> makes one: a <c>default</c> result is neither a value nor a reason.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error), nameof(Detail))]
    public bool IsSuccess { get; }

    public static ParseResult<T> Success(T value, IReadOnlyList<SignalRejection>? rejections = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(true, value, null, null, rejections);
    }

    public static ParseResult<T> Failure(string reason, string detail)
    {
        ArgumentNullException.ThrowIfNull(reason);
        ArgumentNullException.ThrowIfNull(detail);
        return new(false, default, reason, detail, null);
    }
}
