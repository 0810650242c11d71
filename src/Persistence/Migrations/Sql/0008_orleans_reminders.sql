-- Reminders for Microsoft.Orleans.Reminders.AdoNet (Invariant "Npgsql"), for when grains need
-- durable timers. Same conventions as the clustering migration: the provider reads its statements from
-- OrleansQuery by key, binds named parameters and reads result columns by name.

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    varchar(150)   NOT NULL,
    GrainId      varchar(150)   NOT NULL,
    ReminderName varchar(150)   NOT NULL,
    StartTime    timestamptz(3) NOT NULL,
    -- Milliseconds; the provider sends an int when it fits and a bigint otherwise.
    Period       bigint         NOT NULL,
    -- The grain's position on the consistent-hash ring, so that each silo reads only its own range.
    GrainHash    integer        NOT NULL,
    Version      integer        NOT NULL,

    CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    -- Answers the row's new version, which the provider keeps as the reminder's ETag.
    'UpsertReminderRowKey',
    $q$
    INSERT INTO OrleansRemindersTable AS r (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
    VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
    ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
    SET StartTime = EXCLUDED.StartTime,
        Period = EXCLUDED.Period,
        GrainHash = EXCLUDED.GrainHash,
        Version = r.Version + 1
    RETURNING r.Version;
    $q$
),
(
    'ReadReminderRowsKey',
    $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND @ServiceId IS NOT NULL
      AND GrainId = @GrainId AND @GrainId IS NOT NULL;
    $q$
),
(
    'ReadReminderRowKey',
    $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND @ServiceId IS NOT NULL
      AND GrainId = @GrainId AND @GrainId IS NOT NULL
      AND ReminderName = @ReminderName AND @ReminderName IS NOT NULL;
    $q$
),
(
    -- A ring range that does not wrap around: (BeginHash, EndHash].
    'ReadRangeRows1Key',
    $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND @ServiceId IS NOT NULL
      AND GrainHash > @BeginHash AND @BeginHash IS NOT NULL
      AND GrainHash <= @EndHash AND @EndHash IS NOT NULL;
    $q$
),
(
    -- A ring range that wraps around past the top of the hash space.
    'ReadRangeRows2Key',
    $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND @ServiceId IS NOT NULL
      AND ((GrainHash > @BeginHash AND @BeginHash IS NOT NULL)
        OR (GrainHash <= @EndHash AND @EndHash IS NOT NULL));
    $q$
),
(
    -- Deletes only the version the caller holds; answers 1 if it did.
    'DeleteReminderRowKey',
    $q$
    WITH deleted AS
    (
        DELETE FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId AND @ServiceId IS NOT NULL
          AND GrainId = @GrainId AND @GrainId IS NOT NULL
          AND ReminderName = @ReminderName AND @ReminderName IS NOT NULL
          AND Version = @Version AND @Version IS NOT NULL
        RETURNING 1
    )
    SELECT count(*)::integer FROM deleted;
    $q$
),
(
    'DeleteReminderRowsKey',
    $q$
    DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId AND @ServiceId IS NOT NULL;
    $q$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
