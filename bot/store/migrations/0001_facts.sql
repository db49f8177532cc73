-- The data pack's facts (seeds/*.yaml), plus a small key/value table.
--
-- Fact tables are owned by the seeder: every seed replaces their whole content in one
-- transaction (bot/store/facts.py, FACT_TABLES). Runtime tables added by later migrations must
-- therefore never hold a FOREIGN KEY into a fact table; refer to facts by their text id.
--
-- Conventions: `position` keeps the order of the pack's lists, so the pack rebuilt from these
-- tables is exactly the one that was saved. Dates are ISO 'YYYY-MM-DD' text. A two-language
-- text is an `_en`/`_ko` column pair, both set or both NULL. Short lists of plain strings
-- (spellings, titles, roles) are JSON arrays; every list of source ids is a link table with
-- foreign keys on both sides.

-- Small state that is neither a fact nor a runtime row: seeded_pack_hash, command-tree hashes …
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    outlet TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    date TEXT CHECK (date IS NULL OR date(date) IS date),
    date_note TEXT,
    official INTEGER NOT NULL CHECK (official IN (0, 1))
) STRICT;

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    name_ko TEXT NOT NULL,
    variants TEXT NOT NULL CHECK (json_type(variants) = 'array'),
    roles TEXT NOT NULL CHECK (json_type(roles) = 'array' AND json_array_length(roles) > 0)
) STRICT;

CREATE TABLE person_sources (
    person_id TEXT NOT NULL REFERENCES people (id),
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources (id),
    PRIMARY KEY (person_id, position)
) STRICT, WITHOUT ROWID;

-- One row: the pack describes one show. The source work (novel/webtoon) is folded in.
CREATE TABLE show (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    title_en TEXT NOT NULL,
    title_ko TEXT NOT NULL,
    other_titles TEXT NOT NULL CHECK (json_type(other_titles) = 'array'),
    premiere TEXT NOT NULL CHECK (date(premiere) IS premiere),
    episodes INTEGER NOT NULL CHECK (episodes > 0),
    platform TEXT NOT NULL,
    countries INTEGER,
    network_note_en TEXT,
    network_note_ko TEXT,
    setting_en TEXT,
    setting_ko TEXT,
    director_id TEXT NOT NULL REFERENCES people (id),
    writer_id TEXT NOT NULL REFERENCES people (id),
    source_work_title_en TEXT NOT NULL,
    source_work_title_ko TEXT NOT NULL,
    source_work_author_id TEXT NOT NULL REFERENCES people (id),
    source_work_artist_id TEXT REFERENCES people (id),
    source_work_platform_en TEXT NOT NULL,
    source_work_platform_ko TEXT NOT NULL,
    CHECK ((network_note_en IS NULL) = (network_note_ko IS NULL)),
    CHECK ((setting_en IS NULL) = (setting_ko IS NULL))
) STRICT;

CREATE TABLE show_sources (
    position INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources (id)
) STRICT;

CREATE TABLE source_work_sources (
    position INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources (id)
) STRICT;

CREATE TABLE production_companies (
    position INTEGER PRIMARY KEY,
    name_en TEXT NOT NULL,
    name_ko TEXT NOT NULL
) STRICT;

-- Headline figures (viewing numbers, chart positions) shown on the overview card.
CREATE TABLE figures (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    label_en TEXT NOT NULL,
    label_ko TEXT NOT NULL,
    value_en TEXT NOT NULL,
    value_ko TEXT NOT NULL,
    confidence TEXT NOT NULL CHECK (confidence IN ('official', 'reported', 'unconfirmed'))
) STRICT;

