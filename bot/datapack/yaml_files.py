"""Read one data-pack YAML file, keeping line numbers so errors can point at them.

PyYAML silently keeps the last of two equal keys in a mapping, which would hide an
editing mistake (two ``id:`` lines in one entry), so duplicates are reported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Loc = tuple[str | int, ...]
"""A position inside a document: mapping keys and list indexes, e.g. ('people', 3, 'id')."""

if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:  # the C parser is much faster and keeps the same marks; libyaml may be missing
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


def _timestamp_or_text(loader: yaml.SafeLoader, node: ScalarNode) -> object:
    """A date that looks right but is not (2025-02-30) stays text, so the model reports it
    against its field instead of PyYAML failing the whole file with a bare ValueError."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


class _PackLoader(_BaseLoader):
    yaml_constructors: ClassVar[dict[str | None, Any]] = {
        **_BaseLoader.yaml_constructors,
        _TIMESTAMP_TAG: _timestamp_or_text,
    }


@dataclass(frozen=True)
class YamlFile:
    """The parsed contents of one file; ``problems`` are messages without the file name."""

    data: object
    lines: dict[Loc, int] = field(default_factory=dict)  # Loc -> 1-based line number
    problems: list[str] = field(default_factory=list)


def read_yaml_file(path: Path) -> YamlFile:
    """Parse ``path`` with the safe loader. Never raises for bad content: see ``problems``."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return YamlFile(None, problems=[f"not valid UTF-8 text (byte {exc.start})"])
    except OSError as exc:
        return YamlFile(None, problems=[f"cannot read the file: {exc.strerror or exc}"])

    loader = _PackLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:  # an empty file, or only comments
            return YamlFile(None)
        lines: dict[Loc, int] = {}
        problems: list[str] = []
        _index_node(node, (), lines, problems, set())
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        return YamlFile(None, problems=[_describe_yaml_error(exc)])
    finally:
        loader.dispose()
    return YamlFile(data, lines, problems)


def _index_node(
    node: Node, loc: Loc, lines: dict[Loc, int], problems: list[str], active: set[int]
) -> None:
    """Record the line of every position under ``node`` and flag duplicate mapping keys."""
    if id(node) in active:  # a recursive alias: nothing new below this point
        return
    lines.setdefault(loc, node.start_mark.line + 1)
    active.add(id(node))
    if isinstance(node, MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.value == "<<":
                continue
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in first_line:
                problems.append(
                    f"line {line}: duplicate key '{key}' in the same mapping "
                    f"(first at line {first_line[key]}); YAML would keep only the last one"
                )
            else:
                first_line[key] = line
            _index_node(value_node, (*loc, key), lines, problems, active)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _index_node(item, (*loc, index), lines, problems, active)
    active.discard(id(node))


def _describe_yaml_error(exc: yaml.YAMLError) -> str:
    """One line such as ``line 12: bad YAML: mapping values are not allowed here``."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "could not be parsed"
        context = f" ({exc.context})" if exc.context else ""
        if mark is not None:
            return f"line {mark.line + 1}: bad YAML: {problem}{context}"
        return f"bad YAML: {problem}{context}"
    flat = " ".join(str(exc).split())
    return f"bad YAML: {flat}"
