-- PostgreSQL translation of ../0006_topics.sql: topics (a fact table), how each server pings
-- for them, and the topic of each update.
CREATE TABLE topics (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    name_ko TEXT NOT NULL,
    description_en TEXT NOT NULL,
    description_ko TEXT NOT NULL
);

-- A database seeded before this migration gets the pack's first topics until its next seed.
INSERT INTO topics (id, position, name_en, name_ko, description_en, description_ko)
SELECT id, position, name_en, name_ko, description_en, description_ko FROM (
    SELECT 'season-news' AS id, 0 AS position, 'Season 2 & 3 news' AS name_en,
        '시즌 2·3 소식' AS name_ko,
        'Renewal, filming and release news about the next seasons' AS description_en,
        '다음 시즌의 제작 확정, 촬영, 공개 소식' AS description_ko
    UNION ALL SELECT 'cast-awards', 1, 'Cast & awards', '출연진·수상 소식',
        'News about the cast, interviews, award nominations and wins',
        '출연진 소식, 인터뷰, 시상식 후보와 수상'
    UNION ALL SELECT 'events', 2, 'Events & anniversaries', '이벤트·기념일',
        'Fan events, screenings and anniversaries of the premiere',
        '팬 이벤트, 상영회, 첫 공개 기념일'
) AS first_topics WHERE EXISTS (SELECT 1 FROM show);

ALTER TABLE guild_settings ADD COLUMN topic_roles TEXT NOT NULL DEFAULT 'one'
    CHECK (topic_roles IN ('one', 'each'));

-- A runtime table: no foreign key into the fact tables, which every seed replaces.
CREATE TABLE guild_topic_roles (
    guild_id BIGINT NOT NULL,
    topic TEXT NOT NULL,
    role_id BIGINT NOT NULL,
    created_by_bot INTEGER NOT NULL DEFAULT 0 CHECK (created_by_bot IN (0, 1)),
    updated_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (guild_id, topic)
);

ALTER TABLE production_previews ADD COLUMN topic TEXT;
ALTER TABLE production_updates ADD COLUMN topic TEXT;
