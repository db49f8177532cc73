-- PostgreSQL translation of ../0004_source_kinds.sql: sources.kind replaces sources.official,
-- the outlet's Korean name, and verbatim quotes on season events.
ALTER TABLE sources ADD COLUMN kind TEXT NOT NULL DEFAULT 'press'
    CHECK (kind IN ('official', 'press', 'aggregator', 'forum'));
UPDATE sources SET kind = 'official' WHERE official = 1;
ALTER TABLE sources DROP COLUMN official;
ALTER TABLE sources ADD COLUMN outlet_ko TEXT;

ALTER TABLE season_events ADD COLUMN quote_original TEXT
    CHECK (quote_original IS NULL OR quote_original IN ('en', 'ko'));
ALTER TABLE season_events ADD COLUMN quote_en TEXT
    CHECK ((quote_en IS NULL) = (quote_original IS NULL));
ALTER TABLE season_events ADD COLUMN quote_ko TEXT
    CHECK ((quote_ko IS NULL) = (quote_original IS NULL));
