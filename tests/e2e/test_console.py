"""The offline console, as a newcomer and a script use it: `python -m bot console` answers
slash commands with the real bot against the local Discord double, with no token and no
network, and it goes through exactly the code path a real Discord connection does."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from discord_double import DiscordDouble, Permission
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from bot.app import GoldenHourBot
from bot.console.interpreter import Interpreter
from bot.console.prompt import ConsoleCompleter
from bot.console.render import EPHEMERAL_NOTE, render_plain
from bot.console.session import ConsoleSession, open_console
from bot.settings import Settings
from tests.e2e.golden import golden_settings, start_golden

REPO = Path(__file__).resolve().parents[2]
ENGLISH_SCRIPT = [
    "/help",
    "/cast name:Baek",
    "/cast name:Yang Jae-won",
    "/renewal season:2",
    "/awards result:won",
    "# comments and blank lines are skipped",
    "",
    "/cast name:Kim",
    "1",
    "/cast nam:Baek",
    ":as maintainer",
    "/help",
]


def run_console(
    lines: Sequence[str], *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m bot console` with commands on stdin, in a directory without a .env."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("DISCORD_") and k != "PYTHONPATH"
    }
    clean.update(
        PYTHONPATH=str(REPO),
        DATABASE_PATH=str(cwd / "data" / "goldenhour.sqlite3"),
        SEEDS_DIR=str(REPO / "seeds"),
        LOG_LEVEL="INFO",
    )
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", *args],
        input="\n".join(lines) + "\n",
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def answers(stdout: str) -> list[tuple[str, str]]:
    """(command line, what was printed for it), in order."""
    blocks = ("\n" + stdout).split("\n> ")[1:]
    found = []
    for block in blocks:
        line, _, shown = block.partition("\n")
        found.append((line, shown.strip()))
    return found


def title_line(shown: str) -> str:
    return next(line for line in shown.splitlines() if line.startswith("== "))


@pytest.fixture(scope="module")
def english_run(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    cwd = tmp_path_factory.mktemp("console-en")
    result = run_console(ENGLISH_SCRIPT, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (cwd / "data" / "console.sqlite3").exists()  # never the deployment's database
    assert not (cwd / "data" / "goldenhour.sqlite3").exists()
    return answers(result.stdout)


def answer_to(run: list[tuple[str, str]], line: str, occurrence: int = 0) -> str:
    return [shown for typed, shown in run if typed == line][occurrence]


def test_every_command_line_gets_an_answer_and_comments_none(
    english_run: list[tuple[str, str]],
) -> None:
    typed = [line for line in ENGLISH_SCRIPT if line.strip() and not line.startswith("#")]
    assert [line for line, _ in english_run] == typed
    assert all(shown for _, shown in english_run)


def test_cast_profiles_show_both_scripts(english_run: list[tuple[str, str]]) -> None:
    baek = answer_to(english_run, "/cast name:Baek")
    assert title_line(baek).startswith("== Baek Kang-hyuk") and "백강혁" in title_line(baek)
    assert EPHEMERAL_NOTE not in baek  # a profile is for the whole channel
    yang = answer_to(english_run, "/cast name:Yang Jae-won")
    assert "Yang Jae-won" in title_line(yang) and "양재원" in title_line(yang)
    assert "Choo Young-woo" in yang
    assert "(https://" in yang  # sources keep their links


def test_help_is_only_for_the_asker(english_run: list[tuple[str, str]]) -> None:
    shown = answer_to(english_run, "/help")
    assert shown.startswith(EPHEMERAL_NOTE)
    assert "/cast" in shown and "/renewal" in shown


def test_renewal_labels_confidence(english_run: list[tuple[str, str]]) -> None:
    shown = answer_to(english_run, "/renewal season:2")
    assert "season 2" in title_line(shown).lower()
    assert "✅ Official" in shown and "❔ Unconfirmed" in shown
    assert "reported: in talks (not confirmed by Netflix)" in shown


def test_awards_filtered_to_wins(english_run: list[tuple[str, str]]) -> None:
    shown = answer_to(english_run, "/awards result:won")
    assert "🏆" in shown and "▫️" not in shown
    entries = [line for line in shown.splitlines() if "🏆" in line]
    assert entries and not any(line.endswith("· won") for line in entries)


def test_buttons_are_numbered_and_pressing_one_answers(english_run: list[tuple[str, str]]) -> None:
    prompt = answer_to(english_run, "/cast name:Kim")
    assert EPHEMERAL_NOTE in prompt
    first_button = next(line for line in prompt.splitlines() if line.startswith("[1] "))
    person = first_button.removeprefix("[1] ").split(" (")[0]
    pressed = answer_to(english_run, "1")
    follow_up = pressed.split("[follow-up]", 1)[1]
    assert title_line(follow_up).startswith(f"== {person}")


def test_a_mistyped_option_lists_the_valid_ones(english_run: list[tuple[str, str]]) -> None:
    shown = answer_to(english_run, "/cast nam:Baek")
    assert shown.startswith("error: unknown option 'nam'") and "name: Character or actor" in shown


def test_the_maintainer_persona_is_a_maintainer(english_run: list[tuple[str, str]]) -> None:
    assert "/production" not in answer_to(english_run, "/help", 0)
    assert "/production" in answer_to(english_run, "/help", 1)


def test_korean_locale(tmp_path: Path) -> None:
    result = run_console(
        ["/cast name:Baek", "/renewal season:2", "/help"], "--locale", "ko", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    run = answers(result.stdout)
    assert title_line(answer_to(run, "/cast name:Baek")).startswith("== 백강혁")
    assert "공식" in answer_to(run, "/renewal season:2")
    assert "명령어" in answer_to(run, "/help")


def test_unknown_locale_is_a_usage_error(tmp_path: Path) -> None:
    result = run_console([], "--locale", "klingon", cwd=tmp_path)
    assert result.returncode == 2
    assert "klingon" in result.stderr and "ko" in result.stderr


def test_a_bot_that_cannot_start_fails_the_process(tmp_path: Path) -> None:
    result = run_console(["/help"], cwd=tmp_path, env={"SEEDS_DIR": str(tmp_path / "missing")})
    assert result.returncode == 1
    assert "could not start" in result.stderr
    assert result.stdout == ""


# -- same code path as a real connection -------------------------------------------------


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[ConsoleSession]:
    settings = Settings(
        database_path=tmp_path / "goldenhour.sqlite3",
        seeds_dir=REPO / "seeds",
        _env_file=None,
    )
    async with open_console(settings, locale="en-US") as session:
        yield session
        assert session.double.unexpected_violations() == []


async def drive_console(session: ConsoleSession) -> None:
    interpreter = Interpreter(session)
    for line in ("/help", "/cast name:Baek", "/cast name:Kim", "1"):
        outcome = await interpreter.handle(line)
        assert outcome is not None and not render_plain(outcome).startswith("error:")


async def drive_real_session(double: DiscordDouble, database: Path) -> None:
    """The e2e tests' stand-in for Discord: the bot started by the runner, driven directly."""
    guild = double.add_guild("Real")
    channel = double.add_channel(guild, "general")
    fan = double.add_member(guild, "fan")
    maintainer = double.add_member(guild, "maintainer", permissions=Permission.MANAGE_GUILD)
    settings = golden_settings(
        double, database, admin_guild_id=guild.id, maintainer_ids=frozenset({maintainer.user.id})
    )
    async with start_golden(double, settings):
        await double.invoke("help", {}, channel=channel, user=fan)
        await double.invoke("cast", {"name": "Baek"}, channel=channel, user=fan)
        prompt = await double.invoke("cast", {"name": "Kim"}, channel=channel, user=fan)
        assert prompt.message is not None
        first = next(c for c in prompt.message.iter_components() if c.get("custom_id"))
        pressed = await double.click(prompt.message, first["custom_id"], user=fan)
        await pressed.wait_for_followups(1)


