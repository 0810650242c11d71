-- One row per vehicle: the latest snapshot of its twin, written behind by the silo that hosts it.
-- Other systems read this table directly, so every field is a plain column except the signal map.
CREATE TABLE vehicle_snapshots
(
    vin                text        NOT NULL,
    -- {"Vehicle.Speed": {"value": 87.5, "ts": 1764028800123}, ...}; ts is the car's sample time in epoch ms.
    signals            jsonb       NOT NULL DEFAULT '{}'::jsonb,
    online             boolean     NOT NULL DEFAULT false,
    last_seen_at       timestamptz NULL,
    last_telemetry_seq bigint      NOT NULL DEFAULT -1,
    last_event_seq     bigint      NOT NULL DEFAULT -1,
    -- Grows with every change the twin applies; a write carrying a lower version than the row is refused.
    version            bigint      NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT vehicle_snapshots_pk PRIMARY KEY (vin),
    CONSTRAINT vehicle_snapshots_signals_is_object CHECK (jsonb_typeof(signals) = 'object')
)
-- Rows are rewritten about once per flush interval while a car drives; free space on each page lets
-- PostgreSQL keep the new row version on the same page (HOT update) instead of touching the index.
WITH (fillfactor = 80);

COMMENT ON TABLE vehicle_snapshots IS 'Latest digital-twin snapshot per vehicle (write-behind from the silos).';
COMMENT ON COLUMN vehicle_snapshots.signals IS 'VSS path -> {"value": number|boolean|string, "ts": epoch ms}';
COMMENT ON COLUMN vehicle_snapshots.version IS 'Twin version; optimistic concurrency: an older version never overwrites a newer one.';
