"""Load the data pack from a directory of YAML files, with errors a human can act on.

Every ``*.yaml`` file in the directory holds some of the pack's top-level keys (``show``,
``people`` ...). Loading runs in three stages, each reporting all of its problems at once:
read and parse the files, validate the rows with the models, check cross-references.
A failure raises :class:`PackError`, whose message names file, entry, field and line.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.datapack.models import SQLITE_INT_MAX, SQLITE_INT_MIN, Pack
from bot.datapack.references import Problem, check_references
from bot.datapack.yaml_files import Loc, YamlFile, read_yaml_file

TOP_LEVEL_KEYS: tuple[str, ...] = tuple(Pack.model_fields)
"""The keys a pack file may define; each must be defined by exactly one file."""

# Pydantic error types whose message already says what was found (or where it is irrelevant).
_NO_INPUT_SHOWN = {
    "missing",
    "extra_forbidden",
    "model_type",
    "dict_type",
    "list_type",
    "too_short",
}

MAX_LISTED_PROBLEMS = 50  # beyond this a message stops being readable; the count says the rest


class PackError(Exception):
    """The data pack is broken. ``str()`` is one line, or a count line and one line each."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems: tuple[str, ...] = (
            (problems,) if isinstance(problems, str) else tuple(problems)
        )
        super().__init__(self._message())

    def _message(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0]
        listed = [f"- {problem}" for problem in self.problems[:MAX_LISTED_PROBLEMS]]
        hidden = len(self.problems) - len(listed)
        if hidden > 0:
            listed.append(f"- … and {hidden} more")
        return "\n".join([f"{len(self.problems)} problems in the data pack:", *listed])


def load_pack(directory: Path) -> Pack:
    """Read, validate and cross-check every ``*.yaml`` in ``directory``; raise PackError."""
    merged = _read_files(directory)
    try:
        pack = Pack.model_validate(merged.data)
    except ValidationError as exc:
        raise PackError(merged.describe([_validation_problem(e) for e in exc.errors()])) from None
    problems = check_references(pack)
    if problems:
        raise PackError(merged.describe(problems))
    return pack


