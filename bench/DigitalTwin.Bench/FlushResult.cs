namespace DigitalTwin.Bench;

/// <summary>One twin count of the snapshot flush scenario.</summary>
/// <param name="Twins">Dirty twins staged before every flush, each with its own VIN.</param>
/// <param name="Rounds">Timed flushes; every one updates every row (a higher version than the stored one).</param>
/// <param name="BatchSize">Rows per upsert statement (<c>Persistence:SnapshotBatchSize</c>, the store's default).</param>
/// <param name="FirstInsertMs">The untimed first flush into the empty table (inserts, not updates), for reference.</param>
/// <param name="RowsPerSecondP50">Twins / median flush duration.</param>
/// <param name="RowsPerSecondSlowest">Twins / slowest flush duration.</param>
/// <param name="P50Ms">Median flush duration, nearest rank.</param>
/// <param name="P99Ms">99th percentile flush duration, nearest rank (with fewer than 100 rounds, the slowest round).</param>
/// <param name="StatementsPerFlush">Upsert statements per timed flush, from <c>PersistenceMetrics.SnapshotStatements</c>.</param>
/// <param name="RowsPerStatement">Rows written per statement, from <c>PersistenceMetrics</c>.</param>
/// <param name="SignalsJsonBytes">Mean stored size of the <c>signals</c> column (<c>pg_column_size</c>) after the last round.</param>
/// <param name="TableBytes">Size of <c>vehicle_snapshots</c> with its index and TOAST after the last round.</param>
/// <param name="RoundMs">Every timed flush, in order.</param>
/// <param name="Verified">Row count and every row's version and speed matched the last staged snapshots.</param>
public sealed record FlushResult(
    int Twins,
    int SignalsPerTwin,
    int Rounds,
    int BatchSize,
    double FirstInsertMs,
    double RowsPerSecondP50,
    double RowsPerSecondSlowest,
    double P50Ms,
    double P99Ms,
    double MeanMs,
    double StatementsPerFlush,
    double RowsPerStatement,
    double SignalsJsonBytes,
    long TableBytes,
    IReadOnlyList<double> RoundMs,
    bool Verified,
    string Verification);
