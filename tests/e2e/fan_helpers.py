"""What a fan sees in an answer, read from the double: embed text, buttons, wire payloads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from discord_double import InteractionResult
from discord_double.models import Message

Json = dict[str, Any]
BUTTON = 2


def shown(result: InteractionResult) -> Message:
    """The message a fan sees for this interaction (the response, or the updated message)."""
    assert result.message is not None, f"no message for {result!r}"
    return result.message


def embed_text(embed: Json) -> str:
    """Title, description, fields, footer of one embed, as one string."""
    parts = [embed.get("title") or "", embed.get("description") or ""]
    parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(parts)


def all_text(embeds: Iterable[Json]) -> str:
    return "\n".join(embed_text(embed) for embed in embeds)


def buttons(message: Message | None) -> list[Json]:
    assert message is not None, "no message"
    return [c for c in message.iter_components() if c.get("type") == BUTTON]


def custom_ids(message: Message | None) -> list[str]:
    return [str(b["custom_id"]) for b in buttons(message)]


def button(message: Message | None, label: str) -> Json:
    found = [b for b in buttons(message) if b.get("label") == label]
    assert len(found) == 1, f"no single button {label!r} in {buttons(message)}"
    return found[0]


def field(embed: Json, name: str) -> str:
    found = [f["value"] for f in embed.get("fields", []) if f["name"] == name]
    assert found, f"no field {name!r} in {[f['name'] for f in embed.get('fields', [])]}"
    return str(found[0])
