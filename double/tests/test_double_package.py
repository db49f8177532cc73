"""The double is a package of its own: it imports nothing of the bot and works alone."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

DOUBLE = Path(__file__).resolve().parents[1]
PACKAGE = DOUBLE / "discord_double"
APPLICATION_PACKAGES = ("bot", "cogs", "tests", "bench")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_no_module_of_the_double_imports_the_application() -> None:
    offenders = {
        f"{path.relative_to(DOUBLE)}: {module}"
        for path in [*PACKAGE.rglob("*.py"), *(DOUBLE / "tests").rglob("*.py")]
        for module in imported_modules(path)
        if module.split(".")[0] in APPLICATION_PACKAGES
    }
    assert not offenders, offenders


def test_it_imports_and_serves_with_only_its_own_directory_on_the_path(tmp_path: Path) -> None:
    script = (
        "import asyncio, sys\n"
        "from discord_double import DiscordDouble\n"
        "async def main():\n"
        "    double = DiscordDouble()\n"
        "    await double.start()\n"
        "    double.add_guild('alone')\n"
        "    await double.stop()\n"
        "asyncio.run(main())\n"
        "assert not any(m.split('.')[0] == 'bot' for m in sys.modules), 'bot was imported'\n"
        "print('ok')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(DOUBLE)}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,  # not the repository: `bot` is not importable from here
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
