-- PostgreSQL translation of ../0005_welcome.sql: servers the bot has greeted, one row per
-- join. joined_at and welcomed_at are ISO-8601 TEXT, as on SQLite.
CREATE TABLE welcomed_guilds (
    guild_id BIGINT PRIMARY KEY,
    joined_at TEXT NOT NULL,
    welcomed_at TEXT NOT NULL
);
