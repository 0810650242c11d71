using System.Text;
using System.Text.Json;
using Npgsql;

namespace DigitalTwin.Persistence.WriteBehind;

/// <summary>Tells a poisoned row from an unreachable database.</summary>
internal static class WriteErrors
{
    /// <summary>
    /// True when retrying the same rows can never succeed: the data itself is refused (a NUL character in text, a
    /// value out of range, a lone surrogate that cannot be encoded). Such a batch is split to find and drop the bad
    /// rows; anything else (connection lost, timeout, server shutting down) keeps the whole batch for the next retry.
    /// </summary>
    public static bool IsCausedByData(Exception exception) => exception switch
    {
        // Class 22 is "data exception", 23 "integrity constraint violation", 54 "program limit exceeded".
        PostgresException pg => pg.SqlState.StartsWith("22", StringComparison.Ordinal)
                                || pg.SqlState.StartsWith("23", StringComparison.Ordinal)
                                || pg.SqlState.StartsWith("54", StringComparison.Ordinal),
        // Text with a lone surrogate cannot be encoded as UTF-8 (Npgsql) or JSON.
        EncoderFallbackException or JsonException => true,
        NpgsqlException { InnerException: { } inner } => IsCausedByData(inner),
        _ => false,
    };
}
