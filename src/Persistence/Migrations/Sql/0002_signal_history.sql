-- Every applied sample of every signal, for GET /api/v1/vehicles/{vin}/telemetry?signal=&from=&to=.
-- Values are typed columns (exactly one is set) so that plain SQL can aggregate them without casts.
CREATE TABLE signal_history
(
    vin        text             NOT NULL,
    signal     text             NOT NULL,
    ts         timestamptz      NOT NULL,
    value_num  double precision NULL,
    value_bool boolean          NULL,
    value_text text             NULL,

    CONSTRAINT signal_history_one_value CHECK (num_nonnulls(value_num, value_bool, value_text) = 1)
);

-- The API's only query: one signal of one vehicle over a time range.
CREATE INDEX signal_history_vin_signal_ts ON signal_history (vin, signal, ts);

-- Retention deletes by age across all vehicles. Rows arrive roughly in time order, so a BRIN index
-- finds the old pages for a few kilobytes instead of a second B-tree as large as the table.
CREATE INDEX signal_history_ts_brin ON signal_history USING brin (ts);

COMMENT ON TABLE signal_history IS 'Signal samples per vehicle; rows older than Persistence:HistoryRetention are deleted.';
