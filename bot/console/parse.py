"""Read a console line the way Discord's client reads a slash command.

`/cast name:Yang Jae-won`, `/renewal 2`, `/setup announcements channel:#general role:@Fans`:
the command, its subcommand words, then `option:value` pairs. A value runs until the next
`option:` of the same command, so multi-word values need no quotes; quotes are there for
values that contain such a word. Words typed before any `option:` fill the first option,
like typing straight after the command in Discord.

Everything is checked against the command schemas the bot registered (the JSON Discord
stores), so the console knows exactly what the real client would offer. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Schema = Mapping[str, Any]

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)
CHAT_INPUT = 1

TYPE_LABELS = {
    STRING: "text",
    INTEGER: "whole number",
    BOOLEAN: "true/false",
    USER: "@user",
    CHANNEL: "#channel",
    ROLE: "@role",
    MENTIONABLE: "@user or @role",
    NUMBER: "number",
    ATTACHMENT: "file",
}
TRUE_WORDS = frozenset({"true", "yes", "y", "on", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "off", "0"})

# `word:` where word could be an option name (lowercase, starts with a letter). The
# lookahead keeps URLs ("https://…") inside values.
OPTION_START = re.compile(r"^([^\W\d_A-Z][-\w]{0,31}):(?!//)")


class ParseError(ValueError):
    """The line is not a command Discord's client would send; the message says why."""


@dataclass(frozen=True, slots=True)
class ChannelRef:
    name: str


@dataclass(frozen=True, slots=True)
class RoleRef:
    name: str


@dataclass(frozen=True, slots=True)
class UserRef:
    name: str


@dataclass(frozen=True, slots=True)
class MentionableRef:
    name: str


Ref = ChannelRef | RoleRef | UserRef | MentionableRef
OptionValue = str | int | float | bool | Ref


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    name: str  # the registered (default-locale) names, as the interaction carries them
    path: tuple[str, ...]
    options: dict[str, OptionValue]

    @property
    def qualified_name(self) -> str:
        """ "setup announcements": what `DiscordDouble.invoke` takes."""
        return " ".join((self.name, *self.path))


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # quotes removed
    start: int
    end: int
    raw: str  # as typed


# -- tokens ------------------------------------------------------------------------------


def tokenize(line: str) -> tuple[list[Token], bool]:
    """Split on whitespace outside quotes; returns the tokens and whether a quote is open."""
    tokens: list[Token] = []
    i, n = 0, len(line)
    quote: str | None = None
    while i < n:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            break
        start = i
        text: list[str] = []
        while i < n and (quote is not None or not line[i].isspace()):
            char = line[i]
            if quote is not None:
                if char == quote:
                    quote = None
                else:
                    text.append(char)
            elif char in "\"'" and _quote_opens(line, i, text):
                quote = char
            else:
                text.append(char)
            i += 1
        tokens.append(Token("".join(text), start, i, line[start:i]))
    return tokens, quote is not None


def _quote_opens(line: str, index: int, text_so_far: list[str]) -> bool:
    # An apostrophe inside a word ("Baek's") is text; a quote opens at a token's start
    # or right after `option:`.
    return not text_so_far or line[index - 1] == ":"


# -- schema helpers ----------------------------------------------------------------------


def localized_name(schema: Schema, locale: str) -> str | None:
    names = schema.get("name_localizations") or {}
    found = names.get(locale) or names.get(locale.split("-")[0])
    return str(found) if found else None


def shown_name(schema: Schema, locale: str) -> str:
    return localized_name(schema, locale) or str(schema["name"])


def find_named(schemas: Sequence[Schema], word: str, locale: str) -> Schema | None:
    lowered = word.lower()
    for schema in schemas:
        if str(schema["name"]).lower() == lowered:
            return schema
        local = localized_name(schema, locale)
        if local is not None and local.lower() == lowered:
            return schema
    return None


def chat_commands(commands: Sequence[Schema]) -> list[Schema]:
    """Slash commands only (not user/message context menus), sorted by name."""
    chat = [c for c in commands if int(c.get("type", CHAT_INPUT)) == CHAT_INPUT]
    return sorted(chat, key=lambda c: str(c["name"]))


