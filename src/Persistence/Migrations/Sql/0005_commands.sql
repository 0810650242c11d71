-- Commands sent to vehicles and their lifecycle, shaped after the contract's command document
-- {"id", "name", "params", "expiresAt"} and the statuses of GET /api/v1/vehicles/{vin}/commands/{id}.
CREATE TABLE commands
(
    id           uuid        NOT NULL,
    vin          text        NOT NULL,
    name         text        NOT NULL,
    params       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    status       text        NOT NULL DEFAULT 'pending',
    -- The car's reason from its ack, or ours (for example why it expired).
    reason       text        NULL,
    requested_by text        NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT commands_pk PRIMARY KEY (id),
    CONSTRAINT commands_status_known CHECK (status IN ('pending', 'sent', 'accepted', 'rejected', 'completed', 'failed', 'expired')),
    CONSTRAINT commands_params_is_object CHECK (jsonb_typeof(params) = 'object')
);

CREATE INDEX commands_vin_created_at ON commands (vin, created_at DESC);

-- The expiry sweep only looks at commands that can still change; finished ones stay out of this index.
CREATE INDEX commands_open_by_expiry ON commands (expires_at) WHERE status IN ('pending', 'sent', 'accepted');
