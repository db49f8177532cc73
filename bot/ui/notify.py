"""The "Notify me" button on every delivered post: it opens the fan's choice of topics.

The button has the custom_id ``gh:notify:<update id>:<revision>`` (older posts: plain
``gh:notify``) and is a :class:`discord.ui.DynamicItem`, so posts sent before a restart (or by
another process) keep working: nothing is stored per message. The suffix only lets the
delivery worker recognise its own copy in a channel (``compose.delivery_marker``). The roles
come from the server's *current* settings, not from the post; /notify opens the same picker
(``bot.ui.topic_picker``), which checks every role before asking Discord.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.production.compose import NOTIFY_BUTTON_ID
from bot.production.discord_transport import NOTIFY_BUTTON_LABEL
from bot.production.models import Language
from bot.ui.base import guarded
from bot.ui.topic_picker import open_topic_picker


class NotifyButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.escape(NOTIFY_BUTTON_ID) + r"(?::[0-9]{1,19}:[0-9]{1,9})?",
):
    """'Notify me' under every delivered update."""

    def __init__(self, language: Language = "en", custom_id: str = NOTIFY_BUTTON_ID) -> None:
        super().__init__(
            discord.ui.Button(
                label=NOTIFY_BUTTON_LABEL[language],
                emoji="🔔",
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id,
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> NotifyButton:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(interaction, open_topic_picker)


def notify_view(language: Language, custom_id: str = NOTIFY_BUTTON_ID) -> discord.ui.View:
    """The view the delivery transport attaches to each post (``custom_id``: its marker)."""
    view = discord.ui.View(timeout=None)
    view.add_item(NotifyButton(language, custom_id))
    return view
