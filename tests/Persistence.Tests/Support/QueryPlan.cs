using Npgsql;

namespace DigitalTwin.Persistence.Tests.Support;

/// <summary>The plan PostgreSQL picks for a statement when it may not scan the whole table.</summary>
public static class QueryPlan
{
    /// <summary>
    /// EXPLAIN of <paramref name="sql"/> with sequential and bitmap scans switched off: a test table is tiny and would be
    /// scanned anyway, so this shows whether an index can serve exactly this statement.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ExplainAsync(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off; SET enable_bitmapscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using var explain = new NpgsqlCommand("EXPLAIN " + sql, connection);
        foreach (var parameter in parameters)
        {
            explain.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var plan = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(0));
        }

        return plan;
    }
}
