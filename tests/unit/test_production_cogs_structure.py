"""The production cogs' shape and their pure parts: where the commands are registered and who
Discord shows them to, the persistent custom_ids, what /setup check reports, how an edit
merges into the current text, and how a refused draft is explained."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.app import GoldenHourBot
from bot.i18n.catalogue import Catalogue
from bot.production.compose import (
    TITLE_MAX,
    DraftProblem,
    parse_delivery_marker,
    validate_draft,
    validate_retract_reason,
)
from bot.production.discord_transport import NOTIFY_BUTTON_ID
from bot.production.models import GuildSettings, LocalizedText, UpdateDraft
from bot.production.setup_check import ChannelState, RoleState, can_resume, check_setup
from bot.services import FactIndex, Services
from bot.settings import Settings
from bot.store.database import Database
from bot.store.facts import load_pack_from_db
from bot.store.migrate import migrate
from bot.store.seeding import ensure_seeded
from bot.ui.notify import NotifyButton
from bot.ui.production import CancelButton, PublishButton
from bot.ui.production_render import problems_text
from cogs.production import edited_draft

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ADMIN_GUILD = 515151
MANAGE_GUILD = 1 << 5


async def make_bot(tmp_path: Path, admin_guild_id: int | None) -> AsyncIterator[GoldenHourBot]:
    settings = Settings(
        _env_file=None,
        database_path=tmp_path / "structure.sqlite3",
        seeds_dir=SEEDS,
        admin_guild_id=admin_guild_id,
    )
    db = await Database.open(settings.database_path)
    try:
        await migrate(db)
        await ensure_seeded(db, SEEDS)
        facts = FactIndex.build(await load_pack_from_db(db))
        services = Services(settings=settings, db=db, texts=Catalogue.load(), facts=facts)
        client = GoldenHourBot(services, sync_on_start=False)
        async with client:
            await client.setup_hook()
            yield client
    finally:
        await db.close()


@pytest.fixture
async def newsroom_bot(tmp_path: Path) -> AsyncIterator[GoldenHourBot]:
    async for bot in make_bot(tmp_path, ADMIN_GUILD):
        yield bot


@pytest.fixture
async def solo_bot(tmp_path: Path) -> AsyncIterator[GoldenHourBot]:
    async for bot in make_bot(tmp_path, None):
        yield bot


def payload(bot: GoldenHourBot, name: str, guild: int | None = None) -> dict[str, Any]:
    scope = None if guild is None else discord.Object(guild)
    (command,) = [c for c in bot.tree.get_commands(guild=scope) if c.name == name]
    return command.to_dict(bot.tree)


async def test_production_lives_only_in_the_admin_guild_when_there_is_one(
    newsroom_bot: GoldenHourBot,
) -> None:
    assert "production" not in {c.name for c in newsroom_bot.tree.get_commands()}
    production = payload(newsroom_bot, "production", ADMIN_GUILD)
    assert production["default_member_permissions"] is None  # the newsroom's members see it
    subcommands = {o["name"] for o in production["options"]}
    assert subcommands == {
        "post", "edit", "retract", "list", "status", "retry", "reload",
        "scheduled", "reschedule", "unschedule",
    }  # fmt: skip


async def test_without_an_admin_guild_production_is_global_and_hidden(
    solo_bot: GoldenHourBot,
) -> None:
    assert payload(solo_bot, "production")["default_member_permissions"] == 0


async def test_setup_and_notify_are_guild_only_and_setup_asks_for_manage_server(
    solo_bot: GoldenHourBot,
) -> None:
    setup = payload(solo_bot, "setup")
    assert setup["contexts"] == [0]
    assert setup["default_member_permissions"] == MANAGE_GUILD
    assert {o["name"] for o in setup["options"]} == {
        "announcements",
        "topics",
        "topic-role",
        "language",
        "check",
        "off",
    }
    assert payload(solo_bot, "notify")["contexts"] == [0]
    updates = payload(solo_bot, "updates")
    assert updates.get("default_member_permissions") is None


def test_button_ids_are_persistent_and_fit_discord() -> None:
    token = secrets.token_urlsafe(12)
    for item in (PublishButton(token), CancelButton(token)):
        custom_id = item.item.custom_id
        assert custom_id is not None and len(custom_id) <= 100
        template = type(item).__discord_ui_compiled_template__
        match = template.fullmatch(custom_id)
        assert match is not None and match["token"] == token
    assert (
        PublishButton.__discord_ui_compiled_template__.fullmatch(f"gh:prod:cancel:{token}") is None
    )
    assert NotifyButton().item.custom_id == NOTIFY_BUTTON_ID
    assert NotifyButton.__discord_ui_compiled_template__.fullmatch("gh:notify")
    assert not NotifyButton.__discord_ui_compiled_template__.fullmatch("gh:notifyx")
    # Posts carry the copy's marker (update id, revision); older posts the plain id.
    assert NotifyButton.__discord_ui_compiled_template__.fullmatch("gh:notify:12:3")
    assert not NotifyButton.__discord_ui_compiled_template__.fullmatch("gh:notify:12")
    assert parse_delivery_marker("gh:notify:12:3") == (12, 3)
    assert parse_delivery_marker("gh:notify") is None


def settings(**changes: Any) -> GuildSettings:
    values: dict[str, Any] = {
        "guild_id": 1,
        "channel_id": 2,
        "channel_kind": "text",
        "role_id": 3,
        "language": "en",
        "enabled": True,
    }
    values.update(changes)
    return GuildSettings(**values)


GOOD_CHANNEL = ChannelState(
    exists=True, name="#updates", view=True, send=True, embed_links=True, manage_messages=True
)
GOOD_ROLE = RoleState(
    exists=True, name="@Fans", mentionable=True, below_bot=True, bot_manage_roles=True
)


def codes(found: list[Any]) -> list[str]:
    return [f.code for f in found]


def test_a_good_setup_has_no_findings() -> None:
    assert check_setup(settings(), GOOD_CHANNEL, GOOD_ROLE) == []


def test_an_unconfigured_server_is_told_to_run_setup() -> None:
    assert codes(check_setup(None, None, None)) == ["not_set_up"]


def test_blocking_problems_come_first_each_with_its_channel() -> None:
    channel = ChannelState(exists=True, name="#updates", view=True, send=False)
    role = RoleState(exists=True, name="@Fans", mentionable=False, below_bot=False)
    found = check_setup(settings(), channel, role)
    assert codes(found) == [
        "no_send",
        "no_embed",
        "role_not_mentionable",
        "no_manage_roles",
        "role_above_bot",
    ]
    assert found[0].params == {"channel": "#updates"}


def test_an_invisible_channel_is_one_problem_not_four() -> None:
    hidden = ChannelState(exists=True, name="#updates", view=False)
    assert codes(check_setup(settings(), hidden, GOOD_ROLE)) == ["no_view"]


def test_mention_everyone_makes_an_unmentionable_role_ping() -> None:
    channel = replace(GOOD_CHANNEL, mention_everyone=True)
    role = replace(GOOD_ROLE, mentionable=False)
    assert check_setup(settings(), channel, role) == []


def test_announcement_channels_want_manage_messages_to_publish() -> None:
    channel = ChannelState(
        exists=True, name="#news", kind="announcement", view=True, send=True, embed_links=True
    )
    found = check_setup(settings(channel_kind="announcement"), channel, GOOD_ROLE)
    assert [(f.code, f.severity) for f in found] == [("no_publish", "warning")]


def test_without_read_message_history_a_lost_answer_cannot_be_checked() -> None:
    channel = replace(GOOD_CHANNEL, read_history=False)
    found = check_setup(settings(), channel, GOOD_ROLE)
    assert [(f.code, f.severity) for f in found] == [("no_history", "warning")]


def test_no_role_and_a_vanished_role() -> None:
    assert codes(check_setup(settings(role_id=None), GOOD_CHANNEL, None)) == ["no_role"]
    gone = check_setup(settings(), GOOD_CHANNEL, RoleState(exists=False))
    assert codes(gone) == ["role_missing"]


def test_attention_is_reported_while_blocked_and_resumes_once_fixed() -> None:
    flagged = settings(attention_reason="HTTP 403: Missing Permissions", attention_since=1.0)
    blocked = check_setup(flagged, ChannelState(exists=False), GOOD_ROLE)
    assert codes(blocked) == ["attention", "channel_missing"]
    assert not can_resume(flagged, blocked)
    fixed = check_setup(flagged, GOOD_CHANNEL, GOOD_ROLE)
    assert fixed == [] and can_resume(flagged, fixed)
    assert not can_resume(settings(), fixed)  # nothing to resume
    switched_off = settings(enabled=False, attention_reason="x", attention_since=1.0)
    assert not can_resume(switched_off, check_setup(switched_off, GOOD_CHANNEL, GOOD_ROLE))


def draft(**changes: Any) -> UpdateDraft:
    values: dict[str, Any] = {
        "title": LocalizedText("Title", "제목"),
        "body": LocalizedText("Body", "본문"),
        "confidence": "reported",
        "source_url": "https://example.com/a",
    }
    values.update(changes)
    return UpdateDraft(**values)


def test_an_edit_changes_only_what_was_given_and_a_dash_removes() -> None:
    current = draft(season=2, season_status="in_talks")
    changed = edited_draft(
        current,
        title="New title",
        body=None,
        title_ko="-",
        body_ko=None,
        source="-",
        confidence=None,
        season=None,
        status="filming",
    )
    assert changed.title == LocalizedText("New title", None)
    assert changed.body == current.body
    assert changed.source_url is None
    assert changed.confidence == "reported"
    assert (changed.season, changed.season_status) == (2, "filming")


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        (DraftProblem("title", "too_long", "ko", 300, TITLE_MAX), "`title_ko` is 300 characters"),
        (DraftProblem("body", "empty", "en"), "`body` is empty."),
        (DraftProblem("source_url", "invalid_url"), "`source` must be a full http(s) link"),
        (DraftProblem("source_url", "required"), "it needs a `source` link"),
        (DraftProblem("season", "out_of_range", limit=20), "between 1 and 20"),
        (DraftProblem("message", "too_long", None, 6100, 6000), "The post is 6,100 characters"),
        (DraftProblem("reason", "empty"), "Give a `reason`"),
    ],
)
def test_each_refusal_is_explained_in_terms_of_the_options(
    problem: DraftProblem, expected: str
) -> None:
    text = problems_text(Catalogue.load(), "en", [problem])
    assert expected in text
    korean = problems_text(Catalogue.load(), "ko", [problem])
    assert korean.splitlines()[0] == "아직 미리보기를 만들 수 없어요:"


def test_the_validators_refusals_all_have_a_message() -> None:
    refusals = validate_draft(
        draft(title=LocalizedText(" ", "x" * 300), source_url="ftp://x", season=2)
    ) + validate_retract_reason("")
    text = problems_text(Catalogue.load(), "en", refusals)
    assert len(text.splitlines()) == 1 + len({_line_key(p) for p in refusals})
    assert not re.search(r"\{\w+\}", text)


def _line_key(problem: DraftProblem) -> tuple[str, str, str | None]:
    return (problem.field, problem.code, problem.language)
