-- PostgreSQL translation of ../0001_facts.sql (the why of each table is there); conventions in
-- __init__.py. Dates are ISO 'YYYY-MM-DD' TEXT, JSON lists TEXT, as on SQLite.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    outlet TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    date TEXT CHECK (date IS NULL OR date ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'),
    date_note TEXT,
    official INTEGER NOT NULL CHECK (official IN (0, 1))
);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    name_ko TEXT NOT NULL,
    variants TEXT NOT NULL CHECK (json_typeof(variants::json) = 'array'),
    roles TEXT NOT NULL CHECK (
        CASE WHEN json_typeof(roles::json) = 'array' THEN json_array_length(roles::json) > 0
        ELSE false END)
);

CREATE TABLE person_sources (
    person_id TEXT NOT NULL REFERENCES people (id),
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources (id),
    PRIMARY KEY (person_id, position)
);

CREATE TABLE show (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    title_en TEXT NOT NULL,
    title_ko TEXT NOT NULL,
    other_titles TEXT NOT NULL CHECK (json_typeof(other_titles::json) = 'array'),
    premiere TEXT NOT NULL
        CHECK (premiere ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'),
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
);

CREATE TABLE show_sources (
    position INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources (id)
);

CREATE TABLE source_work_sources (
    position INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources (id)
);

CREATE TABLE production_companies (
    position INTEGER PRIMARY KEY,
    name_en TEXT NOT NULL,
    name_ko TEXT NOT NULL
);

CREATE TABLE figures (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    label_en TEXT NOT NULL,
    label_ko TEXT NOT NULL,
    value_en TEXT NOT NULL,
    value_ko TEXT NOT NULL,
    confidence TEXT NOT NULL CHECK (confidence IN ('official', 'reported', 'unconfirmed'))
);

CREATE TABLE figure_sources (
    figure_id TEXT NOT NULL REFERENCES figures (id),
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources (id),
    PRIMARY KEY (figure_id, position)
);

CREATE TABLE characters (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    name_ko TEXT NOT NULL,
    variants TEXT NOT NULL CHECK (json_typeof(variants::json) = 'array'),
    titles TEXT NOT NULL CHECK (json_typeof(titles::json) = 'array'),
    description_en TEXT NOT NULL,
    description_ko TEXT NOT NULL,
    played_by TEXT NOT NULL REFERENCES people (id),
    billing TEXT NOT NULL CHECK (billing IN ('main', 'supporting', 'cameo')),
    billing_order INTEGER NOT NULL
);

CREATE TABLE character_sources (
    character_id TEXT NOT NULL REFERENCES characters (id),
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources (id),
    PRIMARY KEY (character_id, position)
);

CREATE TABLE ceremonies (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    name_ko TEXT NOT NULL,
    edition INTEGER NOT NULL CHECK (edition > 0),
    date TEXT NOT NULL CHECK (date ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'),
    venue_en TEXT,
    venue_ko TEXT,
    CHECK ((venue_en IS NULL) = (venue_ko IS NULL))
);

CREATE TABLE ceremony_sources (
    ceremony_id TEXT NOT NULL REFERENCES ceremonies (id),
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources (id),
    PRIMARY KEY (ceremony_id, position)
);

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
);

CREATE TABLE award_entry_sources (
    award_entry_id TEXT NOT NULL REFERENCES award_entries (id),
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources (id),
    PRIMARY KEY (award_entry_id, position)
);

CREATE TABLE seasons (
    number INTEGER PRIMARY KEY CHECK (number > 0),
    position INTEGER NOT NULL UNIQUE,
    episodes INTEGER
);

CREATE TABLE season_events (
    id TEXT PRIMARY KEY,
    season_number INTEGER NOT NULL REFERENCES seasons (number),
    position INTEGER NOT NULL,
    date TEXT NOT NULL CHECK (date ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'),
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
    planned_by TEXT CHECK (
        planned_by IS NULL
        OR planned_by ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'),
    UNIQUE (season_number, position),
    CHECK ((planned_what_en IS NULL) = (planned_what_ko IS NULL)),
    CHECK ((planned_what_en IS NULL) = (planned_status IS NULL)),
    CHECK ((planned_what_en IS NULL) = (planned_by IS NULL))
);

CREATE TABLE season_event_sources (
    season_event_id TEXT NOT NULL REFERENCES season_events (id),
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources (id),
    PRIMARY KEY (season_event_id, position)
);