CREATE TABLE figure_sources (
    figure_id TEXT NOT NULL REFERENCES figures (id),
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources (id),
    PRIMARY KEY (figure_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE characters (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    name_ko TEXT NOT NULL,
    variants TEXT NOT NULL CHECK (json_type(variants) = 'array'),
    titles TEXT NOT NULL CHECK (json_type(titles) = 'array'),
    description_en TEXT NOT NULL,
    description_ko TEXT NOT NULL,
    played_by TEXT NOT NULL REFERENCES people (id),
    billing TEXT NOT NULL CHECK (billing IN ('main', 'supporting', 'cameo')),
    billing_order INTEGER NOT NULL
) STRICT;

CREATE TABLE character_sources (
    character_id TEXT NOT NULL REFERENCES characters (id),
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources (id),
    PRIMARY KEY (character_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE ceremonies (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    name_ko TEXT NOT NULL,
    edition INTEGER NOT NULL CHECK (edition > 0),
    date TEXT NOT NULL CHECK (date(date) IS date),
    venue_en TEXT,
    venue_ko TEXT,
    CHECK ((venue_en IS NULL) = (venue_ko IS NULL))
) STRICT;

CREATE TABLE ceremony_sources (
    ceremony_id TEXT NOT NULL REFERENCES ceremonies (id),
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources (id),
    PRIMARY KEY (ceremony_id, position)
) STRICT, WITHOUT ROWID;

-- A nomination or a win. The nominee is a person, the show itself, or both.
CREATE TABLE award_entries (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    ceremony_id TEXT NOT NULL REFERENCES ceremonies (id),
    category_en TEXT NOT NULL,
    category_ko TEXT NOT NULL,
    person_id TEXT REFERENCES people (id),
    is_show INTEGER NOT NULL CHECK (is_show IN (0, 1)),
    character_id TEXT REFERENCES characters (id),
    result TEXT NOT NULL CHECK (result IN ('won', 'nominated')),
    note_en TEXT,
    note_ko TEXT,
    CHECK (person_id IS NOT NULL OR is_show = 1),
    CHECK ((note_en IS NULL) = (note_ko IS NULL))
) STRICT;

CREATE TABLE award_entry_sources (
    award_entry_id TEXT NOT NULL REFERENCES award_entries (id),
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources (id),
    PRIMARY KEY (award_entry_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE seasons (
    number INTEGER PRIMARY KEY CHECK (number > 0),
    position INTEGER NOT NULL UNIQUE,
    episodes INTEGER
) STRICT;

-- A season's status timeline. `planned_*` is a plan stated in the event: all set or all NULL.
CREATE TABLE season_events (
    id TEXT PRIMARY KEY,
    season_number INTEGER NOT NULL REFERENCES seasons (number),
    position INTEGER NOT NULL,
    date TEXT NOT NULL CHECK (date(date) IS date),
    precision TEXT NOT NULL CHECK (precision IN ('day', 'month', 'year')),
    date_note TEXT,
    summary_en TEXT NOT NULL,
    summary_ko TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN (
        'released', 'hoped_for', 'under_review', 'in_talks', 'renewed',
        'pre_production', 'filming', 'post_production', 'cancelled')),
    confidence TEXT NOT NULL CHECK (confidence IN ('official', 'reported', 'unconfirmed')),
    planned_what_en TEXT,
    planned_what_ko TEXT,
    planned_status TEXT CHECK (planned_status IN (
        'released', 'hoped_for', 'under_review', 'in_talks', 'renewed',
        'pre_production', 'filming', 'post_production', 'cancelled')),
    planned_by TEXT CHECK (planned_by IS NULL OR date(planned_by) IS planned_by),
    UNIQUE (season_number, position),
    CHECK ((planned_what_en IS NULL) = (planned_what_ko IS NULL)),
    CHECK ((planned_what_en IS NULL) = (planned_status IS NULL)),
    CHECK ((planned_what_en IS NULL) = (planned_by IS NULL))
) STRICT;

CREATE TABLE season_event_sources (
    season_event_id TEXT NOT NULL REFERENCES season_events (id),
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources (id),
    PRIMARY KEY (season_event_id, position)
) STRICT, WITHOUT ROWID;
