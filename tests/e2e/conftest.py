"""End-to-end fixtures: the local Discord double and the real Golden Hour bot.

- `double` (from the double's pytest plugin): a started `DiscordDouble` on a free port, one
  per test; the test FAILS if the bot did anything Discord would have refused that the test
  did not expect (`double.expect_violations(code)` / `double.take_violations()`).
- `golden`: the real Golden Hour bot started against `double` (see `tests/e2e/golden.py`).
- `run_client` (from `discord_double.client_runner`) runs any discord.py client against the double.
"""

from __future__ import annotations

from discord_double.client_runner import run_client
from discord_double.pytest_plugin import checked_double

__all__ = ["checked_double", "golden", "run_client"]

# The real Golden Hour bot on the double; imported last because it builds on `double`.
from tests.e2e.golden import golden
