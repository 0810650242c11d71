-- signal_history becomes a table partitioned by range of ts, so that retention drops a whole partition (a file unlinked,
-- no WAL, no dead rows left for VACUUM) instead of deleting billions of rows one by one, and so that a day's writes
-- only ever touch that day's index. Names, columns, the CHECK and the unique index signal_history_vin_signal_ts (which
-- the writer's ON CONFLICT and the reader's range query rely on) stay what they were: on a partitioned table a unique
-- index must contain the partition key, and (vin, signal, ts) does.
--
-- Partitions are created by the silo (SignalHistoryPartitions: one per Persistence:HistoryPartitionInterval, from the
-- retention cutoff to a few days ahead). What no partition covers goes to signal_history_default, so a sample with a
-- car's clock far in the past or future is stored, never refused; a partition created later takes its rows from there.
--
-- Existing rows are not copied. The old table is renamed and attached as one partition covering everything before the
-- start of tomorrow (UTC), with the unique index it already has adopted as its share of the parent's index (no index is
-- built). Samples stamped tomorrow or later (cars whose clock runs ahead) are moved to the default partition first, found
-- through the BRIN index on ts. Retention deletes from that partition in slices as before, and drops it once it is
-- wholly older than Persistence:HistoryRetention.
--
-- Cost on a large table. Everything below runs in the migrator's one transaction, so it is all or nothing, and holds an
-- ACCESS EXCLUSIVE lock on the old table from the first statement to the commit: history queries and history writes
-- wait for the whole of it. Silos of the previous version keep their samples in memory meanwhile (up to
-- Persistence:MaxPendingHistoryRows) and retry after Persistence:CommandTimeout; the silo migrating does not start
-- until it is done. The work is one sequential read of the old table (ATTACH PARTITION checks that every row lies
-- within the partition's bound) plus the BRIN-guided move of future samples; nothing is rewritten and no index is
-- built, so the time is that of reading the table once. Measured on 2 shared cores (load average 22) with PostgreSQL 15:
-- 14.4 million rows (2.5 GB with indexes, mostly in the page cache) and 1,000 future samples took 5.2 s
-- (deploy/measure/history-100m.sh migrate). Read from disk it is the disk's sequential speed. Renaming the old table keeps its BRIN index on it (renamed with it);
-- the new parent has none, since a partition per interval finds old rows better than a BRIN index does.

LOCK TABLE signal_history IN ACCESS EXCLUSIVE MODE;

ALTER TABLE signal_history RENAME TO signal_history_p_migrated;
ALTER INDEX signal_history_vin_signal_ts RENAME TO signal_history_p_migrated_vin_signal_ts;
ALTER INDEX signal_history_ts_brin RENAME TO signal_history_p_migrated_ts_brin;

-- The CHECK keeps its name: ATTACH PARTITION matches a partition's constraints to the parent's by name.
CREATE TABLE signal_history
(
    vin        text             NOT NULL,
    signal     text             NOT NULL,
    ts         timestamptz      NOT NULL,
    value_num  double precision NULL,
    value_bool boolean          NULL,
    value_text text             NULL,

    CONSTRAINT signal_history_one_value CHECK (num_nonnulls(value_num, value_bool, value_text) = 1)
) PARTITION BY RANGE (ts);

CREATE UNIQUE INDEX signal_history_vin_signal_ts ON signal_history (vin, signal, ts);

COMMENT ON INDEX signal_history_vin_signal_ts IS
    'Identifies a sample: the history writer inserts ON CONFLICT (vin, signal, ts) DO NOTHING, so writing one twice is harmless. Serves the API''s range query in each partition.';

CREATE TABLE signal_history_default PARTITION OF signal_history DEFAULT;

COMMENT ON TABLE signal_history IS
    'Signal samples per vehicle, partitioned by range of ts (Persistence:HistoryPartitionInterval); partitions older than Persistence:HistoryRetention are dropped.';
COMMENT ON TABLE signal_history_default IS
    'Samples no other partition covers (car clocks far off); moved out when a partition covering them is created.';

DO $migrate$
DECLARE
    -- Partitions the silo creates start here, on a day boundary, which every allowed interval divides or starts on.
    first_partition timestamptz := date_trunc('day', now(), 'UTC') + interval '1 day';
BEGIN
    IF NOT EXISTS (SELECT FROM signal_history_p_migrated) THEN
        DROP TABLE signal_history_p_migrated;
        RETURN;
    END IF;

    WITH moved AS (
        DELETE FROM signal_history_p_migrated
        WHERE ts >= first_partition
        RETURNING vin, signal, ts, value_num, value_bool, value_text
    )
    INSERT INTO signal_history (vin, signal, ts, value_num, value_bool, value_text)
    SELECT vin, signal, ts, value_num, value_bool, value_text FROM moved;

    EXECUTE format(
        'ALTER TABLE signal_history ATTACH PARTITION signal_history_p_migrated FOR VALUES FROM (MINVALUE) TO (%L)',
        first_partition);

    COMMENT ON TABLE signal_history_p_migrated IS
        'signal_history as it was before partitioning (migration 0011); retention deletes from it in slices and drops it once it is wholly expired.';
END
$migrate$;
