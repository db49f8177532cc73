"""Option values checked against the command's own definition before discord.py parses them.

Discord's client enforces lengths, ranges and choices, but an interaction is only JSON: a
modified client (or a change on Discord's side) can send a value discord.py's ``Namespace``
cannot parse (an id that is not a number raises outside the command, so nobody answers), or
one our code was never meant to see (a 5,000-character name, a count of 10^30 that overflows
SQLite; discord.py's ``Range`` is declared to Discord, not enforced on arrival). The command
tree runs :func:`option_problem` first and answers a bad value with a short, private message.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import discord
from discord import app_commands
from discord.enums import AppCommandOptionType as Kind

SUBCOMMANDS: Final = (1, 2)  # SUB_COMMAND, SUB_COMMAND_GROUP
INTEGER_MAX: Final = 2**53 - 1  # Discord's range for INTEGER options
SNOWFLAKE_MAX: Final = 2**64 - 1
_SNOWFLAKES: Final = (Kind.user, Kind.channel, Kind.role, Kind.mentionable, Kind.attachment)


@dataclass(frozen=True, slots=True)
class OptionProblem:
    """A refused value: the catalogue ``key`` that explains it, and its ``params``."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


def leaf_options(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The options of the subcommand actually run (below any group and subcommand)."""
    options: list[Mapping[str, Any]] = list(data.get("options") or [])
    while len(options) == 1 and options[0].get("type") in SUBCOMMANDS:
        options = list(options[0].get("options") or [])
    return options


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _range_problem(value: float, low: float | None, high: float | None) -> str | None:
    if not math.isfinite(value):
        return "error.bad_option"
    if low is not None and value < low:
        return "error.option_too_small"
    if high is not None and value > high:
        return "error.option_too_large"
    return None


def value_problem(parameter: app_commands.Parameter, value: object) -> OptionProblem | None:
    """Is ``value`` one Discord's client could have sent for ``parameter``?"""
    name = parameter.display_name
    low, high = parameter.min_value, parameter.max_value
    bad = OptionProblem("error.bad_option", {"option": name})
    kind = parameter.type
    if kind is Kind.string:
        if not isinstance(value, str):
            return bad
        if high is not None and len(value) > high:
            return OptionProblem("error.option_too_long", {"option": name, "max": int(high)})
        if low is not None and len(value) < low:
            return OptionProblem("error.option_too_short", {"option": name, "min": int(low)})
    elif kind in (Kind.integer, Kind.number):
        if not _is_number(value) or (kind is Kind.integer and not isinstance(value, int)):
            return bad
        assert isinstance(value, int | float)
        if kind is Kind.integer:
            low = -INTEGER_MAX if low is None else low
            high = INTEGER_MAX if high is None else high
        key = _range_problem(value, low, high)
        if key == "error.bad_option":
            return bad
        if key is not None:
            return OptionProblem(key, {"option": name, "min": low, "max": high})
    elif kind is Kind.boolean:
        if not isinstance(value, bool):
            return bad
    elif kind in _SNOWFLAKES:
        text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
        if not text.isascii() or not text.isdigit() or int(text) > SNOWFLAKE_MAX:
            return bad
    if parameter.choices and value not in [choice.value for choice in parameter.choices]:
        return bad
    return None


def options_problem(
    parameters: Sequence[app_commands.Parameter], options: Sequence[Mapping[str, Any]]
) -> OptionProblem | None:
    """The first option value that does not fit its parameter (typed text while
    autocompleting is left alone: it is anything the user typed so far)."""
    by_name = {parameter.display_name: parameter for parameter in parameters}
    for option in options:
        parameter = by_name.get(str(option.get("name")))
        if parameter is None or option.get("focused"):
            continue  # an unknown option is ignored by discord.py itself
        problem = value_problem(parameter, option.get("value"))
        if problem is not None:
            return problem
    return None


def option_problem(interaction: discord.Interaction[Any]) -> OptionProblem | None:
    """What is wrong with a slash command's (or autocomplete's) option values, if anything."""
    command = interaction.command
    if not isinstance(command, app_commands.Command) or not isinstance(interaction.data, dict):
        return None
    return options_problem(command.parameters, leaf_options(interaction.data))
