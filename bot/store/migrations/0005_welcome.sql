-- Servers the bot has greeted, one row per join: `joined_at` is when the bot joined (Discord's
-- member joined_at), so a reconnect, a restart or a repeated GUILD_CREATE never greets twice,
-- while a later re-invite (a new joined_at) is greeted again. Written before the message is
-- sent: a crash in between loses one greeting rather than posting two.
CREATE TABLE welcomed_guilds (
    guild_id INTEGER PRIMARY KEY,
    joined_at TEXT NOT NULL,
    welcomed_at TEXT NOT NULL
) STRICT;
