"""The offline console shows what Discord's client would show, in the user's language.

Each test is one thing a newcomer noticed: choice names (not raw values) in the box, the
bot's own option descriptions in the chosen locale, commands hidden as Discord hides them,
stable button numbers across pages, messages redrawn when the bot edits them, markdown
escapes and roles rendered as Discord renders them, and forms (modals) filled in.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
from discord import app_commands
from discord.ext import commands
from discord_double import DiscordDouble
from discord_double.client_runner import run_client
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from bot.console.answer import AnswerView
from bot.console.interpreter import Interpreter
from bot.console.prompt import ConsoleCompleter
from bot.console.render import render_plain
from bot.console.session import ConsoleSession, build_demo_server, open_console
from bot.settings import Settings
from tests.e2e.test_console import REPO, answers, run_console, title_line

CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[ConsoleSession]:
    settings = Settings(
        database_path=tmp_path / "goldenhour.sqlite3", seeds_dir=REPO / "seeds", _env_file=None
    )
    async with open_console(settings, locale="en-US") as session:
        yield session
        assert session.double.unexpected_violations() == []


async def completions(session: ConsoleSession, text: str) -> list[tuple[str, str]]:
    found = ConsoleCompleter(session).get_completions_async(Document(text), CompleteEvent())
    return [(c.text, c.display_text) async for c in found]


def last_options(session: ConsoleSession) -> dict[str, object]:
    """The option values the last command interaction carried, as the bot received them."""
    records = session.double.state.interactions.values()
    record = [r for r in records if r.type == 2][-1]  # APPLICATION_COMMAND
    data = record.payload["data"]
    while data.get("options") and data["options"][0].get("type") in (1, 2):
        data = data["options"][0]
    return {o["name"]: o["value"] for o in data.get("options", [])}


async def run(session: ConsoleSession, line: str) -> str:
    outcome = await Interpreter(session).handle(line)
    assert outcome is not None
    return render_plain(outcome)


# -- choices: the name in the box, the value on the wire ----------------------------------


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_tab_puts_the_choice_name_in_the_box_and_sends_the_value(
    console: ConsoleSession, locale: str
) -> None:
    console.locale = locale
    typed = "/cast name:yang" if locale == "en-US" else "/cast name:양재"
    offered = await completions(console, typed)
    assert offered and all(text == shown for text, shown in offered), offered
    assert not any("character:" in text for text, _ in offered)  # no raw keys
    name = next(text for text, shown in offered if "양재원" in shown)
    shown = await run(console, f"/cast name:{name}")
    assert "양재원" in title_line(shown)
    sent = last_options(console)["name"]
    assert isinstance(sent, str) and sent != name  # the hidden value went to the bot


async def test_static_choices_show_localised_names(console: ConsoleSession) -> None:
    console.locale = "ko"
    offered = [text for text, _ in await completions(console, "/awards result:")]
    assert offered and not any(text in ("won", "nominated", "all") for text in offered)
    shown = await run(console, f"/awards result:{offered[0]}")
    assert not shown.startswith("error:")
    assert last_options(console)["result"] in ("won", "nominated", "all")


# -- the bot's own words, in the client's language ----------------------------------------


async def test_option_help_is_the_bots_description_in_the_locale(console: ConsoleSession) -> None:
    english = dict(await completions(console, "/awards "))
    meta_en = {
        c.text: c.display_meta_text
        async for c in ConsoleCompleter(console).get_completions_async(
            Document("/awards "), CompleteEvent()
        )
    }
    assert english and all(meta_en[name] for name in english)
    assert not any(meta.startswith(name) for name, meta in meta_en.items())  # not "who: who"
    console.locale = "ko"
    meta_ko = [
        c.display_meta_text
        async for c in ConsoleCompleter(console).get_completions_async(
            Document("/awards "), CompleteEvent()
        )
    ]
    assert meta_ko and all(any("가" <= ch <= "힣" for ch in meta) for meta in meta_ko), meta_ko
    help_ko = Interpreter(console).help_text()
    cast_line = next(line for line in help_ko.splitlines() if line.strip().startswith("/cast"))
    assert any("가" <= ch <= "힣" for ch in cast_line), cast_line


# -- commands Discord hides -------------------------------------------------------------


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_fans_are_not_offered_admin_commands_and_are_told_how_to_switch(
    console: ConsoleSession, locale: str
) -> None:
    console.locale = locale
    offered = [text for text, _ in await completions(console, "/")]
    assert "/cast" in offered
    assert "/setup" not in offered and "/production" not in offered
    shown = await run(console, "/setup check")
    assert shown.startswith("error:") and ":as admin" in shown and "Manage Server" in shown
    assert "ignore_default_permissions" not in shown and "32" not in shown
    await run(console, ":as admin")
    assert "/setup" in [text for text, _ in await completions(console, "/")]
    assert not (await run(console, "/setup check")).startswith("error:")


# -- stable numbers, in-place edits -----------------------------------------------------


def number_of(shown: str, label: str) -> str:
    found = re.search(r"\[(\d+)\] " + re.escape(label), shown)
    assert found, shown
    return found.group(1)


async def test_button_numbers_do_not_shift_between_pages(console: ConsoleSession) -> None:
    # /renewal's card and its timeline share the message: the menu keeps its number, and
    # the same number goes to the timeline and back.
    first = await run(console, "/renewal")
    menu, toggle = number_of(first, "Pick a season"), number_of(first, "Full timeline")
    second = await run(console, toggle)
    assert "full timeline" in second
    assert number_of(second, "Back to the summary") == toggle
    assert number_of(second, "Pick a season") == menu
    third = await run(console, toggle)  # the same number goes back again
    assert number_of(third, "Full timeline") == toggle
    assert number_of(third, "Pick a season") == menu


async def test_an_edited_message_is_shown_again(console: ConsoleSession) -> None:
    await run(console, ":as admin")
    await run(console, "/setup announcements channel:#general role:@Fans")
    await run(console, ":as maintainer")
    await run(console, "/production post")
    preview = await run(console, ":submit title_en:Hello body_en:First update")
    published = await run(console, number_of(preview, "Publish"))
    assert "Published" in published
    await console.quiet()
    update = console.updates()
    shown = "" if update is None else render_plain(update)
    assert "Delivered 1 / 1" in published + shown
    assert update is None or "[edited]" in shown


def test_piped_console_prints_later_edits_of_the_progress(tmp_path: Path) -> None:
    script = [
        ":as admin",
        "/setup announcements channel:#general role:@Fans",
        ":as maintainer",
        "/production post",
        ":submit title_en:Hello body_en:First update",
        "1",
    ]
    result = run_console(script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Delivered 1 / 1" in result.stdout  # the progress message as it ended


async def test_a_maintainer_posts_through_the_form_with_several_lines(
    console: ConsoleSession,
) -> None:
    await run(console, ":as admin")
    await run(console, "/setup announcements channel:#general role:@Fans")
    await run(console, ":as maintainer")
    opened = await run(console, "/production post confidence:Reported")
    assert "New production update" in opened and ":submit title_en:" in opened
    preview = await run(
        console,
        r":submit title_en:Table read body_en:line one\nline two title_ko:대본 리딩 "
        r"body_ko:첫 줄\n둘째 줄 source:https://news.example.com/read",
    )
    assert "In English: 1 server · in Korean: 0 servers." in preview
    assert "line one\nline two" in preview and "첫 줄\n둘째 줄" in preview
    published = await run(console, number_of(preview, "Publish"))
    assert "Published as update #1" in published
    await console.quiet()
    (post,) = [
        m
        for m in console.double.messages(console.server.channel)
        if m.embeds and m.embeds[0].get("title") == "Table read"
    ]
    assert post.embeds[0]["description"] == "line one\nline two"
    assert post.embeds[0]["url"] == "https://news.example.com/read"


# -- markdown and mentions as Discord renders them -------------------------------------


def test_korean_answers_render_escapes_and_roles(tmp_path: Path) -> None:
    result = run_console(["/show", "/awards", "/renewal season:2"], "--locale", "ko", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "\\~" not in result.stdout and "\\*" not in result.stdout
    assert "\\" not in "".join(shown for _, shown in answers(result.stdout))


async def test_role_completion_shows_everyone_once(console: ConsoleSession) -> None:
    await run(console, ":as admin")
    offered = [
        t for t, _ in await completions(console, "/setup announcements channel:#general role:")
    ]
    assert "@everyone" in offered and "@@everyone" not in offered
    assert "@Fans" in offered


# -- forms ------------------------------------------------------------------------------


class Feedback(discord.ui.Modal, title="Send feedback"):
    subject: discord.ui.TextInput[Feedback] = discord.ui.TextInput(
        label="Subject", custom_id="feedback:subject"
    )
    body: discord.ui.TextInput[Feedback] = discord.ui.TextInput(
        label="Message", custom_id="feedback:body", style=discord.TextStyle.paragraph
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        lines = str(self.body).split("\n")
        await interaction.response.send_message(
            f"got {self.subject}: {len(lines)} lines, last {lines[-1]!r}",
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )


class FormBot(commands.Bot):
    def __init__(self) -> None:
        super().__init__(command_prefix=[], intents=discord.Intents.none())

    async def setup_hook(self) -> None:
        @app_commands.command(name="feedback", description="Tell us something")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(Feedback())

        self.tree.add_command(feedback)
        await self.tree.sync()


async def test_a_form_is_filled_in_with_several_lines(double: DiscordDouble) -> None:
    server = build_demo_server(double)
    bot = FormBot()
    async with run_client(bot, double):
        session = ConsoleSession(double, bot, server, locale="en-US")
        interpreter = Interpreter(session)
        assert ":submit" not in interpreter.help_text()  # only advertised with a form open
        opened = await interpreter.handle("/feedback")
        assert isinstance(opened, AnswerView) and opened.form is not None
        assert [f.multiline for f in opened.form.fields] == [False, True]
        assert ":submit" in render_plain(opened) and ":submit" in interpreter.help_text()
        sent = await interpreter.handle(r":submit subject:Hi body:line one\nline two\nbye")
        assert sent is not None
        assert "got Hi: 3 lines, last 'bye'" in render_plain(sent)
