-- PostgreSQL translation of ../0007_writing.sql: the language choice, previews of
-- corrections, and retractions waiting for confirmation.
ALTER TABLE production_previews ADD COLUMN language_choice TEXT
    CHECK (language_choice IS NULL OR language_choice IN ('fallback', 'skip'));
ALTER TABLE production_previews ADD COLUMN edit_of BIGINT REFERENCES production_updates (update_id);
ALTER TABLE production_previews ADD COLUMN edit_revision INTEGER
    CHECK ((edit_of IS NULL) = (edit_revision IS NULL));

ALTER TABLE production_updates ADD COLUMN language_choice TEXT
    CHECK (language_choice IS NULL OR language_choice IN ('fallback', 'skip'));
ALTER TABLE production_updates ADD COLUMN missing_language TEXT
    CHECK (missing_language IS NULL OR missing_language IN ('en', 'ko'));
ALTER TABLE production_updates ADD COLUMN choice_servers INTEGER NOT NULL DEFAULT 0
    CHECK (choice_servers >= 0);

CREATE TABLE production_retractions (
    token TEXT PRIMARY KEY CHECK (length(token) BETWEEN 8 AND 64),
    update_id BIGINT NOT NULL REFERENCES production_updates (update_id),
    revision INTEGER NOT NULL,
    author_id BIGINT NOT NULL,
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    created_at DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'confirmed', 'cancelled')),
    CHECK (expires_at > created_at)
);
