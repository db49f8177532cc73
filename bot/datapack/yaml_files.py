"""Read one data-pack YAML file, keeping line numbers so errors can point at them.

PyYAML silently keeps the last of two equal keys in a mapping, which would hide an
editing mistake (two ``id:`` lines in one entry), so duplicates are reported here.

A pack may come from someone else (a pull request, a shared folder), so reading is bounded:
only regular files inside the pack directory, at most :data:`MAX_FILE_BYTES` read, and at
most :data:`MAX_VALUES` values once aliases are followed (a "billion laughs" file is a few
hundred bytes that expand to 10⁹ values; it is measured without expanding it).
"""

from __future__ import annotations

import os
import stat
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
_INT_TAG = "tag:yaml.org,2002:int"

MAX_FILE_BYTES = 1_000_000
"""Per file. The largest real file is ~17 kB; this leaves room to grow 50x."""
MAX_VALUES = 100_000
"""Per file: scalars, lists and mappings, each alias counted as everything it stands for.
The real pack has ~2,400 in all (760 in its largest file); pydantic and the line index
both walk the expanded tree."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: ScalarNode) -> object:
    """A date that looks right but is not (2025-02-30) stays text, so the model reports it
    against its field instead of PyYAML failing the whole file with a bare ValueError."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


def _int_or_text(loader: yaml.SafeLoader, node: ScalarNode) -> object:
    """An integer too long for Python to convert (> 4300 digits) stays text, so the model
    reports it against its field instead of PyYAML failing with a bare ValueError."""
    try:
        return loader.construct_yaml_int(node)
    except ValueError:
        return loader.construct_scalar(node)


class _PackLoader(_BaseLoader):
    yaml_constructors: ClassVar[dict[str | None, Any]] = {
        **_BaseLoader.yaml_constructors,
        _TIMESTAMP_TAG: _timestamp_or_text,
        _INT_TAG: _int_or_text,
    }


@dataclass(frozen=True)
class YamlFile:
    """The parsed contents of one file; ``problems`` are messages without the file name."""

    data: object
    lines: dict[Loc, int] = field(default_factory=dict)  # Loc -> 1-based line number
    problems: list[str] = field(default_factory=list)


class _Refused(Exception):
    """The file is not read; ``str()`` says why (without the file name)."""


def read_yaml_file(path: Path, *, root: Path | None = None) -> YamlFile:
    """Parse ``path`` with the safe loader. Never raises for bad content: see ``problems``.

    ``root`` is the pack directory: a symbolic link that leads out of it is refused (a
    pack's error messages quote file contents, so a link to a secrets file would leak it).
    """
    try:
        text = _read_text(path, root)
    except _Refused as exc:
        return YamlFile(None, problems=[str(exc)])
    except UnicodeDecodeError as exc:
        return YamlFile(None, problems=[f"not valid UTF-8 text (byte {exc.start})"])
    except OSError as exc:
        return YamlFile(None, problems=[f"cannot read the file: {exc.strerror or exc}"])

    loader = _PackLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:  # an empty file, or only comments
            return YamlFile(None)
        too_big = _check_size(node)
        if too_big is not None:
            return YamlFile(None, problems=[too_big])
        lines: dict[Loc, int] = {}
        problems: list[str] = []
        _index_node(node, lines, problems)
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        return YamlFile(None, problems=[_describe_yaml_error(exc)])
    finally:
        loader.dispose()
    return YamlFile(data, lines, problems)


def _read_text(path: Path, root: Path | None) -> str:
    """The file's text, read with a bound; refuses links out of ``root`` and non-files."""
    if root is not None and path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root.resolve()):
            raise _Refused(
                f"is a symbolic link to {target}, outside the data pack directory; "
                "copy the file into the pack instead"
            )
    # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
    except BaseException:
        os.close(fd)
        raise
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise _Refused(
            f"is not a regular file (it is {_file_kind(mode)}); a data pack holds plain YAML files"
        )
    with os.fdopen(fd, "rb") as file:
        # Read one byte past the limit rather than trusting st_size (it can change).
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _Refused(
            f"is larger than {MAX_FILE_BYTES:,} bytes; a data pack file is a few kilobytes "
            "(split it, or check that this is the right file)"
        )
    return data.decode("utf-8")


def _file_kind(mode: int) -> str:
    kinds = [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "not a file")


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _check_size(root: Node) -> str | None:
    """Refuse a document that is too big once aliases are followed, without following them.

    The composer shares one node for an anchor and all its aliases, so the expanded size is
    computed once per distinct node (sizes add up from the leaves): linear in the file.
    A recursive alias would expand forever and is refused too.
    """
    size: dict[int, int] = {}
    open_nodes: set[int] = set()  # the current node's ancestors: reaching one again is a loop
    shared: Node | None = None  # the first node reached twice, i.e. the target of an alias
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            total = 1 + sum(size[id(child)] for child in _children(node))
            if total > MAX_VALUES:
                line = (shared or node).start_mark.line + 1
                if shared is None:
                    return f"line {line}: has more than {MAX_VALUES:,} values; split the file"
                return (
                    f"line {line}: the aliases (*name) here expand to more than "
                    f"{MAX_VALUES:,} values; write the entries out instead"
                )
            size[key] = total
            continue
        if key in size:
            shared = shared or node
            continue
        if key in open_nodes:
            return (
                f"line {node.start_mark.line + 1}: an alias (*name) refers to a value that "
                "contains it, so it never ends; write the entries out instead"
            )
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(_children(node)))
    return None


def _index_node(root: Node, lines: dict[Loc, int], problems: list[str]) -> None:
    """Record the line of every position under ``root`` and flag duplicate mapping keys.

    Runs after :func:`_check_size`, so the walk (aliases followed) is bounded; iterative,
    because libyaml allows nesting deeper than Python's recursion limit leaves room for.
    """
    stack: list[tuple[Node, Loc]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        lines.setdefault(loc, node.start_mark.line + 1)
        below: list[tuple[Node, Loc]] = []
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
                below.append((value_node, (*loc, key)))
        elif isinstance(node, SequenceNode):
            below = [(item, (*loc, index)) for index, item in enumerate(node.value)]
        stack.extend(reversed(below))  # depth first, in document order


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