async def test_console_bot_is_the_plain_bot_on_the_real_request_path(
    console: ConsoleSession, double: DiscordDouble, tmp_path: Path
) -> None:
    assert type(console.bot) is GoldenHourBot
    assert console.double.stats.identifies == 1  # a real gateway session, not a shortcut
    await drive_console(console)
    console_routes = {r.route for r in console.double.requests}
    assert {
        "GET /users/@me",
        "GET /oauth2/applications/@me",
        "PUT /applications/{application_id}/commands",
        "POST /interactions/{interaction_id}/{interaction_token}/callback",
    } <= console_routes
    await drive_real_session(double, tmp_path / "real.sqlite3")
    assert console_routes == {r.route for r in double.requests}


def test_no_bot_code_knows_about_the_double_or_the_console() -> None:
    """Cogs and the bot's own modules never import the double or the console."""
    offenders = []
    roots = [REPO / "cogs", REPO / "bot"]
    skipped = {REPO / "bot" / "devserver", REPO / "bot" / "console"}
    for root in roots:
        for path in root.rglob("*.py"):
            if any(folder in path.parents for folder in skipped):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                if any(n.startswith(("discord_double", "bot.console")) for n in names):
                    offenders.append(str(path.relative_to(REPO)))
    allowed = {"bot/cli/__init__.py"}  # the CLI starts the console: it is the entry point
    assert set(offenders) <= allowed, offenders
    cogs_text = "".join(p.read_text(encoding="utf-8") for p in (REPO / "cogs").rglob("*.py"))
    assert "devserver" not in cogs_text


async def test_tab_offers_the_bots_own_autocomplete(console: ConsoleSession) -> None:
    completer = ConsoleCompleter(console)

    async def complete(text: str) -> list[tuple[str, str]]:
        found = completer.get_completions_async(Document(text), CompleteEvent())
        return [(c.text, c.display_text) async for c in found]

    assert ("/cast", "/cast") in await complete("/ca")
    yang = await complete("/cast name:yang")
    assert any("Yang Jae-won" in shown for _, shown in yang), yang
    value = next(text for text, shown in yang if "Yang Jae-won" in shown)
    outcome = await Interpreter(console).handle(f"/cast name:{value}")
    assert outcome is not None
    assert "Yang Jae-won" in title_line(render_plain(outcome))
    console.locale = "ko"
    hangul = await complete("/cast name:양")
    assert any(shown.startswith("양재원") for _, shown in hangul), hangul
