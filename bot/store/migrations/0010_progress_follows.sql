-- The maintainers' live progress messages, followed by whichever process sends (the sender
-- lease holder), so a report still arrives when the process the maintainer reached dies.
-- interaction_token is a secret that lets the bot edit one ephemeral message: it is only
-- valid for 15 minutes, every row expires before that and is deleted, and backups are made
-- without this table's rows.
CREATE TABLE progress_follows (
    message_id        INTEGER PRIMARY KEY,
    update_id         INTEGER NOT NULL,
    application_id    INTEGER NOT NULL,
    interaction_token TEXT NOT NULL,
    lang              TEXT NOT NULL CHECK (lang IN ('en', 'ko')),
    lead              TEXT NOT NULL,
    expires_at        REAL NOT NULL,
    FOREIGN KEY (update_id) REFERENCES production_updates (update_id) ON DELETE CASCADE
) STRICT;

CREATE INDEX progress_follows_by_expiry ON progress_follows (expires_at);
