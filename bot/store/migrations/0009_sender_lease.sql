-- Several bot processes on one database (SHARD_IDS): exactly one of them runs the delivery
-- worker's send loop, the holder of this lease. It renews the row every few seconds; once
-- expires_at has passed (or its process is provably dead), another process takes it over in
-- one write transaction. term grows with every change of holder, so a log line or a test can
-- tell two tenures of one holder apart.
CREATE TABLE sender_lease (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at REAL NOT NULL,
    expires_at  REAL NOT NULL,
    term        INTEGER NOT NULL
) STRICT;

-- Discord allows one IDENTIFY per bucket (shard_id % max_concurrency) every 5 s per bot token,
-- whichever process sends it: each process reserves its shard's next slot here first.
CREATE TABLE identify_slots (
    bucket     INTEGER PRIMARY KEY,
    started_at REAL NOT NULL
) STRICT;
