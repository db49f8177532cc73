"""Application command definition rules (interactions/application-commands.mdx).

CHAT_INPUT and option names match ``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`` in their
lowercase form; descriptions 1-100; at most 25 options and 25 choices; at most 8000
characters per command counting the longest localization of every field.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from discord_double.errors import ErrorTree, PathPart
from discord_double.locales import validate_localizations
from discord_double.models import JSON
from discord_double.rules import validate_choice_value

CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND, PRIMARY_ENTRY_POINT = 1, 2, 3, 4
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, NUMBER, CHANNEL = 3, 4, 10, 7
OPTION_TYPES = range(1, 12)
NAME_MAX = 32
DESCRIPTION_MAX = 100
OPTIONS_MAX = 25
CHOICES_MAX = 25
COMMAND_TOTAL_MAX = 8000
STRING_LENGTH_MAX = 6000
# Per scope (global, or one guild): 100 slash + 15 user + 15 message commands.
COMMANDS_PER_TYPE_MAX = {
    CHAT_INPUT: 100,
    USER_COMMAND: 15,
    MESSAGE_COMMAND: 15,
    PRIMARY_ENTRY_POINT: 1,
}

Path = tuple[PathPart, ...]


def _is_name_char(char: str) -> bool:
    if char in "-_'":
        return True
    if unicodedata.category(char)[0] in "LN":
        return True
    code = ord(char)
    # \p{sc=Deva} and \p{sc=Thai}: their combining vowel signs are marks, not letters.
    return 0x0900 <= code <= 0x097F or 0xA8E0 <= code <= 0xA8FF or 0x0E00 <= code <= 0x0E7F


def is_valid_chat_input_name(name: str) -> bool:
    """The slash-command/option naming rule, lowercase variant enforced."""
    return (
        1 <= len(name) <= NAME_MAX and all(_is_name_char(c) for c in name) and name == name.lower()
    )


def _check_name(name: Any, errors: ErrorTree, path: Path, *, chat_input: bool) -> None:
    if not isinstance(name, str) or not 1 <= len(name) <= NAME_MAX:
        errors.bad_length(path, 1, NAME_MAX)
    elif chat_input and not is_valid_chat_input_name(name):
        errors.add(path, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")


def _check_description(description: Any, errors: ErrorTree, path: Path) -> None:
    if not isinstance(description, str) or not 1 <= len(description) <= DESCRIPTION_MAX:
        errors.bad_length(path, 1, DESCRIPTION_MAX)


def _longest(base: Any, localizations: Any) -> int:
    lengths = [len(str(base)) if base is not None else 0]
    if isinstance(localizations, dict):
        lengths.extend(len(str(v)) for v in localizations.values() if v is not None)
    return max(lengths)


def command_size(command: JSON) -> int:
    """Characters counted toward the 8000 limit (longest localization of each field)."""
    total = _longest(command.get("name"), command.get("name_localizations"))
    total += _longest(command.get("description"), command.get("description_localizations"))
    for option in command.get("options") or []:
        total += command_size(option)
    for choice in command.get("choices") or []:
        total += _longest(choice.get("name"), choice.get("name_localizations"))
        total += len(str(choice.get("value", "")))
    return total


def validate_commands(commands: Any, errors: ErrorTree) -> None:
    """Validate a bulk-overwrite body (a list of commands)."""
    if not isinstance(commands, list):
        errors.add((), "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return
    counts: dict[int, int] = {}
    seen: set[tuple[int, str]] = set()
    for index, command in enumerate(commands):
        kind = int(command.get("type") or CHAT_INPUT)
        counts[kind] = counts.get(kind, 0) + 1
        key = (kind, str(command.get("name")))
        if key in seen:
            errors.add(
                (index, "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique ({key[1]})",
            )
        seen.add(key)
        validate_command(command, errors, (index,))
    for kind, count in counts.items():
        limit = COMMANDS_PER_TYPE_MAX.get(kind)
        if limit is not None and count > limit:
            errors.add(
                (),
                "APPLICATION_COMMANDS_TOO_MANY",
                f"Maximum number of application commands of type {kind} reached ({limit}).",
            )


def validate_command(command: JSON, errors: ErrorTree, path: Path) -> None:
    kind = int(command.get("type") or CHAT_INPUT)
    if kind not in COMMANDS_PER_TYPE_MAX:
        errors.add((*path, "type"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4}.")
        return
    chat_input = kind == CHAT_INPUT
    _check_name(command.get("name"), errors, (*path, "name"), chat_input=chat_input)
    validate_localizations(
        command.get("name_localizations"),
        errors,
        (*path, "name_localizations"),
        1,
        NAME_MAX,
        _localized_name_check(errors, chat_input),
    )
    if chat_input:
        _check_description(command.get("description"), errors, (*path, "description"))
        validate_localizations(
            command.get("description_localizations"),
            errors,
            (*path, "description_localizations"),
            1,
            DESCRIPTION_MAX,
        )
        _validate_options(command.get("options") or [], errors, (*path, "options"), depth=0)
        if command_size(command) > COMMAND_TOTAL_MAX:
            errors.add(
                path,
                "APPLICATION_COMMAND_TOO_LARGE",
                f"Command exceeds maximum size ({COMMAND_TOTAL_MAX})",
            )
    else:
        if command.get("description"):
            errors.add(
                (*path, "description"),
                "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                "Context menu commands cannot have description",
            )
        if command.get("options"):
            errors.add((*path, "options"), "BASE_TYPE_MAX_LENGTH", "Must be 0 or fewer in length.")
    permissions = command.get("default_member_permissions")
    if permissions is not None and not str(permissions).isdigit():
        errors.add(
            (*path, "default_member_permissions"),
            "NUMBER_TYPE_COERCE",
            f'Value "{permissions}" is not snowflake.',
        )


def _localized_name_check(errors: ErrorTree, chat_input: bool) -> Any:
    def check(text: str, path: Path) -> None:
        if chat_input and not is_valid_chat_input_name(text):
            errors.add(path, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")

    return check


def _validate_options(options: Any, errors: ErrorTree, path: Path, *, depth: int) -> None:
    if not isinstance(options, list):
        errors.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return
    if len(options) > OPTIONS_MAX:
        errors.max_length(path, OPTIONS_MAX)
    kinds = [int(o.get("type") or 0) for o in options]
    nested = [k in (SUB_COMMAND, SUB_COMMAND_GROUP) for k in kinds]
    if any(nested) and not all(nested):
        errors.add(
            path,
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Sub-command and sub-command group option types are mutually exclusive "
            "to all other types",
        )
    names: set[str] = set()
    seen_optional = False
    for index, (option, kind) in enumerate(zip(options, kinds, strict=True)):
        opath = (*path, index)
        if kind not in OPTION_TYPES:
            errors.add((*opath, "type"), "BASE_TYPE_CHOICES", "Value must be one of 1-11.")
            continue
        name = option.get("name")
        if name in names:
            errors.add(
                (*opath, "name"),
                "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
                "Option name already exists",
            )
        names.add(str(name))
        _check_name(name, errors, (*opath, "name"), chat_input=True)
        _check_description(option.get("description"), errors, (*opath, "description"))
        validate_localizations(
            option.get("name_localizations"),
            errors,
            (*opath, "name_localizations"),
            1,
            NAME_MAX,
            _localized_name_check(errors, True),
        )
        validate_localizations(
            option.get("description_localizations"),
            errors,
            (*opath, "description_localizations"),
            1,
            DESCRIPTION_MAX,
        )
        _validate_nesting(option, kind, errors, opath, depth)
        if kind in (SUB_COMMAND, SUB_COMMAND_GROUP):
            continue
        if option.get("required"):
            if seen_optional:
                errors.add(
                    (*opath, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID_ORDER",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        _validate_value_option(option, kind, errors, opath)


def _validate_nesting(option: JSON, kind: int, errors: ErrorTree, path: Path, depth: int) -> None:
    children = option.get("options") or []
    if kind == SUB_COMMAND_GROUP:
        if depth > 0:
            errors.add(
                (*path, "type"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Invalid nesting"
            )
        if any(int(c.get("type") or 0) != SUB_COMMAND for c in children):
            errors.add(
                (*path, "options"),
                "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                "Sub-command groups may only contain sub-commands",
            )
        _validate_options(children, errors, (*path, "options"), depth=depth + 1)
    elif kind == SUB_COMMAND:
        if any(int(c.get("type") or 0) in (SUB_COMMAND, SUB_COMMAND_GROUP) for c in children):
            errors.add(
                (*path, "options"),
                "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                "Sub-commands cannot contain sub-commands",
            )
        _validate_options(children, errors, (*path, "options"), depth=depth + 1)
    elif children:
        errors.add((*path, "options"), "BASE_TYPE_MAX_LENGTH", "Must be 0 or fewer in length.")


def _validate_value_option(option: JSON, kind: int, errors: ErrorTree, path: Path) -> None:
    choices = option.get("choices") or []
    if choices and kind not in (STRING, INTEGER, NUMBER):
        errors.add((*path, "choices"), "APPLICATION_COMMAND_OPTION_CHOICES_INVALID", "Invalid type")
    if len(choices) > CHOICES_MAX:
        errors.max_length((*path, "choices"), CHOICES_MAX)
    if choices and option.get("autocomplete"):
        errors.add(
            (*path, "autocomplete"),
            "APPLICATION_COMMAND_AUTOCOMPLETE_CHOICES_MUTUALLY_EXCLUSIVE",
            "Autocomplete and choices are mutually exclusive",
        )
    if option.get("autocomplete") and kind not in (STRING, INTEGER, NUMBER):
        errors.add(
            (*path, "autocomplete"),
            "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID",
            "Autocomplete is only supported for string, integer and number options",
        )
    for index, choice in enumerate(choices):
        cpath = (*path, "choices", index)
        name = choice.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            errors.bad_length((*cpath, "name"), 1, 100)
        validate_choice_value(choice.get("value"), kind, errors, (*cpath, "value"))
        validate_localizations(
            choice.get("name_localizations"), errors, (*cpath, "name_localizations"), 1, 100
        )
    for key, low in (("min_length", 0), ("max_length", 1)):
        value = option.get(key)
        if value is not None and not low <= value <= STRING_LENGTH_MAX:
            errors.add(
                (*path, key),
                "NUMBER_TYPE_MAX",
                f"int value should be between {low} and {STRING_LENGTH_MAX}.",
            )
