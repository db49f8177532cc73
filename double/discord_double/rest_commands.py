"""Application command routes: bulk overwrite (PUT), list, create, get, edit, delete.

Ids are kept for commands whose (type, name) already existed, as Discord does; only new
commands count toward the 200-creates-per-day limit (30034).
"""

from __future__ import annotations

import time
from typing import Any

from discord_double.backend import Backend
from discord_double.command_rules import validate_command, validate_commands
from discord_double.errors import (
    MAX_DAILY_COMMAND_CREATES,
    UNKNOWN_APPLICATION_COMMAND,
    DiscordAPIError,
    ErrorTree,
    invalid_form_body,
    missing_access,
    not_found,
)
from discord_double.models import JSON, Command
from discord_double.ratelimit import BucketState, too_many_requests_headers
from discord_double.router import ApiReply, ApiRequest, Router

DAY = 86_400.0


def _normalize(data: JSON) -> JSON:
    """The stored shape: Discord fills in the defaults the client left out."""
    kind = int(data.get("type") or 1)
    return {
        "type": kind,
        "name": data["name"],
        "name_localizations": data.get("name_localizations"),
        "description": data.get("description", "") if kind == 1 else "",
        "description_localizations": data.get("description_localizations"),
        "options": list(data.get("options") or []),
        "default_member_permissions": (
            None
            if data.get("default_member_permissions") is None
            else str(data["default_member_permissions"])
        ),
        "dm_permission": data.get("dm_permission", True),
        "contexts": data.get("contexts"),
        "integration_types": data.get("integration_types") or [0],
        "nsfw": bool(data.get("nsfw", False)),
    }


def command_payload(command: Command) -> JSON:
    data: JSON = {
        "id": str(command.id),
        "application_id": str(command.application_id),
        "version": str(command.version),
        **command.data,
    }
    if command.guild_id is not None:
        data["guild_id"] = str(command.guild_id)
    return data


class CommandRoutes:
    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def register(self, router: Router) -> None:
        for base in ("/applications/{application_id}/commands",
                     "/applications/{application_id}/guilds/{guild_id}/commands"):  # fmt: skip
            router.add("GET", base, self.list_commands)
            router.add("PUT", base, self.overwrite)
            router.add("POST", base, self.create)
            router.add("GET", f"{base}/{{command_id}}", self.get)
            router.add("PATCH", f"{base}/{{command_id}}", self.edit)
            router.add("DELETE", f"{base}/{{command_id}}", self.delete)

    def _scope(self, req: ApiRequest) -> int | None:
        b = self._b
        if req.snowflake("application_id") != b.state.application_id:
            raise missing_access()
        if "guild_id" not in req.params:
            return None
        guild_id = req.snowflake("guild_id")
        guild = b.state.guilds.get(guild_id)
        # No applications.commands scope (or not in the guild): 403 Missing Access.
        if guild is None or guild_id in b.state.no_commands_scope:
            raise missing_access()
        return guild_id

    def _count_creates(self, scope: int | None, new: int) -> None:
        if new == 0:
            return
        now = time.time()
        recent = [t for t in self._b.state.command_creates.get(scope, []) if t > now - DAY]
        limit = self._b.config.daily_command_creates
        if len(recent) + new > limit:
            retry = (recent[0] + DAY - now) if recent else DAY
            state = BucketState(False, limit, 0, retry, "application-command-creates", "user")
            raise DiscordAPIError(
                429,
                MAX_DAILY_COMMAND_CREATES,
                f"Max number of daily application command creates has been reached ({limit})",
                violation=True,
                headers=too_many_requests_headers(state),
                extra={"retry_after": round(retry, 3), "global": False},
            )
        recent.extend([now] * new)
        self._b.state.command_creates[scope] = recent

    async def list_commands(self, req: ApiRequest) -> ApiReply:
        scope = self._scope(req)
        commands = self._b.state.commands_in(scope).values()
        return ApiReply(body=[command_payload(c) for c in commands])

    async def overwrite(self, req: ApiRequest) -> ApiReply:
        b = self._b
        scope = self._scope(req)
        body: Any = req.body
        errors = ErrorTree()
        validate_commands(body, errors)
        if not errors.empty:
            raise invalid_form_body(errors)
        existing = {(c.type, c.name): c for c in b.state.commands_in(scope).values()}
        fresh = sum(1 for d in body if (int(d.get("type") or 1), d["name"]) not in existing)
        self._count_creates(scope, fresh)
        kept: dict[int, Command] = {}
        for data in body:
            normalized = _normalize(data)
            old = existing.get((normalized["type"], normalized["name"]))
            if old is not None:
                if old.data != normalized:
                    old.data = normalized
                    old.version = b.state.ids.next()
                kept[old.id] = old
            else:
                command_id = b.state.ids.next()
                kept[command_id] = Command(
                    command_id, b.state.application_id, scope, normalized, command_id
                )
        b.state.commands[scope] = kept
        return ApiReply(body=[command_payload(c) for c in kept.values()])

    async def create(self, req: ApiRequest) -> ApiReply:
        b = self._b
        scope = self._scope(req)
        data = req.json_object()
        errors = ErrorTree()
        validate_command(data, errors, ())
        if not errors.empty:
            raise invalid_form_body(errors)
        normalized = _normalize(data)
        commands = b.state.commands_in(scope)
        for command in commands.values():
            if (command.type, command.name) == (normalized["type"], normalized["name"]):
                command.data = normalized
                command.version = b.state.ids.next()
                return ApiReply(body=command_payload(command))
        self._count_creates(scope, 1)
        command_id = b.state.ids.next()
        command = Command(command_id, b.state.application_id, scope, normalized, command_id)
        commands[command_id] = command
        return ApiReply(status=201, body=command_payload(command))

    def _command(self, req: ApiRequest) -> tuple[int | None, Command]:
        scope = self._scope(req)
        command = self._b.state.commands_in(scope).get(req.snowflake("command_id"))
        if command is None:
            raise not_found(UNKNOWN_APPLICATION_COMMAND, "application command")
        return scope, command

    async def get(self, req: ApiRequest) -> ApiReply:
        _, command = self._command(req)
        return ApiReply(body=command_payload(command))

    async def edit(self, req: ApiRequest) -> ApiReply:
        _, command = self._command(req)
        merged = {**command.data, **req.json_object()}
        errors = ErrorTree()
        validate_command(merged, errors, ())
        if not errors.empty:
            raise invalid_form_body(errors)
        command.data = _normalize(merged)
        command.version = self._b.state.ids.next()
        return ApiReply(body=command_payload(command))

    async def delete(self, req: ApiRequest) -> ApiReply:
        scope, command = self._command(req)
        del self._b.state.commands_in(scope)[command.id]
        return ApiReply(status=204)
