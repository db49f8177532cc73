-- PostgreSQL translation of ../0009_sender_lease.sql: the lease that elects the one sending
-- process, and the IDENTIFY slots shared by every process of one bot token.
CREATE TABLE sender_lease (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at DOUBLE PRECISION NOT NULL,
    expires_at  DOUBLE PRECISION NOT NULL,
    term        INTEGER NOT NULL
);

CREATE TABLE identify_slots (
    bucket     INTEGER PRIMARY KEY,
    started_at DOUBLE PRECISION NOT NULL
);
