"""The interactive console in a real pseudo-terminal, typed at as a person types.

`python -m bot console` runs under a pty (prompt_toolkit line editing, rich panels); the test
types keys, Tab included, and reads what the terminal shows with the escape codes removed.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.shortcuts import PromptSession

from bot.console.answer import Form, FormField
from bot.console.prompt import fill_form
from tests.e2e.test_console import REPO

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")
PROMPT = "❯"
TAB, ENTER, ESC = "\t", "\r", "\x1b"


class Terminal:
    def __init__(self, child: pexpect.spawn) -> None:
        self.child = child
        self.seen = ""

    def wait_for(self, text: str, timeout: float = 30) -> str:
        """Read until `text` is on screen (escape codes removed); returns all read so far."""
        while text not in self.seen:
            try:
                chunk = self.child.read_nonblocking(65536, timeout=timeout)
            except pexpect.TIMEOUT:
                raise AssertionError(f"{text!r} never appeared; the screen:\n{self.seen[-3000:]}")
            self.seen += ANSI.sub("", chunk)
        return self.seen

    def mark(self) -> int:
        return len(self.seen)

    def since(self, mark: int) -> str:
        return self.seen[mark:]

    def type(self, keys: str, then_wait_for: str | None = None) -> None:
        self.child.send(keys)
        if then_wait_for is not None:
            self.wait_for(then_wait_for)

    def command(self, line: str, expect: str) -> str:
        """Type a line, press Enter, and return what was shown until `expect` appeared."""
        start = self.mark()
        self.child.send(line + ENTER)
        self.wait_for(expect)
        return self.since(start)


@pytest.fixture
def terminal(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Terminal]:
    locale = getattr(request, "param", "en")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    env.update(
        PYTHONPATH=str(REPO),
        DATABASE_PATH=str(tmp_path / "data" / "goldenhour.sqlite3"),
        SEEDS_DIR=str(REPO / "seeds"),
        LOG_LEVEL="INFO",
        TERM="xterm-256color",
        TZ="Asia/Seoul",
        PROMPT_TOOLKIT_NO_CPR="1",
    )
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot", "console", "--locale", locale],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        # A ^C at teardown can cut a Korean character's bytes in two; don't fail on that.
        codec_errors="replace",
        dimensions=(60, 200),
        timeout=60,
    )
    term = Terminal(child)
    term.wait_for(PROMPT)
    try:
        yield term
    finally:
        child.sendcontrol("c")  # whatever is half-typed goes
        child.send(":quit" + ENTER)
        child.expect(pexpect.EOF, timeout=20)
        child.close()
        assert "Traceback" not in term.seen


def test_tab_fills_a_choice_name_and_the_answer_comes(terminal: Terminal) -> None:
    start = terminal.mark()
    terminal.type("/cast name:yang jae", then_wait_for="Choo Young-woo")  # the bot's menu
    terminal.type(TAB)
    terminal.type(ENTER)  # accept the completion, as in Discord's client
    terminal.type(ENTER, then_wait_for="Played by")
    shown = terminal.since(start)
    assert "character:" not in shown and "person:" not in shown  # values stay hidden
    assert "Yang Jae-won" in shown and "양재원" in shown


@pytest.mark.parametrize("terminal", ["ko"], indirect=True)
def test_korean_client_shows_korean_names_and_descriptions(terminal: Terminal) -> None:
    start = terminal.mark()
    terminal.type("/awards ", then_wait_for="시상식 하나")  # the bot's Korean descriptions
    terminal.type("\x15")  # Ctrl-U: clear the line
    shown = terminal.command("/awards result:수상", "🏆")
    assert "수상" in terminal.since(start)
    assert "(only you can see this)" not in shown


def test_hidden_command_says_how_to_switch(terminal: Terminal) -> None:
    shown = terminal.command("/setup check", ":as admin")
    assert "Manage Server" in shown and "ignore_default_permissions" not in shown


def test_button_numbers_stay_put_while_paging(terminal: Terminal) -> None:
    first = terminal.command("/renewal", "Full timeline")
    toggle = re.search(r"\[(\d+)\] Full timeline", first)
    assert toggle, first
    terminal.command(toggle.group(1), "Back to the summary")
    terminal.command(toggle.group(1), "Full timeline")


def test_progress_is_redrawn_when_the_bot_edits_it(terminal: Terminal) -> None:
    terminal.command(":as admin", "Manage Server")
    terminal.command("/setup announcements channel:#general role:@Fans", "#general")
    terminal.command(":as maintainer", "newsroom")
    # The form asks field by field, as Discord's modal shows them; Esc then Enter ends a body.
    terminal.command("/production post", "Title (English)")
    terminal.command("Hello", "Text (English)")
    terminal.command("First" + ESC, "Title (Korean)")
    terminal.command("", "Text (Korean)")
    terminal.command(ESC, "Source link")
    preview = terminal.command("", "Cancel")
    publish = re.search(r"\[(\d+)\]\s*Publish", preview)
    assert publish, preview
    terminal.command(publish.group(1), "Published")
    terminal.wait_for("Delivered 1 / 1")  # drawn again when the delivery finished


async def test_a_form_asks_each_field_and_takes_several_lines() -> None:
    form = Form(
        "Send feedback",
        (
            FormField("subject", "gh:subject", "Subject", required=True, multiline=False),
            FormField("body", "gh:body", "Message", required=True, multiline=True),
        ),
    )
    with create_pipe_input() as keys, create_app_session(input=keys, output=DummyOutput()):
        keys.send_text("Hello\r")
        keys.send_text("line one\rline two" + ESC + ENTER)  # Esc then Enter ends a paragraph
        session: PromptSession[str] = PromptSession()
        values = await fill_form(session, form)
    assert values == {"gh:subject": "Hello", "gh:body": "line one\nline two"}
