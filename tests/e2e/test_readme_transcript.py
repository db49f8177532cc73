"""The console transcript in the README's quick start is real: its command, run as written,
prints every line the README shows (lines elided with … aside)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.e2e.test_console import REPO, run_console

MARKER = "<!-- transcript:"


def readme_transcript() -> tuple[str, list[str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(re.escape(MARKER) + r".*?```console\n(.*?)```", text, re.S)
    assert block, "the README lost its console transcript"
    lines = [line.strip() for line in block.group(1).splitlines()]
    command, shown = lines[0], [line for line in lines[1:] if line and line != "…"]
    return command, shown


def test_the_readme_transcript_is_what_the_console_prints(tmp_path: Path) -> None:
    command, shown = readme_transcript()
    words = shlex.split(command.removeprefix("$ "))
    assert (
        words[0] == "printf"
        and words[2] == "|"
        and words[3:6]
        == [
            ".venv/bin/python",
            "-m",
            "bot",
        ]
    )
    typed = words[1].encode().decode("unicode_escape").splitlines()
    result = run_console(typed, *words[7:], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    printed = [line.rstrip() for line in result.stdout.splitlines()]
    missing = [line for line in shown if line not in printed]
    assert not missing, f"the README shows lines the console no longer prints: {missing}"