@dataclass(frozen=True)
class _MergedFiles:
    """The pack's raw data with, for each top-level key, the file and lines it came from."""

    data: dict[str, Any]
    files: dict[str, Path]  # top-level key -> file that defines it
    lines: dict[Loc, int]  # position -> 1-based line in that file

    def describe(self, problems: list[Problem]) -> list[str]:
        """One line per problem, in file order so an editor can walk down each file."""
        ordered = sorted(problems, key=lambda p: (str(self._file(p.loc)), self._line(p.loc) or 0))
        described = [self._locate(p.loc, p.message) for p in ordered]
        return list(dict.fromkeys(described))  # one bad value can surface twice

    def _locate(self, loc: Loc, message: str) -> str:
        """``seeds/people.yaml: people[3] (id 'x') → sources[0]: message (line 42)``."""
        line = self._line(loc)
        suffix = f" (line {line})" if line is not None else ""
        return f"{self._file(loc)}: {_describe_loc(loc, self.data)}: {message}{suffix}"

    def _file(self, loc: Loc) -> Path | str:
        return self.files.get(str(loc[0]), "data pack") if loc else "data pack"

    def _line(self, loc: Loc) -> int | None:
        """The line of the deepest part of ``loc`` that exists in the file."""
        for end in range(len(loc), 0, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                return line
        return None


def _read_files(directory: Path) -> _MergedFiles:
    """Merge the files' top-level keys, or raise PackError listing every file problem."""
    if not directory.is_dir():
        raise PackError(f"{directory}: data pack directory not found")
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise PackError(f"{directory}: no *.yaml files in the data pack directory")

    merged = _MergedFiles({}, {}, {})
    problems: list[str] = []
    for path in paths:
        parsed = read_yaml_file(path, root=directory)
        problems += [f"{path}: {problem}" for problem in parsed.problems]
        for key, value in _top_level_items(path, parsed, problems):
            if key in merged.files:
                problems.append(
                    f"{path}: line {parsed.lines.get((key,), 1)}: top-level key '{key}' "
                    f"is already defined in {merged.files[key]}"
                )
                continue
            merged.data[key] = value
            merged.files[key] = path
            merged.lines.update({loc: n for loc, n in parsed.lines.items() if loc[:1] == (key,)})
    if not problems:  # a missing key is only worth reporting when every file was readable
        problems += [
            f"{directory}: no file defines the top-level key '{key}'"
            for key in TOP_LEVEL_KEYS
            if key not in merged.files
        ]
    if problems:
        raise PackError(problems)
    return merged


def _top_level_items(path: Path, parsed: YamlFile, problems: list[str]) -> list[tuple[str, Any]]:
    """The file's known top-level items; unknown keys and non-mappings become problems."""
    if parsed.data is None:
        return []
    if not isinstance(parsed.data, dict):
        problems.append(
            f"{path}: the top level should be a mapping of pack keys such as 'people:' "
            f"(got {_kind(parsed.data)})"
        )
        return []
    items: list[tuple[str, Any]] = []
    for key, value in parsed.data.items():
        if key in TOP_LEVEL_KEYS:
            items.append((key, value))
            continue
        line = parsed.lines.get((str(key),), 1)
        close = difflib.get_close_matches(str(key), TOP_LEVEL_KEYS, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        problems.append(
            f"{path}: line {line}: unknown top-level key '{key}' "
            f"({hint}expected one of: {', '.join(TOP_LEVEL_KEYS)})"
        )
    return items


def _validation_problem(error: ErrorDetails) -> Problem:
    message = _plain_message(error)
    value = error.get("input")
    if error["type"] not in _NO_INPUT_SHOWN and _is_short_scalar(value):
        message += f" (got {_shown(value)})"
    return Problem(tuple(error["loc"]), message)


def _describe_loc(loc: Loc, raw: Mapping[str, Any]) -> str:
    """Entries (mappings in lists) start a new '→' segment and show their id when they have one.

    ('people', 3, 'sources', 0)      -> people[3] (id 'ju-ji-hoon') → sources[0]
    ('show', 'figures', 1, 'label')  -> show → figures[1] (id 'x') → label
    """
    if not loc:
        return "(whole pack)"
    segments = [str(loc[0])]
    node: Any = raw.get(str(loc[0]))
    new_segment = isinstance(node, dict)
    for step in loc[1:]:
        if isinstance(step, int):
            segments[-1] += f"[{step}]"
            node = node[step] if isinstance(node, list) and 0 <= step < len(node) else None
            if isinstance(node, dict):
                segments[-1] += _entry_label(node)
                new_segment = True
            continue
        if new_segment:
            segments.append(step)
            new_segment = False
        else:
            segments[-1] += f".{step}"
        node = node.get(step) if isinstance(node, dict) else None
    return " → ".join(segments)


def _entry_label(entry: Mapping[str, Any]) -> str:
    for field in ("id", "number"):
        value = entry.get(field)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return f" ({field} {value!r})"
    return ""


def _plain_message(error: ErrorDetails) -> str:
    """Pydantic's message with the jargon and the documentation links taken out."""
    kind = error["type"]
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see the other entries for the field names)"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return f"should be a mapping of fields (got {_kind(error.get('input'))})"
    if kind == "list_type":
        return f"should be a list (got {_kind(error.get('input'))})"
    if kind == "string_pattern_mismatch":
        pattern = str((error.get("ctx") or {}).get("pattern", ""))
        if pattern.startswith("^https?"):
            return "should be a web address starting with http:// or https://"
        if pattern.startswith("^[a-z0-9]"):
            return "should be an id: lowercase letters, digits and hyphens (e.g. 'ju-ji-hoon')"
    if kind == "too_short":
        minimum = (error.get("ctx") or {}).get("min_length", 1)
        value = error.get("input")
        got = len(value) if isinstance(value, list) else 0
        return f"should list at least {minimum} item{'s' if minimum != 1 else ''} (got {got})"
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, ")
    ctx = error.get("ctx") or {}
    if kind in {"less_than_equal", "greater_than_equal"} and ctx.get("le", ctx.get("ge")) in {
        SQLITE_INT_MAX,
        SQLITE_INT_MIN,
    }:
        return f"number out of range: the database stores {SQLITE_INT_MIN} to {SQLITE_INT_MAX}"
    if kind == "int_parsing_size":
        return "number out of range: it has thousands of digits"
    return error["msg"]


def _is_short_scalar(value: object) -> bool:
    if isinstance(value, str):
        return len(value) <= 60
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() <= 200  # ~60 digits; str() of a huge int is slow or fails
    return isinstance(value, int | float | dt.date) or value is None


def _shown(value: object) -> str:
    """A value as the editor wrote it: dates as in YAML, empty values named as such."""
    if value is None:
        return "an empty value"
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return f"{type(value).__name__} {value!r}"
