"""'Did you mean …?': up to five buttons, one per candidate, each opening that answer.

The prompt is ephemeral (it is about the asker's input; nobody else needs to see it). A click
removes the buttons from the prompt and posts the answer **publicly**, exactly as if the fan
had typed the unambiguous name: the channel sees the same card whichever way it was asked.
A button's ``custom_id`` holds the entity key and the command's other options (e.g.
``gh:awards:pick:person:kim-won-hae:baeksang-61:won``), so it works after a restart.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, ClassVar, Final

import discord

from bot.i18n.catalogue import Lang, lang_for
from bot.render.cast import MAX_SUGGESTIONS, render_suggestions
from bot.replies import NO_MENTIONS
from bot.ui.base import NEVER_MATCHES, checked_custom_id, guarded, services_of
from bot.ui.names import NameLookup, entity_id, name_label

log = logging.getLogger(__name__)

BUTTON_LABEL_MAX: Final = 80  # Discord's limit for a button label

Params = tuple[str, ...]


class PickButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=NEVER_MATCHES
):
    """Base of every 'did you mean' button. A subclass gives its ``template`` (named group
    ``key``, then its own parameters in custom_id order), ``id_prefix`` and :meth:`open`."""

    id_prefix: ClassVar[str]

    def __init__(self, key: str, params: Params, *, label: str = "…", row: int | None = None):
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary,
                custom_id=self.custom_id_for(key, params),
            ),
            row=row,
        )
        self.key = key
        self.params = params

    @classmethod
    def custom_id_for(cls, key: str, params: Params) -> str:
        return ":".join([cls.id_prefix, key, *params])

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> PickButton:
        groups = match.groupdict()
        params = tuple(value for name, value in groups.items() if name != "key")
        return cls(groups["key"], params)

    @classmethod
    def prompt_view(cls, options: Sequence[tuple[str, str]], params: Params) -> discord.ui.View:
        """One button per (key, label), one per row so long names stay readable."""
        view = discord.ui.View(timeout=None)
        template = cls.__discord_ui_compiled_template__
        for row, (key, label) in enumerate(options[:MAX_SUGGESTIONS]):
            if checked_custom_id(template, cls.custom_id_for(key, params)) is None:
                log.warning("pick button dropped: bad custom_id for %s %s", key, params)
                continue
            view.add_item(cls(key, params, label=label, row=row))
        return view

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(interaction, self.open)

    async def open(self, interaction: discord.Interaction[Any]) -> None:
        """Build the answer for ``self.key``, then :func:`dismiss_prompt` and post it."""
        raise NotImplementedError


async def dismiss_prompt(interaction: discord.Interaction[Any]) -> None:
    """Take the buttons off the prompt (its text stays), acknowledging the click."""
    await interaction.response.edit_message(view=None, allowed_mentions=NO_MENTIONS)


async def post_answer(
    interaction: discord.Interaction[Any],
    embed: discord.Embed,
    view: discord.ui.View | None = None,
) -> None:
    """The answer to a click on a prompt, visible to the channel (after the prompt's edit)."""
    if view is None:
        await interaction.followup.send(embed=embed, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.followup.send(embed=embed, view=view, allowed_mentions=NO_MENTIONS)


def clicker_lang(interaction: discord.Interaction[Any]) -> Lang:
    """The prompt was ephemeral, so whoever clicks is the asker: use their language."""
    return lang_for(str(interaction.locale))


async def send_did_you_mean(
    interaction: discord.Interaction[Any],
    lookup: NameLookup,
    button: type[PickButton],
    params: Params = (),
    *,
    hint_key: str | None = "cast.try_again",
) -> None:
    """The ephemeral prompt for an ambiguous or unmatched name, with a button per option."""
    services = services_of(interaction)
    catalog, texts = services.facts.catalog, services.texts
    lang = lang_for(str(interaction.locale))
    embed = render_suggestions(
        lookup.query,
        [entity_id(key) for key in lookup.keys],
        lang,
        texts,
        catalog,
        ambiguous=lookup.outcome == "ambiguous",
        hint_key=hint_key,
    )
    options = [
        (key, name_label(key, lang, texts, catalog, BUTTON_LABEL_MAX)) for key in lookup.keys
    ]
    view = button.prompt_view(options, params)
    if view.children:
        await interaction.response.send_message(
            embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
