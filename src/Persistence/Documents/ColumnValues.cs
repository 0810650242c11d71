using Npgsql;
using NpgsqlTypes;

namespace DigitalTwin.Persistence.Documents;

/// <summary>Parameters for the typed columns written next to a document; null becomes SQL NULL.</summary>
internal static class ColumnValues
{
    public static NpgsqlParameter Text(string? value) => Of(NpgsqlDbType.Text, value);

    public static NpgsqlParameter Double(double? value) => Of(NpgsqlDbType.Double, value);

    public static NpgsqlParameter Integer(int? value) => Of(NpgsqlDbType.Integer, value);

    public static NpgsqlParameter Jsonb(string json) => Of(NpgsqlDbType.Jsonb, json);

    /// <summary>timestamptz holds UTC with microseconds; the instant's own offset and ticks live in the document.</summary>
    public static NpgsqlParameter Instant(DateTimeOffset? value) => Of(NpgsqlDbType.TimestampTz, value?.UtcDateTime);

    private static NpgsqlParameter Of(NpgsqlDbType type, object? value) =>
        new() { NpgsqlDbType = type, Value = value ?? DBNull.Value };
}
