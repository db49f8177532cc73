"""Command sync only when the definitions changed.

Syncing on every start (or in ``on_ready``, which fires on every reconnect) burns the
daily command-create budget and races other instances. We hash the exact payload that
``CommandTree.sync`` would send — translations included — per scope, store it, and
sync a scope only when its hash differs, or when forced (``python -m bot sync``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import discord
from discord import app_commands

log = logging.getLogger(__name__)


class MetaStore(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...


@dataclass(frozen=True, slots=True)
class SyncResult:
    scope: str  # "global" or "guild:<id>"
    synced: bool
    commands: int


async def scope_payload(tree: app_commands.CommandTree[Any], guild_id: int | None) -> list[Any]:
    guild = discord.Object(guild_id) if guild_id is not None else None
    commands = tree.get_commands(guild=guild)
    translator = tree.translator
    if translator is not None:
        return [await command.get_translated_payload(tree, translator) for command in commands]
    return [command.to_dict(tree) for command in commands]


def payload_hash(payload: list[Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def sync_scopes(
    tree: app_commands.CommandTree[Any],
    meta: MetaStore,
    *,
    application_id: int,
    guild_ids: Iterable[int | None],
    force: bool = False,
) -> list[SyncResult]:
    """Sync each scope (``None`` = global) whose payload hash changed since the last sync."""
    results: list[SyncResult] = []
    for guild_id in guild_ids:
        scope = "global" if guild_id is None else f"guild:{guild_id}"
        payload = await scope_payload(tree, guild_id)
        digest = payload_hash(payload)
        key = f"command_tree_hash:{application_id}:{scope}"
        if not force and await meta.get(key) == digest:
            results.append(SyncResult(scope, synced=False, commands=len(payload)))
            continue
        guild = discord.Object(guild_id) if guild_id is not None else None
        await tree.sync(guild=guild)
        await meta.set(key, digest)
        log.info("synced %d commands to %s", len(payload), scope)
        results.append(SyncResult(scope, synced=True, commands=len(payload)))
    return results
