"""Cut Discord's OpenAPI description down to the operations the double serves.

The whole description is 1.2 MB; the double ships only the operations it serves and every
component they reach through `$ref` (MIT licence, `schema/discord-openapi.LICENSE`).

Regenerate after adding a route (`tests/unit/test_devserver_openapi.py` checks the shipped
copy against the reference when it is present)::

    python -m discord_double.openapi_trim ../shared/reference/discord-openapi.json
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from discord_double.backend import Backend
from discord_double.driver import register_routes
from discord_double.openapi import SCHEMA_DIR, SHIPPED_SCHEMA
from discord_double.router import Router

_COMPONENT_REF = "#/components/"


def _refs(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def trim(reference: dict[str, Any], operations: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The reference with only `operations` ((METHOD, template)) and what they reference."""
    wanted: dict[str, set[str]] = {}
    for method, template in operations:
        wanted.setdefault(template, set()).add(method.lower())
    paths: dict[str, Any] = {}
    for template, item in reference["paths"].items():
        if template in wanted:
            paths[template] = {
                key: value
                for key, value in item.items()
                if key in wanted[template] or key == "parameters"
            }
    missing = {t for t in wanted if t not in paths}
    if missing:
        raise KeyError(f"not in Discord's OpenAPI description: {sorted(missing)}")
    components = reference["components"]
    kept: dict[str, set[str]] = {}
    pending = list(_refs(paths))
    while pending:
        ref = pending.pop()
        if not ref.startswith(_COMPONENT_REF):
            raise ValueError(f"unexpected $ref {ref!r}")
        kind, name = ref.removeprefix(_COMPONENT_REF).split("/", 1)
        if name in kept.setdefault(kind, set()):
            continue
        kept[kind].add(name)
        pending.extend(_refs(components[kind][name]))
    trimmed_components = {
        kind: {name: value for name, value in entries.items() if name in kept.get(kind, ())}
        for kind, entries in components.items()
        if kind in kept or kind == "securitySchemes"
    }
    head = {k: v for k, v in reference.items() if k not in ("paths", "components")}
    return {**head, "paths": paths, "components": trimmed_components}


def served_operations() -> list[tuple[str, str]]:
    """(METHOD, template) of every REST route a `DiscordDouble` serves."""
    # Registering only binds handlers; they never run here, so no backend is needed.
    router = register_routes(Router(), cast(Backend, None), str)
    return sorted((r.method, r.template) for r in router.routes)


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(
            "usage: python -m discord_double.openapi_trim <discord-openapi.json>", file=sys.stderr
        )
        return 2
    source = Path(args[0])
    reference = json.loads(source.read_text(encoding="utf-8"))
    SHIPPED_SCHEMA.write_text(render(trim(reference, served_operations())), encoding="utf-8")
    licence = source.with_name("discord-openapi.LICENSE")
    if licence.exists():
        (SCHEMA_DIR / licence.name).write_bytes(licence.read_bytes())
    print(f"wrote {SHIPPED_SCHEMA} ({SHIPPED_SCHEMA.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