def subcommands_of(options: Sequence[Schema]) -> list[Schema]:
    return [o for o in options if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)]


def options_of(schema: Schema) -> list[Schema]:
    return list(schema.get("options") or [])


def shown_description(schema: Schema, locale: str) -> str:
    """The description the bot wrote for this locale, as Discord's client shows it."""
    local = (schema.get("description_localizations") or {}).get(locale)
    if not local:
        local = (schema.get("description_localizations") or {}).get(locale.split("-")[0])
    return str(local or schema.get("description") or "")


def describe_option(option: Schema, locale: str = "en-US") -> str:
    """ "season: Which season (whole number)", "result: … (one of: won, nominated, all)"."""
    kind = int(option.get("type", STRING))
    details: list[str] = []
    choices = option.get("choices")
    if choices:
        details.append("one of: " + ", ".join(shown_name(c, locale) for c in choices))
    else:
        details.append(TYPE_LABELS.get(kind, f"type {kind}"))
    if option.get("autocomplete"):
        details.append("Tab suggests")
    if option.get("required"):
        details.append("required")
    about = shown_description(option, locale)
    head = f"{shown_name(option, locale)}: {about}" if about else shown_name(option, locale)
    return f"{head} ({', '.join(details)})"


def describe_options(options: Sequence[Schema], locale: str = "en-US") -> str:
    if not options:
        return "it takes no options"
    return "options: " + "; ".join(describe_option(o, locale) for o in options)


@dataclass(slots=True)
class CommandWalk:
    """Where the command words led: the command, the subcommand path and the leaf options."""

    command: Schema
    path: list[str]
    options: list[Schema]
    rest: list[Token]  # tokens after the command and subcommand words


def find_command(word: str, commands: Sequence[Schema], locale: str) -> Schema:
    chat = chat_commands(commands)
    found = find_named(chat, word, locale)
    if found is None:
        known = ", ".join(f"/{c['name']}" for c in chat) or "none (is the bot connected?)"
        raise ParseError(f"unknown command /{word}. Commands: {known}")
    return found


def walk_command(tokens: list[Token], commands: Sequence[Schema], locale: str) -> CommandWalk:
    command = find_command(tokens[0].text[1:], commands, locale)
    options = options_of(command)
    path: list[str] = []
    index = 1
    while subcommands_of(options):
        subs = subcommands_of(options)
        word = tokens[index].text if index < len(tokens) else None
        match = None if word is None else find_named(subs, word, locale)
        if match is None:
            where = " ".join([f"/{command['name']}", *path])
            names = ", ".join(str(s["name"]) for s in subs)
            given = "" if word is None else f" (got {word!r})"
            raise ParseError(f"{where} needs a subcommand{given}: {names}")
        path.append(str(match["name"]))
        options = options_of(match)
        index += 1
    return CommandWalk(command, path, options, tokens[index:])


# -- option values -----------------------------------------------------------------------


def option_starting(token: Token, options: Sequence[Schema], locale: str) -> Schema | None:
    """The option a token like `name:…` starts; raises for an unknown `word:`."""
    if token.raw[:1] in "\"'":
        return None
    match = OPTION_START.match(token.raw)
    if match is None:
        return None
    found = find_named(options, match.group(1), locale)
    if found is None:
        raise ParseError(
            f"unknown option {match.group(1)!r}; {describe_options(options, locale)}. "
            'To use a colon in a value, quote it: option:"a: b"'
        )
    return found


def value_text(line: str, tokens: list[Token], first_text: str | None) -> str:
    """The value typed across tokens: one quoted token is taken as is, else the raw span."""
    if first_text is not None and not tokens:
        return first_text
    if first_text is None and len(tokens) == 1:
        return tokens[0].text
    start = tokens[0].start if tokens else 0
    span = line[start : tokens[-1].end] if tokens else ""
    pieces = [first_text] if first_text is not None else []
    if span:
        pieces.append(span)
    return " ".join(p for p in pieces if p).strip()


