-- Scheduled posts and corrections (/production post or edit with `at:`).
--
-- A row starts as a 'draft' when the maintainer previews it and becomes 'scheduled' when they
-- press Schedule ('discarded' when they press Cancel; 'cancelled' by /production unschedule). At `due_at` one transaction moves it from 'scheduled' to 'published' and
-- writes the update (or the correction) and its outbox rows exactly as Publish does, so two
-- processes or a restart can never publish it twice. The row keeps its own copy of the text:
-- the preview it came from may be long gone by then.
CREATE TABLE production_schedules (
    schedule_id INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL UNIQUE CHECK (length(token) BETWEEN 8 AND 64),
    kind TEXT NOT NULL CHECK (kind IN ('post', 'edit')),
    -- edit: the update to correct and the revision the maintainer corrected (a newer one by
    -- the due time fails the schedule instead of silently undoing it); post: the update it
    -- became, once published.
    update_id INTEGER REFERENCES production_updates (update_id),
    expected_revision INTEGER CHECK (expected_revision >= 1),
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
    topic TEXT,                            -- the pack topic (which role each server pings)
    due_at REAL NOT NULL,                  -- Unix seconds (UTC)
    timezone TEXT NOT NULL,                -- as the maintainer named it: IANA key or UTC+hh:mm
    state TEXT NOT NULL DEFAULT 'draft'
        CHECK (state IN ('draft', 'discarded', 'scheduled', 'published', 'cancelled', 'failed')),
    draft_expires_at REAL NOT NULL,        -- the preview's Schedule button works until then
    outcome TEXT,                          -- why a due row could not be applied ('failed')
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    published_at REAL,
    CHECK ((season IS NULL) = (season_status IS NULL)),
    CHECK ((kind = 'edit') = (expected_revision IS NOT NULL)),
    CHECK (kind = 'post' OR update_id IS NOT NULL),
    CHECK (state <> 'published' OR (update_id IS NOT NULL AND published_at IS NOT NULL)),
    CHECK ((state = 'failed') = (outcome IS NOT NULL))
) STRICT;

-- The scheduler's question: what is due next.
CREATE INDEX production_schedules_due ON production_schedules (due_at) WHERE state = 'scheduled';
