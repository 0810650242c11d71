-- Which person (the sub claim of their token) a vehicle is bound to; POST /api/v1/vehicles writes it.
CREATE TABLE vehicle_owners
(
    vin           text        NOT NULL,
    owner_id      text        NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT vehicle_owners_pk PRIMARY KEY (vin),
    -- The registry is where a VIN enters the system, so it is the place to refuse a malformed one (ISO 3779).
    CONSTRAINT vehicle_owners_vin_format CHECK (vin ~ '^[A-HJ-NPR-Z0-9]{17}$'),
    CONSTRAINT vehicle_owners_owner_not_empty CHECK (owner_id <> '')
);

-- "The caller's vehicles", paged by VIN.
CREATE INDEX vehicle_owners_owner_vin ON vehicle_owners (owner_id, vin);
