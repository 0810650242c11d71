-- Alerts raised by the backend (crash and others), shaped after the contract's alert document:
-- {"id", "vin", "type", "severity", "raisedAt", "trigger", "position": {...}, "occupants"}.
CREATE TABLE alerts
(
    id              uuid             NOT NULL,
    vin             text             NOT NULL,
    type            text             NOT NULL,
    severity        text             NOT NULL,
    raised_at       timestamptz      NOT NULL,
    trigger         text             NULL,
    latitude        double precision NULL,
    longitude       double precision NULL,
    heading         double precision NULL,
    occupants       integer          NULL,
    -- Whatever else a particular alert type carries, so new types need no migration.
    details         jsonb            NOT NULL DEFAULT '{}'::jsonb,
    acknowledged_at timestamptz      NULL,
    created_at      timestamptz      NOT NULL DEFAULT now(),

    CONSTRAINT alerts_pk PRIMARY KEY (id),
    CONSTRAINT alerts_occupants_not_negative CHECK (occupants IS NULL OR occupants >= 0)
);

-- GET /api/v1/vehicles/{vin}/alerts lists newest first.
CREATE INDEX alerts_vin_raised_at ON alerts (vin, raised_at DESC, id);
