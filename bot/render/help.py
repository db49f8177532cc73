"""/help: every command with a one-line description, and how fresh the facts are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

import discord

from bot.domain.catalog import Catalog
from bot.i18n.catalogue import Catalogue, Lang
from bot.i18n.dates import format_date
from bot.render.common import Colours
from bot.render.pages import PageBuilder
from bot.render.text import both_scripts

Audience = Literal["fans", "admins", "maintainers"]


@dataclass(frozen=True, slots=True)
class HelpEntry:
    name: str  # the command name, also the catalogue key suffix: help.cmd.<name>
    usage: str  # English names; options in [brackets] are shown under their localised names
    audience: Audience


HELP_ENTRIES: Final = (
    HelpEntry("cast", "/cast [name]", "fans"),
    HelpEntry("awards", "/awards [who] [ceremony] [result]", "fans"),
    HelpEntry("renewal", "/renewal [season]", "fans"),
    HelpEntry("show", "/show", "fans"),
    HelpEntry("updates", "/updates [count]", "fans"),
    HelpEntry("notify", "/notify", "fans"),
    HelpEntry("help", "/help", "fans"),
    HelpEntry(
        "setup", "/setup announcements · topics · topic-role · language · check · off", "admins"
    ),
    HelpEntry("production", "/production post · edit · retract · list · status", "maintainers"),
)


_OPTION = re.compile(r"\[(\w+)\]")


def usage_text(usage: str, lang: Lang, texts: Catalogue) -> str:
    """'/awards [who]' as the reader's client shows it: '/awards [인물]' in Korean (option
    names are localised; command names are not)."""

    def option(match: re.Match[str]) -> str:
        key = f"param.{match.group(1)}"
        return f"[{texts.t(lang, key)}]" if texts.has(key) else match.group(0)

    return _OPTION.sub(option, usage)


def _line(entry: HelpEntry, lang: Lang, texts: Catalogue) -> str:
    line = texts.t(
        lang,
        "help.line",
        usage=usage_text(entry.usage, lang, texts),
        text=texts.t(lang, f"help.cmd.{entry.name}"),
    )
    if entry.audience != "fans":
        line += " " + texts.t(lang, f"help.audience.{entry.audience}")
    return line


def render_help(
    lang: Lang, texts: Catalogue, catalog: Catalog, *, include_maintainers: bool = True
) -> discord.Embed:
    entries = [e for e in HELP_ENTRIES if include_maintainers or e.audience != "maintainers"]
    as_of = catalog.facts_as_of
    data_line = (
        texts.t(lang, "help.facts_as_of", date=format_date(as_of, lang))
        if as_of is not None
        else texts.t(lang, "help.facts_undated")
    )
    page = PageBuilder(
        title=texts.t(lang, "help.title"),
        colour=Colours.HELP,
        description=texts.t(lang, "help.intro", show=both_scripts(catalog.show.title, lang)),
        footer=texts.t(lang, "common.footer"),
    )
    page.add_lines(texts.t(lang, "help.commands"), [_line(e, lang, texts) for e in entries])
    page.add_field(
        texts.t(lang, "help.data"), "\n".join([data_line, texts.t(lang, "help.sources_note")])
    )
    page.add_field(texts.t(lang, "help.labels"), texts.t(lang, "renewal.legend"))
    return page.build_single()