def convert_value(option: Schema, text: str, locale: str = "en-US") -> OptionValue:
    """Type a typed-in value as the option's schema says; ParseError explains a bad one."""
    name = option["name"]
    kind = int(option.get("type", STRING))
    choices = option.get("choices")
    if choices:
        for choice in choices:
            labels = {str(choice["value"]).lower(), str(choice["name"]).lower()}
            local = localized_name(choice, locale)
            if local:
                labels.add(local.lower())
            if text.strip().lower() in labels:
                value: OptionValue = choice["value"]
                return value
        offered = ", ".join(f"{c['value']} ({shown_name(c, locale)})" for c in choices)
        raise ParseError(f"option {name!r} must be one of: {offered}; got {text!r}")
    text = text.strip()
    if kind == STRING:
        return text
    if kind == INTEGER:
        try:
            return int(text)
        except ValueError:
            raise ParseError(f"option {name!r} expects a whole number, got {text!r}") from None
    if kind == NUMBER:
        try:
            return float(text)
        except ValueError:
            raise ParseError(f"option {name!r} expects a number, got {text!r}") from None
    if kind == BOOLEAN:
        lowered = text.lower()
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
        raise ParseError(f"option {name!r} expects true or false, got {text!r}")
    if kind == CHANNEL:
        return ChannelRef(text.removeprefix("#"))
    if kind == ROLE:
        return RoleRef(text.removeprefix("@"))
    if kind == USER:
        return UserRef(text.removeprefix("@"))
    if kind == MENTIONABLE:
        return MentionableRef(text.removeprefix("@"))
    raise ParseError(f"option {name!r} takes a {TYPE_LABELS.get(kind, kind)}: not possible here")


@dataclass(slots=True)
class OptionSegment:
    option: Schema
    first: str  # the text after `option:` in its own token ("" when nothing)
    tokens: list[Token]
    value_start: int  # index in the line right after the colon


def split_segments(walk: CommandWalk, locale: str) -> tuple[list[Token], list[OptionSegment]]:
    """Split the tokens after the command into leading words and `option:` segments."""
    leading: list[Token] = []
    segments: list[OptionSegment] = []
    for token in walk.rest:
        option = option_starting(token, walk.options, locale)
        if option is not None:
            after = token.text.split(":", 1)[1]
            value_start = token.start + token.raw.index(":") + 1
            segments.append(OptionSegment(option, after, [], value_start))
        elif segments:
            segments[-1].tokens.append(token)
        else:
            leading.append(token)
    return leading, segments


def parse_command(line: str, commands: Sequence[Schema], locale: str = "en-US") -> ParsedCommand:
    """Parse one `/command …` line against the registered command schemas."""
    tokens, open_quote = tokenize(line.strip())
    line = line.strip()
    if open_quote:
        raise ParseError("a quote is not closed")
    if not tokens or not tokens[0].text.startswith("/") or len(tokens[0].text) < 2:
        raise ParseError("a command starts with /, e.g. /cast name:Baek (or :help)")
    walk = walk_command(tokens, commands, locale)
    leading, segments = split_segments(walk, locale)
    values: dict[str, OptionValue] = {}
    if leading:
        if not walk.options:
            where = " ".join(["/" + str(walk.command["name"]), *walk.path])
            raise ParseError(f"{where} takes no options; remove {leading[0].text!r}")
        first = walk.options[0]
        values[str(first["name"])] = convert_value(first, value_text(line, leading, None), locale)
    for segment in segments:
        name = str(segment.option["name"])
        if name in values:
            raise ParseError(f"option {name!r} is given twice")
        text = value_text(line, segment.tokens, segment.first)
        if not text:
            raise ParseError(
                f"option {name!r} has no value; {describe_option(segment.option, locale)}"
            )
        values[name] = convert_value(segment.option, text, locale)
    missing = [
        str(o["name"]) for o in walk.options if o.get("required") and o["name"] not in values
    ]
    if missing:
        raise ParseError(
            f"missing required option {missing[0]!r}; {describe_options(walk.options, locale)}"
        )
    return ParsedCommand(str(walk.command["name"]), tuple(walk.path), values)
