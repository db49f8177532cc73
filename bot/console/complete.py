"""Tab completion for console lines: what to offer at the cursor, from the command schemas.

Static suggestions (command, subcommand and option names, choices, true/false) come straight
from the schemas; for autocomplete options the plan says what to ask the bot, which the
prompt then does through the Discord double, exactly as Discord's client would. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.console.parse import (
    BOOLEAN,
    CHANNEL,
    MENTIONABLE,
    OPTION_START,
    ROLE,
    STRING,
    USER,
    OptionSegment,
    OptionValue,
    ParseError,
    Schema,
    Token,
    chat_commands,
    convert_value,
    find_command,
    find_named,
    option_starting,
    options_of,
    shown_description,
    shown_name,
    split_segments,
    subcommands_of,
    tokenize,
    value_text,
    walk_command,
)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One completion: replace the `replace` characters before the cursor with `text`."""

    text: str
    replace: int
    display: str
    meta: str = ""


@dataclass(frozen=True, slots=True)
class AutocompleteRequest:
    """Ask the bot, as Discord does while the user types into an autocomplete option."""

    command: str  # qualified name, e.g. "awards"
    option: str
    value: str
    filled: dict[str, OptionValue]
    replace: int


@dataclass(frozen=True, slots=True)
class MentionRequest:
    kind: Literal["channel", "role", "user", "mentionable"]
    prefix: str
    replace: int


@dataclass(slots=True)
class CompletionPlan:
    static: list[Suggestion] = field(default_factory=list)
    autocomplete: AutocompleteRequest | None = None
    mention: MentionRequest | None = None


# -- completion --------------------------------------------------------------------------


def plan_completions(
    text: str, commands: Sequence[Schema], locale: str = "en-US"
) -> CompletionPlan:
    """What to offer for Tab at the end of `text` (the line up to the cursor)."""
    plan = CompletionPlan()
    if not text.startswith("/"):
        return plan
    tokens, _ = tokenize(text)
    ends_in_space = text[-1:].isspace()
    if len(tokens) == 1 and not ends_in_space:
        prefix = tokens[0].text[1:].lower()
        for command in chat_commands(commands):
            name = shown_name(command, locale)
            if name.lower().startswith(prefix):
                plan.static.append(
                    Suggestion(
                        "/" + name,
                        len(tokens[0].raw),
                        "/" + name,
                        shown_description(command, locale),
                    )
                )
        return plan
    partial = Token("", len(text), len(text), "") if ends_in_space else tokens[-1]
    complete = tokens if ends_in_space else tokens[:-1]
    try:
        walk = walk_command(complete, commands, locale)
    except ParseError:
        return _plan_subcommand(complete, partial, commands, locale) or plan
    try:
        _, segments = split_segments(walk, locale)
        option_here = option_starting(partial, walk.options, locale)
    except ParseError:
        return plan
    qualified = " ".join([str(walk.command["name"]), *walk.path])
    filled = _filled(text, segments, locale)
    if option_here is not None:
        value = partial.text.split(":", 1)[1]
        raw_value = partial.raw.split(":", 1)[1]
        filled.pop(str(option_here["name"]), None)
        _plan_value(plan, qualified, option_here, value, len(raw_value), filled, locale)
        return plan
    used = {str(s.option["name"]) for s in segments}
    for option in walk.options:
        name = shown_name(option, locale)
        if str(option["name"]) not in used and name.lower().startswith(partial.text.lower()):
            plan.static.append(
                Suggestion(
                    name + ":", len(partial.raw), name + ":", shown_description(option, locale)
                )
            )
    if segments:
        # Possibly still typing a multi-word value: offer that option's completions too.
        current = segments[-1]
        value_text = text[current.value_start :].lstrip().lstrip("\"'")
        filled.pop(str(current.option["name"]), None)
        replace = len(text) - current.value_start
        _plan_value(plan, qualified, current.option, value_text, replace, filled, locale)
    return plan


def _plan_subcommand(
    complete: list[Token], partial: Token, commands: Sequence[Schema], locale: str
) -> CompletionPlan | None:
    """Offer subcommand names when the words so far stop right before one."""
    if not complete:
        return None
    try:
        command = find_command(complete[0].text[1:], commands, locale)
    except ParseError:
        return None
    options = options_of(command)
    for token in complete[1:]:
        match = find_named(subcommands_of(options), token.text, locale)
        if match is None:
            return None
        options = options_of(match)
    subs = subcommands_of(options)
    if not subs:
        return None
    plan = CompletionPlan()
    for sub in subs:
        name = shown_name(sub, locale)
        if name.lower().startswith(partial.text.lower()):
            plan.static.append(
                Suggestion(name, len(partial.raw), name, shown_description(sub, locale))
            )
    return plan


def _plan_value(
    plan: CompletionPlan,
    command: str,
    option: Schema,
    value: str,
    replace: int,
    filled: dict[str, OptionValue],
    locale: str,
) -> None:
    kind = int(option.get("type", STRING))
    choices = option.get("choices")
    if choices:
        for choice in choices:
            label = shown_name(choice, locale)
            if str(choice["value"]).lower().startswith(value.lower()) or label.lower().startswith(
                value.lower()
            ):
                # Discord's client puts the choice's name in the box; the value stays hidden.
                plan.static.append(Suggestion(quote_if_needed(label), replace, label))
    elif option.get("autocomplete"):
        plan.autocomplete = AutocompleteRequest(
            command, str(option["name"]), value, filled, replace
        )
    elif kind == BOOLEAN:
        for word in ("true", "false"):
            if word.startswith(value.lower()):
                plan.static.append(Suggestion(word, replace, word))
    elif kind in (CHANNEL, ROLE, USER, MENTIONABLE):
        kinds: dict[int, Literal["channel", "role", "user", "mentionable"]] = {
            CHANNEL: "channel",
            ROLE: "role",
            USER: "user",
            MENTIONABLE: "mentionable",
        }
        plan.mention = MentionRequest(kinds[kind], value.lstrip("#@"), replace)


def _filled(text: str, segments: list[OptionSegment], locale: str) -> dict[str, OptionValue]:
    """The other options typed so far, typed; ones that do not parse yet are left out."""
    filled: dict[str, OptionValue] = {}
    for segment in segments:
        try:
            typed = value_text(text, segment.tokens, segment.first)
            if typed:
                filled[str(segment.option["name"])] = convert_value(segment.option, typed, locale)
        except ParseError:
            continue
    return filled


def quote_if_needed(value: str) -> str:
    """Quote a completed value when it would otherwise be read as an `option:` word."""
    if any(OPTION_START.match(word) for word in value.split()[1:]) or not value.strip():
        return '"' + value.replace('"', "'") + '"'
    return value
