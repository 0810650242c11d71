-- Driving insights (issue 17): finished trips, finished charging sessions, and each twin's checkpoint of what is still
-- open. Trips and sessions are written once (their ids come from the VIN and the car time they started), with typed
-- columns for plain-SQL readers and the whole record in document, which is what the silo reads back.
CREATE TABLE trips
(
    id               text             NOT NULL,
    vin              text             NOT NULL,
    started_at       timestamptz      NOT NULL,
    ended_at         timestamptz      NOT NULL,
    start_latitude   double precision NULL,
    start_longitude  double precision NULL,
    end_latitude     double precision NULL,
    end_longitude    double precision NULL,
    distance_km      double precision NOT NULL,
    distance_source  text             NOT NULL,
    duration_seconds double precision NOT NULL,
    max_speed_kmh    double precision NOT NULL,
    mean_speed_kmh   double precision NOT NULL,
    energy_kwh       double precision NULL,
    fuel_litres      double precision NULL,
    co2_grams        double precision NULL,
    driving_score    double precision NOT NULL,
    eco_score        double precision NOT NULL,
    harsh_braking    integer          NOT NULL,
    harsh_acceleration integer        NOT NULL,
    harsh_cornering  integer          NOT NULL,
    adas_interventions integer        NOT NULL,
    speeding_seconds double precision NOT NULL,
    end_reason       text             NOT NULL,
    document         jsonb            NOT NULL,
    created_at       timestamptz      NOT NULL DEFAULT now(),

    CONSTRAINT trips_pk PRIMARY KEY (id),
    CONSTRAINT trips_ends_after_start CHECK (ended_at >= started_at)
);

-- GET /api/v1/vehicles/{vin}/trips?from=&to= lists newest first.
CREATE INDEX trips_vin_started_at ON trips (vin, started_at DESC);
-- A period's leaderboard sums the trips that ended in it.
CREATE INDEX trips_ended_at ON trips (ended_at);

CREATE TABLE charging_sessions
(
    id                   text             NOT NULL,
    vin                  text             NOT NULL,
    started_at           timestamptz      NOT NULL,
    ended_at             timestamptz      NOT NULL,
    start_soc_percent    double precision NOT NULL,
    end_soc_percent      double precision NOT NULL,
    energy_added_kwh     double precision NULL,
    charge_limit_percent double precision NULL,
    limit_reached        boolean          NOT NULL,
    end_reason           text             NOT NULL,
    document             jsonb            NOT NULL,
    created_at           timestamptz      NOT NULL DEFAULT now(),

    CONSTRAINT charging_sessions_pk PRIMARY KEY (id)
);

CREATE INDEX charging_sessions_vin_started_at ON charging_sessions (vin, started_at DESC);

-- One row per twin with an open trip or charging session (or feedback pacing to remember); gone when there is none.
CREATE TABLE insight_progress
(
    vin        text        NOT NULL,
    document   jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT insight_progress_pk PRIMARY KEY (vin)
);
