"""Option values are checked against the command's definition before discord.py parses them."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.option_guard import leaf_options, options_problem


@app_commands.command(name="probe", description="Probe")
@app_commands.choices(lang=[app_commands.Choice(name="English", value="en")])
async def probe(
    interaction: discord.Interaction,
    name: app_commands.Range[str, 2, 5],
    count: app_commands.Range[int, 1, 10],
    big: int,
    ratio: float,
    flag: bool,
    role: discord.Role,
    lang: str,
) -> None:
    """Never run."""


GOOD = {
    "name": "abc",
    "count": 3,
    "big": 2**40,
    "ratio": 0.5,
    "flag": True,
    "role": "1579000608235589633",
    "lang": "en",
}


def problem(**changes: object) -> tuple[str, dict[str, object]] | None:
    options = [{"name": k, "value": v} for k, v in {**GOOD, **changes}.items()]
    found = options_problem(probe.parameters, options)
    return None if found is None else (found.key, dict(found.params))


def test_values_a_client_could_send_pass() -> None:
    assert problem() is None
    assert problem(ratio=3) is None  # a whole number is a fine NUMBER


def test_each_kind_of_bad_value_is_named() -> None:
    assert problem(name="x" * 6) == ("error.option_too_long", {"option": "name", "max": 5})
    assert problem(name="x") == ("error.option_too_short", {"option": "name", "min": 2})
    assert problem(count=0) == ("error.option_too_small", {"option": "count", "min": 1, "max": 10})
    too_large = {"option": "big", "min": -(2**53 - 1), "max": 2**53 - 1}  # Discord's range
    assert problem(big=2**53) == ("error.option_too_large", too_large)
    for bad in (
        {"count": True},
        {"count": 2.5},
        {"ratio": float("nan")},
        {"flag": "yes"},
        {"role": "abc"},
        {"role": "1" * 30},
        {"lang": "fr"},
        {"name": 12},
    ):
        assert problem(**bad) == ("error.bad_option", {"option": next(iter(bad))}), bad


def test_typed_text_while_autocompleting_and_subcommands() -> None:
    typed = [{"name": "count", "value": "not yet a number", "focused": True}]
    assert options_problem(probe.parameters, typed) is None
    data = {"options": [{"type": 2, "options": [{"type": 1, "options": typed}]}]}
    assert leaf_options(data) == typed
