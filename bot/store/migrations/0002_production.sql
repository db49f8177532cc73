-- Production updates: per-server settings, the updates themselves, their previews and the
-- delivery outbox. Runtime tables: re-seeding the data pack never touches them.
-- Times are Unix seconds (REAL, UTC). Discord ids are INTEGER snowflakes.

-- One row per server that ran /setup announcements.
CREATE TABLE guild_settings (
    guild_id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    channel_kind TEXT NOT NULL CHECK (channel_kind IN ('text', 'announcement')),
    role_id INTEGER,                        -- NULL: posts go out without a ping
    language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ko')),
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    -- Set when Discord refused a post for good (403/404): no more sends until an admin fixes it.
    attention_reason TEXT,
    attention_code INTEGER,
    attention_since REAL,
    attention_notified_at REAL,             -- when the server's admins were told
    -- Why the last role ping could not notify (role not mentionable, ...); the post still went out.
    ping_issue TEXT,
    last_delivery_update_id INTEGER,
    last_delivery_status TEXT CHECK (last_delivery_status IN ('sent', 'failed')),
    last_delivery_at REAL,
    last_delivery_error TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    CHECK ((attention_reason IS NULL) = (attention_since IS NULL)),
    CHECK (attention_notified_at IS NULL OR attention_reason IS NOT NULL)
) STRICT;

-- A maintainer's draft awaiting Publish or Cancel. The token makes Publish idempotent.
CREATE TABLE production_previews (
    token TEXT PRIMARY KEY CHECK (length(token) BETWEEN 8 AND 64),
    author_id INTEGER NOT NULL,
    title_en TEXT NOT NULL,
    title_ko TEXT,
    body_en TEXT NOT NULL,
    body_ko TEXT,
    source_url TEXT,
    confidence TEXT NOT NULL CHECK (confidence IN ('official', 'reported', 'unconfirmed')),
    season INTEGER CHECK (season > 0),
    season_status TEXT CHECK (season_status IN (
        'released', 'hoped_for', 'under_review', 'in_talks', 'renewed',
        'pre_production', 'filming', 'post_production', 'cancelled')),
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'published', 'cancelled')),
    update_id INTEGER REFERENCES production_updates (update_id),
    CHECK ((season IS NULL) = (season_status IS NULL)),
    CHECK ((state = 'published') = (update_id IS NOT NULL)),
    CHECK (expires_at > created_at)
) STRICT;

-- AUTOINCREMENT: ids are never reused, because delivery nonces are derived from them.
CREATE TABLE production_updates (
    update_id INTEGER PRIMARY KEY AUTOINCREMENT,
    preview_token TEXT NOT NULL UNIQUE,
    author_id INTEGER NOT NULL,
    title_en TEXT NOT NULL CHECK (length(title_en) > 0),
    title_ko TEXT,
    body_en TEXT NOT NULL CHECK (length(body_en) > 0),
    body_ko TEXT,
    source_url TEXT,
    confidence TEXT NOT NULL CHECK (confidence IN ('official', 'reported', 'unconfirmed')),
    season INTEGER CHECK (season > 0),
    season_status TEXT CHECK (season_status IN (
        'released', 'hoped_for', 'under_review', 'in_talks', 'renewed',
        'pre_production', 'filming', 'post_production', 'cancelled')),
    created_at REAL NOT NULL,
    edited_at REAL,
    edited_by INTEGER,
    retracted_at REAL,
    retracted_by INTEGER,
    retract_reason TEXT,
    revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),
    CHECK ((season IS NULL) = (season_status IS NULL)),
    CHECK ((edited_at IS NULL) = (edited_by IS NULL)),
    CHECK ((retracted_at IS NULL) = (retract_reason IS NULL)),
    CHECK ((retracted_at IS NULL) = (retracted_by IS NULL))
) STRICT;

CREATE INDEX production_updates_recent ON production_updates (created_at DESC);
CREATE INDEX production_updates_season
    ON production_updates (season, created_at) WHERE season IS NOT NULL;

-- The outbox: one row per (update, server), written in the publish transaction.
-- A row holds one job at a time: while message_id is NULL the job is the first send; once it is
-- set, a queued job (status pending/retrying) is an edit that brings the copy from
-- delivered_revision to wanted_revision. Channel, role and language are copied from the server's
-- settings at publish time, so a later /setup change never redirects an edit.
CREATE TABLE production_deliveries (
    update_id INTEGER NOT NULL REFERENCES production_updates (update_id),
    guild_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    channel_kind TEXT NOT NULL CHECK (channel_kind IN ('text', 'announcement')),
    role_id INTEGER,
    language TEXT NOT NULL CHECK (language IN ('en', 'ko')),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'retrying', 'sent', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),   -- of the current job
    next_attempt_at REAL NOT NULL,
    claimed_by TEXT,
    claim_expires_at REAL,
    message_id INTEGER,
    nonce TEXT NOT NULL CHECK (length(nonce) BETWEEN 1 AND 25),  -- fixed for the row's life
    last_error TEXT,
    last_error_code INTEGER,
    wanted_revision INTEGER NOT NULL CHECK (wanted_revision >= 1),
    delivered_revision INTEGER,
    sent_at REAL,
    ping_issue TEXT,
    crosspost TEXT NOT NULL DEFAULT 'none'
        CHECK (crosspost IN ('none', 'pending', 'done', 'failed')),
    crosspost_attempts INTEGER NOT NULL DEFAULT 0 CHECK (crosspost_attempts >= 0),
    crosspost_next_at REAL,
    crossposted_at REAL,
    crosspost_error TEXT,
    updated_at REAL NOT NULL,
    PRIMARY KEY (update_id, guild_id),
    CHECK ((claimed_by IS NULL) = (claim_expires_at IS NULL)),
    CHECK (status <> 'sent' OR message_id IS NOT NULL),
    CHECK ((message_id IS NULL) = (delivered_revision IS NULL)),
    CHECK (delivered_revision IS NULL OR delivered_revision <= wanted_revision),
    CHECK (crosspost = 'none' OR channel_kind = 'announcement'),
    CHECK (crosspost <> 'pending' OR crosspost_next_at IS NOT NULL)
) STRICT;

-- The worker's claim query: open jobs by due time, and due crossposts.
CREATE INDEX production_deliveries_due
    ON production_deliveries (next_attempt_at) WHERE status IN ('pending', 'retrying');
CREATE INDEX production_deliveries_crosspost_due
    ON production_deliveries (crosspost_next_at) WHERE crosspost = 'pending';
-- Per-channel hourly publish cap, and "every delivery to this server" (attention, /setup off).
CREATE INDEX production_deliveries_crossposted
    ON production_deliveries (channel_id, crossposted_at) WHERE crossposted_at IS NOT NULL;
CREATE INDEX production_deliveries_guild ON production_deliveries (guild_id, status);
