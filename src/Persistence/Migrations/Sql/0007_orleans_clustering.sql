-- Membership for Orleans:Clustering=AdoNet (Microsoft.Orleans.Clustering.AdoNet, Invariant "Npgsql").
--
-- The provider's contract, as it reads and binds them:
--   * one version row per deployment; every membership write must name the version it read and
--     bump it, so that two silos deciding at once cannot both win (the "extended membership protocol");
--   * one row per silo incarnation (address, port, generation) with its status and heartbeat;
--   * write queries answer a single value read as a boolean: non-zero = applied, zero = lost the race;
--   * read queries return columns by these names.
-- Unquoted identifiers fold to lower case in PostgreSQL, and the provider's column lookups ignore case.

CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,

    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL,
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     varchar(150)   NOT NULL,
    HostName     varchar(150)   NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NULL,
    -- "silo-address,time|silo-address,time": who suspects this silo and since when.
    SuspectTimes varchar(8000)  NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,

    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Adds a silo incarnation. Both changes or neither: a stale version leaves the table untouched, and an
-- incarnation that already exists must not consume a version either.
CREATE OR REPLACE FUNCTION dt_orleans_insert_membership(
    p_deployment_id   text,
    p_address         text,
    p_port            integer,
    p_generation      integer,
    p_silo_name       text,
    p_host_name       text,
    p_status          integer,
    p_proxy_port      integer,
    p_start_time      timestamptz,
    p_i_am_alive_time timestamptz,
    p_version         integer)
RETURNS integer
LANGUAGE plpgsql AS
$fn$
BEGIN
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1,
        Timestamp = now()
    WHERE DeploymentId = p_deployment_id
      AND Version = p_version;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES
        (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
         p_start_time, p_i_am_alive_time);
    RETURN 1;
EXCEPTION
    -- A block with an EXCEPTION clause runs as a subtransaction: leaving through here also undoes the
    -- version bump above.
    WHEN unique_violation THEN
        RETURN 0;
END
$fn$;

-- Changes a silo's status and suspicions under the same version rule as the insert.
CREATE OR REPLACE FUNCTION dt_orleans_update_membership(
    p_deployment_id   text,
    p_address         text,
    p_port            integer,
    p_generation      integer,
    p_status          integer,
    p_suspect_times   text,
    p_i_am_alive_time timestamptz,
    p_version         integer)
RETURNS integer
LANGUAGE plpgsql AS
$fn$
BEGIN
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1,
        Timestamp = now()
    WHERE DeploymentId = p_deployment_id
      AND Version = p_version;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipTable
    SET Status = p_status,
        SuspectTimes = p_suspect_times,
        -- Heartbeats travel on their own path and may already be newer than the entry being written.
        IAmAliveTime = GREATEST(IAmAliveTime, p_i_am_alive_time)
    WHERE DeploymentId = p_deployment_id
      AND Address = p_address
      AND Port = p_port
      AND Generation = p_generation;
    IF NOT FOUND THEN
        -- No such silo: fail the block so that the version bump is undone as well.
        RAISE EXCEPTION USING ERRCODE = 'no_data_found';
    END IF;
    RETURN 1;
EXCEPTION
    WHEN no_data_found THEN
        RETURN 0;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    'InsertMembershipVersionKey',
    $q$
    WITH created AS
    (
        INSERT INTO OrleansMembershipVersionTable (DeploymentId)
        VALUES (@DeploymentId)
        ON CONFLICT (DeploymentId) DO NOTHING
        RETURNING 1
    )
    SELECT count(*)::integer FROM created;
    $q$
),
(
    'InsertMembershipKey',
    $q$
    SELECT dt_orleans_insert_membership(
        @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
        @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version);
    $q$
),
(
    'UpdateMembershipKey',
    $q$
    SELECT dt_orleans_update_membership(
        @DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version);
    $q$
),
(
    'UpdateIAmAlivetimeKey',
    $q$
    UPDATE OrleansMembershipTable
    SET IAmAliveTime = GREATEST(IAmAliveTime, @IAmAliveTime)
    WHERE DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL
      AND Address = @Address AND @Address IS NOT NULL
      AND Port = @Port AND @Port IS NOT NULL
      AND Generation = @Generation AND @Generation IS NOT NULL;
    $q$
),
(
    'MembershipReadRowKey',
    $q$
    SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
           m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
    FROM OrleansMembershipVersionTable v
    -- An outer join so that the version comes back even when the silo has no row yet.
    LEFT JOIN OrleansMembershipTable m
           ON m.DeploymentId = v.DeploymentId
          AND m.Address = @Address AND @Address IS NOT NULL
          AND m.Port = @Port AND @Port IS NOT NULL
          AND m.Generation = @Generation AND @Generation IS NOT NULL
    WHERE v.DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL;
    $q$
),
(
    'MembershipReadAllKey',
    $q$
    SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
           m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
    FROM OrleansMembershipVersionTable v
    LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
    WHERE v.DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL;
    $q$
),
(
    'DeleteMembershipTableEntriesKey',
    $q$
    DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL;
    DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL;
    $q$
),
(
    'GatewaysQueryKey',
    $q$
    SELECT Address, ProxyPort, Generation
    FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL
      AND Status = @Status AND @Status IS NOT NULL
      AND ProxyPort > 0;
    $q$
),
(
    -- Prunes silos that died long ago (status 6 = Dead). Only dead rows nobody suspects any more:
    -- a live or joining silo must never lose its row to a slow clock.
    'CleanupDefunctSiloEntriesKey',
    $q$
    DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL
      AND IAmAliveTime < @IAmAliveTime
      AND StartTime < @IAmAliveTime
      AND COALESCE(SuspectTimes, '') = ''
      AND Status = 6;
    $q$
),
(
    -- The per-row form used by providers that know it: deletes a dead silo only if the row still holds
    -- exactly the values the provider read, so a concurrent change keeps it.
    'CleanupDefunctSiloEntryKey',
    $q$
    DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId
      AND Address = @Address
      AND Port = @Port
      AND Generation = @Generation
      AND Status = 6
      AND StartTime = @StartTime
      AND IAmAliveTime = @IAmAliveTime
      AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '');
    $q$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
