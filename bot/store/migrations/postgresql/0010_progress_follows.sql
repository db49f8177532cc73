-- PostgreSQL translation of ../0010_progress_follows.sql (the why is there): Discord ids and
-- the update id are BIGINT, the expiry DOUBLE PRECISION (Unix seconds, UTC).
CREATE TABLE progress_follows (
    message_id        BIGINT PRIMARY KEY,
    update_id         BIGINT NOT NULL REFERENCES production_updates (update_id)
                          ON DELETE CASCADE,
    application_id    BIGINT NOT NULL,
    interaction_token TEXT NOT NULL,
    lang              TEXT NOT NULL CHECK (lang IN ('en', 'ko')),
    lead              TEXT NOT NULL,
    expires_at        DOUBLE PRECISION NOT NULL
);

CREATE INDEX progress_follows_by_expiry ON progress_follows (expires_at);
