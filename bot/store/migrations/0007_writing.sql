-- The newsroom's writing flow: the language choice a maintainer makes when a language is
-- missing, previews of corrections, and retractions waiting for confirmation.
--
-- language_choice: what servers whose language the post lacks get: 'fallback' (the post in
-- the other language, said so by the maintainer) or 'skip' (nothing). NULL: no choice made
-- (none was needed, or Publish will ask for one).
ALTER TABLE production_previews ADD COLUMN language_choice TEXT
    CHECK (language_choice IS NULL OR language_choice IN ('fallback', 'skip'));
-- A preview of a correction: the update it corrects and the revision the editor saw.
-- Publishing it edits that update (state 'published', update_id = edit_of).
ALTER TABLE production_previews ADD COLUMN edit_of INTEGER REFERENCES production_updates (update_id);
ALTER TABLE production_previews ADD COLUMN edit_revision INTEGER
    CHECK ((edit_of IS NULL) = (edit_revision IS NULL));

ALTER TABLE production_updates ADD COLUMN language_choice TEXT
    CHECK (language_choice IS NULL OR language_choice IN ('fallback', 'skip'));
-- The language the post lacked when it was published, and how many of its servers the choice
-- applied to (sent the other language, or skipped: they have no delivery row).
ALTER TABLE production_updates ADD COLUMN missing_language TEXT
    CHECK (missing_language IS NULL OR missing_language IN ('en', 'ko'));
ALTER TABLE production_updates ADD COLUMN choice_servers INTEGER NOT NULL DEFAULT 0
    CHECK (choice_servers >= 0);

-- /production retract asks first: the reason waits here until Confirm or Cancel.
CREATE TABLE production_retractions (
    token TEXT PRIMARY KEY CHECK (length(token) BETWEEN 8 AND 64),
    update_id INTEGER NOT NULL REFERENCES production_updates (update_id),
    revision INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'confirmed', 'cancelled')),
    CHECK (expires_at > created_at)
) STRICT;
