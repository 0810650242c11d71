using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DigitalTwin.Api.Problems;

/// <summary>One problem with one field of a request: where (<see cref="Field"/>) and what is wrong (<see cref="Message"/>).</summary>
public readonly record struct FieldError(string Field, string Message);

/// <summary>
/// The one way the API answers a request it will not take: 400, type <see cref="ProblemTypes.Validation"/>, and
/// <c>errors</c> mapping each field, in the order first named, to its messages. Without a title the framework's
/// default title stands.
/// </summary>
public static class ValidationProblems
{
    public static ValidationProblem For(string field, string message, string? title = null) =>
        For([new FieldError(field, message)], title);

    public static ValidationProblem For(IEnumerable<FieldError> errors, string? title = null) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(e => e.Field, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal),
            title: title,
            type: ProblemTypes.Validation);
}
