-- Fits alerts and commands to the records the silo stores (CrashAlert, VehicleCommand). Each row gains a `document`
-- with the whole record, which is what the silo reads back, so that every field round-trips exactly (instants with
-- their offset and 100 ns ticks, TimeSpans, combined flags, the command's params as the exact text). The typed columns
-- stay and are written in the same statement: they are for plain-SQL readers, and for the indexes.
-- Rows written before this migration, or by other systems, have no document; see each table below.

-- Alerts ------------------------------------------------------------------------------------------------------------

-- Alert ids derive from the VIN and the incident time ("WDD2030461A123456-crash-1764028800500") so that a replayed
-- incident lands on the same alert; they are not uuids. Existing uuids keep their text form.
ALTER TABLE alerts ALTER COLUMN id TYPE text USING id::text;

ALTER TABLE alerts
    ADD COLUMN status      text        NULL,
    ADD COLUMN updated_at  timestamptz NULL,
    -- The car's time of the incident's first trigger: what "newest first" means for a vehicle's alerts.
    ADD COLUMN occurred_at timestamptz NULL,
    ADD COLUMN document    jsonb       NULL;

UPDATE alerts
SET status = CASE WHEN acknowledged_at IS NULL THEN 'open' ELSE 'acknowledged' END,
    updated_at = GREATEST(raised_at, acknowledged_at);

ALTER TABLE alerts
    ALTER COLUMN status SET NOT NULL,
    ALTER COLUMN status SET DEFAULT 'open',
    ALTER COLUMN updated_at SET NOT NULL,
    ALTER COLUMN updated_at SET DEFAULT now(),
    ADD CONSTRAINT alerts_id_not_empty CHECK (id <> ''),
    ADD CONSTRAINT alerts_status_known CHECK (status IN ('open', 'acknowledged', 'resolved')),
    ADD CONSTRAINT alerts_document_is_object CHECK (document IS NULL OR jsonb_typeof(document) = 'object'),
    -- The silo lists only rows it wrote (those with a document), ordered by occurred_at.
    ADD CONSTRAINT alerts_document_has_occurred_at CHECK (document IS NULL OR occurred_at IS NOT NULL);

-- GET /api/v1/vehicles/{vin}/alerts: newest incident first, then the id in byte order, as the in-memory store does.
DROP INDEX alerts_vin_raised_at;
CREATE INDEX alerts_vin_occurred_at ON alerts (vin, occurred_at DESC, id COLLATE "C" DESC);

-- Commands ----------------------------------------------------------------------------------------------------------

ALTER TABLE commands
    -- The silo's own state. `status` stays the contract's wire status, which has no `superseded`: a command replaced
    -- by a newer one of its kind before it was sent reads as `expired` there (see the constraint below).
    ADD COLUMN state           text   NULL,
    -- The client's Idempotency-Key: a retried POST with the same key finds this command.
    ADD COLUMN idempotency_key text   NULL,
    ADD COLUMN document        jsonb  NULL,
    -- Insertion order, to keep commands created in the same microsecond in the order they were queued.
    ADD COLUMN seq             bigint GENERATED ALWAYS AS IDENTITY;

UPDATE commands SET state = status;

ALTER TABLE commands
    ALTER COLUMN state SET NOT NULL,
    -- A writer that knows only `status` keeps working for new commands.
    ALTER COLUMN state SET DEFAULT 'pending',
    ADD CONSTRAINT commands_state_known
        CHECK (state IN ('pending', 'sent', 'accepted', 'completed', 'rejected', 'failed', 'expired', 'superseded')),
    ADD CONSTRAINT commands_status_is_wire_state
        CHECK (status = CASE state WHEN 'superseded' THEN 'expired' ELSE state END),
    ADD CONSTRAINT commands_document_is_object CHECK (document IS NULL OR jsonb_typeof(document) = 'object');

-- One command per key and vehicle; another vehicle may use the same key.
CREATE UNIQUE INDEX commands_vin_idempotency_key ON commands (vin, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- The queue a reactivated twin resumes: its open commands, oldest first. The states are those
-- CommandLifecycle.IsFinal calls not final.
CREATE INDEX commands_open_by_vin ON commands (vin, created_at, seq) WHERE state IN ('pending', 'sent', 'accepted');
