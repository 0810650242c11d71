-- A sample is identified by (vin, signal, ts): writing it a second time must leave one row. After a crash, telemetry
-- whose history was already copied but whose snapshot was not yet written is applied again (a Kafka partition is
-- re-read from the last committed offset), and the writer's retries can repeat a batch whose commit it never saw.
-- The writer now inserts with ON CONFLICT (vin, signal, ts) DO NOTHING, which needs a unique index on those columns.
--
-- Cost on a large table. Everything below runs in the migrator's one transaction, so it is all or nothing. History
-- queries carry on until the last step; every history write waits for the whole of it (the SHARE lock, taken first so
-- that no duplicate can arrive between the clean-up and the index). Silos of the previous version keep their samples in
-- memory meanwhile (up to Persistence:MaxPendingHistoryRows) and retry after Persistence:CommandTimeout; the silo
-- migrating does not start until it is done.
--   1. The DELETE reads the whole table once to find keys held more than once and deletes all but one row of each.
--   2. CREATE UNIQUE INDEX reads the whole table again and sorts every key (in maintenance_work_mem, then in temporary
--      files); the new index is the size of the old one, and both exist until the end.
--   3. Dropping the old index and renaming the new one takes an ACCESS EXCLUSIVE lock, for milliseconds.
-- Measured on 2 shared cores (load average 12-20) with PostgreSQL 15: 5,000,000 rows (986 MB) with 1% duplicates
-- took 14-23 s for step 1 and 25-32 s for step 2 (two runs), about 8-11 s per million rows. With a week of history
-- for a large fleet (billions of rows) that is hours: run it in a quiet hour, or shorten Persistence:HistoryRetention
-- first and let retention delete down; raising maintenance_work_mem for the migrating session speeds up step 2.

LOCK TABLE signal_history IN SHARE MODE;

-- Of rows with the same key, the first stored (lowest ctid) is kept: a replay writes the same values again anyway.
-- min(tid) needs PostgreSQL 14 or later.
DELETE FROM signal_history h
USING (
    SELECT vin, signal, ts, min(ctid) AS kept
    FROM signal_history
    GROUP BY vin, signal, ts
    HAVING count(*) > 1
) duplicated
WHERE h.vin = duplicated.vin
  AND h.signal = duplicated.signal
  AND h.ts = duplicated.ts
  AND h.ctid <> duplicated.kept;

-- Built beside the old index so that queries keep theirs until the very end; then it takes over the old name, which
-- the API's range query (SignalHistoryReader) is served by, and which runbooks and dashboards may name.
CREATE UNIQUE INDEX signal_history_vin_signal_ts_unique ON signal_history (vin, signal, ts);
DROP INDEX signal_history_vin_signal_ts;
ALTER INDEX signal_history_vin_signal_ts_unique RENAME TO signal_history_vin_signal_ts;

COMMENT ON INDEX signal_history_vin_signal_ts IS
    'Identifies a sample: the history writer inserts ON CONFLICT (vin, signal, ts) DO NOTHING, so writing one twice is harmless.';
