"""SQL for the maintainers' live progress messages (table ``progress_follows``).

A follow is what it takes to edit one maintainer's ephemeral message from any process: the
interaction webhook (application id, token, message id), the language and the first line.
The process that sends (the sender lease holder) follows every row; the one the maintainer
reached only records it. Rows expire before the interaction token does and are deleted then.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n.catalogue import Lang, lang_for
from bot.store.database import Database


@dataclass(frozen=True, slots=True)
class Follow:
    message_id: int
    update_id: int
    application_id: int
    # A secret: repr=False keeps it out of any log line or assertion message that prints us.
    interaction_token: str
    lang: Lang
    lead: str
    expires_at: float

    def __repr__(self) -> str:
        return f"Follow(message={self.message_id}, update={self.update_id})"


async def add(db: Database, follow: Follow) -> None:
    """Record ``follow`` (a second record for the same message replaces the first)."""
    async with db.transaction() as conn:
        await conn.execute(
            """INSERT INTO progress_follows (message_id, update_id, application_id,
                   interaction_token, lang, lead, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (message_id) DO UPDATE SET update_id = excluded.update_id,
                   application_id = excluded.application_id,
                   interaction_token = excluded.interaction_token, lang = excluded.lang,
                   lead = excluded.lead, expires_at = excluded.expires_at""",
            (
                follow.message_id,
                follow.update_id,
                follow.application_id,
                follow.interaction_token,
                follow.lang,
                follow.lead,
                follow.expires_at,
            ),
        )


async def all_follows(db: Database) -> list[Follow]:
    """Every recorded follow, oldest message first (expired ones included: the caller tells
    their maintainers the job is still running, then drops them)."""
    rows = await db.fetch_all(
        """SELECT message_id, update_id, application_id, interaction_token, lang, lead,
                  expires_at FROM progress_follows ORDER BY message_id"""
    )
    return [
        Follow(
            message_id=int(r[0]),
            update_id=int(r[1]),
            application_id=int(r[2]),
            interaction_token=str(r[3]),
            lang=lang_for(str(r[4])),
            lead=str(r[5]),
            expires_at=float(r[6]),
        )
        for r in rows
    ]


async def drop(db: Database, message_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM progress_follows WHERE message_id = ?", (message_id,))
