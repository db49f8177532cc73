-- What kind of page each source is, its outlet's Korean name, and verbatim quotes on events.
--
-- sources.kind replaces sources.official: 'official' (Netflix's or the studio's own statement),
-- 'press' (a news outlet's article), 'aggregator' (a repost or relay of others' reports) or
-- 'forum' (a community-board post). The data pack's loader bounds every row's confidence by
-- the kinds of its sources. Rows saved before this migration only knew official or not; they
-- become 'official' or 'press' until the next seed, which always writes the kind.
ALTER TABLE sources ADD COLUMN kind TEXT NOT NULL DEFAULT 'press'
    CHECK (kind IN ('official', 'press', 'aggregator', 'forum'));
UPDATE sources SET kind = 'official' WHERE official = 1;
ALTER TABLE sources DROP COLUMN official;
ALTER TABLE sources ADD COLUMN outlet_ko TEXT;

-- Words quoted verbatim in an event (e.g. Netflix's statement): the text in the language it was
-- said in (`quote_original`) and our translation in the other; all three set or all NULL.
ALTER TABLE season_events ADD COLUMN quote_original TEXT
    CHECK (quote_original IS NULL OR quote_original IN ('en', 'ko'));
ALTER TABLE season_events ADD COLUMN quote_en TEXT
    CHECK ((quote_en IS NULL) = (quote_original IS NULL));
ALTER TABLE season_events ADD COLUMN quote_ko TEXT
    CHECK ((quote_ko IS NULL) = (quote_original IS NULL));
