-- PostgreSQL translation of ../0010_progress_follows.sql: the maintainers' progress messages,
-- followed by whichever process sends. interaction_token is a 15-minute secret; rows expire
-- before it and are deleted.
CREATE TABLE progress_follows (
    message_id        BIGINT PRIMARY KEY,
    update_id         BIGINT NOT NULL,
    application_id    BIGINT NOT NULL,
    interaction_token TEXT NOT NULL,
    lang              TEXT NOT NULL CHECK (lang IN ('en', 'ko')),
    lead              TEXT NOT NULL,
    expires_at        DOUBLE PRECISION NOT NULL,
    FOREIGN KEY (update_id) REFERENCES production_updates (update_id) ON DELETE CASCADE
);

CREATE INDEX progress_follows_by_expiry ON progress_follows (expires_at);
