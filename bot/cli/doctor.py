"""`python -m bot doctor`: what is wrong with this installation, and how to fix each thing.

Offline checks: settings, the database (integrity, schema version, writable) and the data
pack. With a token, over Discord's HTTP API only (no gateway session is opened, so it is safe
while the bot runs): the token itself, and the bot's permissions in every subscribed channel.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
import discord
from sqlalchemy.exc import DBAPIError

from bot.cli import exitcodes
from bot.cli.invite import NEEDED
from bot.datapack.loader import PackError, load_pack
from bot.settings import Settings
from bot.store.database import Database, StoreError
from bot.store.migrate import latest_version
from bot.store.preflight import (
    StorageFault,
    check_database_file,
    check_postgresql,
    check_storage,
    read_only_uri,
)

Status = Literal["ok", "problem", "note"]

# Every subscribed channel needs these; Manage Roles only where a ping role is set.
CHANNEL_NEEDS = ("view_channel", "send_messages", "embed_links", "read_message_history")


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    status: Status
    detail: str

    @property
    def problem(self) -> bool:
        return self.status == "problem"


def table(findings: Sequence[Finding]) -> str:
    width = max(len(f.check) for f in findings)
    lines = [f"{'check'.ljust(width)}  status   what to do", f"{'-' * width}  -------  ----------"]
    lines += [f"{f.check.ljust(width)}  {f.status.ljust(7)}  {f.detail}" for f in findings]
    return "\n".join(lines)


async def run_doctor(settings: Settings, *, offline: bool) -> int:
    database = (
        await postgresql_findings(settings)
        if settings.on_postgresql
        else database_findings(settings)
    )
    findings = [*settings_findings(settings), *database, pack_finding(settings)]
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if token and not offline:
        findings += await discord_findings(settings, token)
    print(table(findings))
    problems = sum(f.problem for f in findings)
    print(f"{problems} problem(s) found" if problems else "no problems found")
    return exitcodes.ERROR if problems else exitcodes.OK


def settings_findings(settings: Settings) -> list[Finding]:
    found = [Finding("settings", "ok", "read from the environment and .env")]
    if settings.discord_token is None:
        found.append(Finding("DISCORD_TOKEN", "note", "not set: only the offline console can run"))
    return found


def database_findings(settings: Settings) -> list[Finding]:
    path = settings.database_path
    latest = latest_version()
    if not path.exists():
        try:
            check_storage(path, latest_schema=latest)
        except StorageFault as exc:
            return [Finding("database", "problem", str(exc))]
        return [Finding("database", "note", f"{path} does not exist yet: created on first start")]
    try:
        version = check_database_file(path, latest_schema=latest)
    except StorageFault as exc:
        return [Finding("database", "problem", str(exc))]
    found = [Finding("database", "ok", f"{path}: integrity ok")]
    if version < latest:
        found.append(
            Finding(
                "schema",
                "problem",
                f"version {version}, code needs {latest}: run `python -m bot migrate` "
                "(it backs up first)",
            )
        )
    else:
        found.append(Finding("schema", "ok", f"version {version}"))
    try:
        check_storage(path, latest_schema=latest)
        found.append(Finding("writable", "ok", f"{path} and its directory can be written"))
    except StorageFault as exc:
        found.append(Finding("writable", "problem", str(exc)))
    return found


async def postgresql_findings(settings: Settings) -> list[Finding]:
    """Connect, read the schema version: one line each, never a traceback."""
    latest = latest_version("postgresql")
    try:
        version = await check_postgresql(settings.database, latest_schema=latest)
    except StorageFault as exc:
        return [Finding("database", "problem", str(exc))]
    found = [Finding("database", "ok", f"{settings.database}: connected")]
    if version < latest:
        found.append(
            Finding(
                "schema",
                "problem",
                f"version {version}, code needs {latest}: take a pg_dump, then run "
                "`python -m bot migrate`",
            )
        )
    else:
        found.append(Finding("schema", "ok", f"version {version}"))
    return found


def pack_finding(settings: Settings) -> Finding:
    try:
        pack = load_pack(settings.seeds_dir)
    except PackError as exc:
        first = exc.problems[0]
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        return Finding(
            "data pack",
            "problem",
            f"{settings.seeds_dir}: {first}{more}; fix it, check with `python -m bot seed`",
        )
    return Finding("data pack", "ok", f"{settings.seeds_dir}: {len(pack.people)} people, valid")


_SUBSCRIPTIONS = (
    "SELECT guild_id, channel_id, role_id FROM guild_settings WHERE enabled = 1 ORDER BY guild_id"
)


async def subscriptions(settings: Settings) -> list[tuple[int, int, int | None]]:
    """(guild, channel, role) of every enabled subscription, read without writing anything."""
    if settings.on_postgresql:
        try:
            async with await Database.open(settings.database) as db:
                rows = [tuple(row) for row in await db.fetch_all(_SUBSCRIPTIONS)]
        except (StoreError, DBAPIError):
            return []
        return [(int(g), int(c), None if r is None else int(r)) for g, c, r in rows]
    return _sqlite_subscriptions(settings)


def _sqlite_subscriptions(settings: Settings) -> list[tuple[int, int, int | None]]:
    path = settings.database_path
    if not path.is_file():
        return []
    conn = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        rows = conn.execute(_SUBSCRIPTIONS).fetchall()
    except sqlite3.Error:
        return []
    finally:
        conn.close()
    return [(int(g), int(c), None if r is None else int(r)) for g, c, r in rows]


async def discord_findings(settings: Settings, token: str) -> list[Finding]:
    from bot.runner import configure_endpoints

    configure_endpoints(settings)
    client = discord.Client(intents=discord.Intents.none())
    try:
        try:
            await client.login(token)
        except discord.LoginFailure:
            return [Finding("token", "problem", "Discord rejected DISCORD_TOKEN: reset it")]
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            return [Finding("Discord", "problem", f"cannot reach Discord: {exc}")]
        assert client.user is not None
        found = [Finding("token", "ok", f"logged in as {client.user}")]
        for guild_id, channel_id, role_id in await subscriptions(settings):
            found.append(await _channel_finding(client, guild_id, channel_id, role_id))
        return found
    finally:
        await client.close()


async def _channel_finding(
    client: discord.Client, guild_id: int, channel_id: int, role_id: int | None
) -> Finding:
    assert client.user is not None
    check = f"server {guild_id}"
    try:
        guild, member, channel = await asyncio.gather(
            client.http.get_guild(guild_id),
            client.http.get_member(guild_id, client.user.id),
            client.http.get_channel(channel_id),
        )
    except discord.NotFound:
        return Finding(
            check,
            "problem",
            f"channel {channel_id} or the server is gone: an admin runs /setup announcements again",
        )
    except discord.HTTPException as exc:
        return Finding(check, "problem", f"Discord answered {exc.status}: {exc.text}")
    name = f"#{channel.get('name', channel_id)} in {guild.get('name', guild_id)}"
    perms = effective_permissions(guild, member, channel)
    missing = [p for p in CHANNEL_NEEDS if not getattr(perms, p)]
    # Giving out a role is a server-wide permission: channel overwrites do not count.
    if role_id is not None and not effective_permissions(guild, member, None).manage_roles:
        missing.append("manage_roles")
    if not missing:
        return Finding(check, "ok", f"{name}: every permission the bot needs")
    why = dict(NEEDED)
    listed = ", ".join(f"{p.replace('_', ' ').title()} ({why[p]})" for p in missing)
    return Finding(
        check,
        "problem",
        f"{name}: missing {listed}; give them to the bot's role in the channel's "
        "Permissions (or run `python -m bot invite` for a fresh link)",
    )


def effective_permissions(
    guild: Mapping[str, Any], member: Mapping[str, Any], channel: Mapping[str, Any] | None
) -> discord.Permissions:
    """Discord's documented algorithm: @everyone + roles, then overwrites (@everyone, roles
    together, the member), Administrator and ownership override everything. Without a
    channel: the server-wide permissions."""
    user_id = str(member["user"]["id"])
    if str(guild.get("owner_id")) == user_id:
        return discord.Permissions.all()
    roles = {str(r["id"]): int(r["permissions"]) for r in guild.get("roles", [])}
    member_roles = {str(r) for r in member.get("roles", [])}
    value = roles.get(str(guild["id"]), 0)
    for role_id in member_roles:
        value |= roles.get(role_id, 0)
    if value & discord.Permissions(administrator=True).value:
        return discord.Permissions.all()
    if channel is None:
        return discord.Permissions(value)
    overwrites = {str(o["id"]): o for o in channel.get("permission_overwrites", [])}
    everyone = overwrites.get(str(guild["id"]))
    if everyone:
        value = (value & ~int(everyone["deny"])) | int(everyone["allow"])
    allow = deny = 0
    for role_id in member_roles:
        if role_id in overwrites:
            allow |= int(overwrites[role_id]["allow"])
            deny |= int(overwrites[role_id]["deny"])
    value = (value & ~deny) | allow
    own = overwrites.get(user_id)
    if own:
        value = (value & ~int(own["deny"])) | int(own["allow"])
    return discord.Permissions(value)
