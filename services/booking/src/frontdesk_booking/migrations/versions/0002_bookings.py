"""Live allocations with the no-double-booking exclusion constraint, and the read models.

Revision ID: 0002
"""

from alembic import op

revision = "0002"
down_revision = "0001"

UP = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE allocations (
    booking_id  UUID NOT NULL,
    shop_id     UUID NOT NULL,
    key         UUID NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('current', 'proposed')),
    during      TSTZRANGE NOT NULL,
    expires_at  TIMESTAMPTZ,
    PRIMARY KEY (booking_id, kind, key),
    CONSTRAINT no_double_booking EXCLUDE USING gist (key WITH =, during WITH &&, booking_id WITH <>)
);
CREATE INDEX allocations_by_shop ON allocations USING gist (shop_id, during);
CREATE INDEX allocations_expiring ON allocations (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE shop_catalog (
    shop_id   UUID PRIMARY KEY,
    version   INTEGER NOT NULL,
    setup     JSONB NOT NULL
);
CREATE TABLE bookings (
    id               UUID PRIMARY KEY,
    shop_id          UUID NOT NULL,
    customer_id      UUID NOT NULL,
    pet_id           UUID,
    service_id       UUID NOT NULL,
    staff_id         UUID NOT NULL,
    resource_units   UUID[] NOT NULL,
    starts_at        TIMESTAMPTZ NOT NULL,
    ends_at          TIMESTAMPTZ NOT NULL,
    status           TEXT NOT NULL,
    hold_expires_at  TIMESTAMPTZ,
    source           TEXT NOT NULL,
    proposal         JSONB,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    version          INTEGER NOT NULL
);
CREATE INDEX bookings_by_shop ON bookings (shop_id, starts_at);
CREATE INDEX bookings_by_customer ON bookings (shop_id, customer_id, starts_at);
CREATE INDEX bookings_by_pet ON bookings (pet_id, starts_at) WHERE pet_id IS NOT NULL;
CREATE TABLE booking_updates (
    update_id  UUID PRIMARY KEY,
    booking_id UUID NOT NULL,
    text       TEXT NOT NULL,
    photo_ref  TEXT,
    posted_by  UUID NOT NULL,
    posted_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX booking_updates_by_booking ON booking_updates (booking_id, posted_at);
CREATE TABLE waitlist (
    id              UUID PRIMARY KEY,
    shop_id         UUID NOT NULL,
    customer_id     UUID NOT NULL,
    service_id      UUID NOT NULL,
    staff_id        UUID,
    pet_id          UUID,
    starts_at       TIMESTAMPTZ NOT NULL,
    occupied_until  TIMESTAMPTZ NOT NULL,
    status          TEXT NOT NULL,
    booking_id      UUID,
    joined_at       TIMESTAMPTZ NOT NULL,
    version         INTEGER NOT NULL
);
CREATE INDEX waitlist_waiting ON waitlist (shop_id, joined_at) WHERE status = 'waiting';
CREATE TABLE pets (
    id            UUID PRIMARY KEY,
    shop_id       UUID NOT NULL,
    customer_id   UUID NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    species       TEXT NOT NULL,
    breed         TEXT NOT NULL,
    birth_date    DATE,
    allergies     TEXT[] NOT NULL,
    temperament   TEXT NOT NULL,
    notes         TEXT NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    version       INTEGER NOT NULL
);
CREATE INDEX pets_by_customer ON pets (shop_id, customer_id);
"""

DOWN = """
DROP TABLE pets; DROP TABLE waitlist; DROP TABLE booking_updates; DROP TABLE bookings;
DROP TABLE shop_catalog; DROP TABLE allocations
"""


def upgrade() -> None:
    for statement in UP.split(";"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    for statement in DOWN.split(";"):
        if statement.strip():
            op.execute(statement)
