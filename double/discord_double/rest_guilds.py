"""Identity and guild routes: users/@me, the application, gateway discovery, guilds, roles
(list, create: MANAGE_ROLES and no permission the bot lacks, else 50013), channels, members and
member role add/remove (MANAGE_ROLES + hierarchy, else 50013)."""

from __future__ import annotations

import math
from collections.abc import Callable

from discord_double.backend import Backend
from discord_double.errors import (
    UNKNOWN_MEMBER,
    UNKNOWN_ROLE,
    UNKNOWN_USER,
    missing_access,
    missing_permissions,
    not_found,
)
from discord_double.gateway import INTENT_GUILD_MEMBERS
from discord_double.models import Guild, Member, Role
from discord_double.payloads import (
    channel_payload,
    guild_payload,
    member_payload,
    role_payload,
    user_payload,
)
from discord_double.permissions import Permission, base_permissions, can_manage_role
from discord_double.router import ApiReply, ApiRequest, Router


class GuildRoutes:
    def __init__(self, backend: Backend, gateway_url: Callable[[], str]) -> None:
        self._b = backend
        self._gateway_url = gateway_url

    def register(self, router: Router) -> None:
        router.add("GET", "/users/@me", self.me)
        router.add("GET", "/users/{user_id}", self.user)
        router.add("GET", "/oauth2/applications/@me", self.application)
        router.add("GET", "/applications/@me", self.application)
        router.add("GET", "/gateway", self.gateway, bot_auth=False)
        router.add("GET", "/gateway/bot", self.gateway_bot)
        router.add("GET", "/guilds/{guild_id}", self.get_guild)
        router.add("GET", "/guilds/{guild_id}/roles", self.roles)
        router.add("POST", "/guilds/{guild_id}/roles", self.create_role)
        router.add("GET", "/guilds/{guild_id}/channels", self.channels)
        router.add("GET", "/guilds/{guild_id}/members/{user_id}", self.member)
        member_role = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
        router.add("PUT", member_role, self.add_role)
        router.add("DELETE", member_role, self.remove_role)

    async def me(self, req: ApiRequest) -> ApiReply:
        user = user_payload(self._b.state.bot_user)
        return ApiReply(body={**user, "verified": True, "mfa_enabled": False, "locale": "en-US"})

    async def user(self, req: ApiRequest) -> ApiReply:
        user = self._b.state.find_user(req.snowflake("user_id"))
        if user is None:
            raise not_found(UNKNOWN_USER, "User")
        return ApiReply(body=user_payload(user))

    async def application(self, req: ApiRequest) -> ApiReply:
        state = self._b.state
        return ApiReply(
            body={
                "id": str(state.application_id),
                "name": state.application_name,
                "icon": None,
                "description": "",
                "type": None,
                "rpc_origins": [],
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": user_payload(state.owner),
                "team": None,
                "verify_key": "0" * 64,
                "flags": 0,
                "flags_new": "0",
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "role_connections_verification_url": None,
                "explicit_content_filter": 0,
                "eligible_oauth2_scopes": ["bot", "applications.commands"],
                "bot": user_payload(state.bot_user),
                "approximate_guild_count": len(state.guilds),
                "approximate_user_install_count": 0,
                "approximate_user_authorization_count": 0,
                "install_params": {"scopes": ["bot", "applications.commands"], "permissions": "0"},
                "integration_types_config": {"0": {}},
            }
        )

    async def gateway(self, req: ApiRequest) -> ApiReply:
        return ApiReply(body={"url": self._gateway_url()})

    async def gateway_bot(self, req: ApiRequest) -> ApiReply:
        b = self._b
        # Discord recommends one shard per 1,000 guilds (it refuses more than 2,500 on one).
        shards = max(1, math.ceil(len(b.state.guilds) / 1000))
        return ApiReply(
            body={
                "url": self._gateway_url(),
                "shards": shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": max(0, 1000 - b.stats.identifies),
                    "reset_after": 86_400_000,
                    "max_concurrency": b.config.max_concurrency,
                },
            }
        )

    def _guild(self, req: ApiRequest) -> Guild:
        guild = self._b.guild(req.snowflake("guild_id"))
        if self._b.state.bot_user.id not in guild.members:
            raise missing_access()
        return guild

    async def get_guild(self, req: ApiRequest) -> ApiReply:
        guild = self._guild(req)
        # GET /guilds/{id} carries fields the gateway's guild object does not (Discord's
        # GuildWithCountsResponse requires them).
        body = {
            **guild_payload(guild),
            "home_header": None,
            "region": "deprecated",
            "widget_enabled": False,
            "widget_channel_id": None,
            "max_presences": None,
            "max_stage_video_channel_users": 50,
            "nsfw": False,
            "incidents_data": None,
        }
        if req.query.get("with_counts", "").lower() == "true":
            body["approximate_member_count"] = len(guild.members)
            body["approximate_presence_count"] = 0
        return ApiReply(body=body)

    async def roles(self, req: ApiRequest) -> ApiReply:
        guild = self._guild(req)
        return ApiReply(body=[role_payload(r) for r in guild.roles.values()])

    async def create_role(self, req: ApiRequest) -> ApiReply:
        """A new role at the bottom of the list (position 1), as Discord places it. Discord
        refuses permissions the creator does not have itself (unless it is an administrator)."""
        b = self._b
        guild = self._guild(req)
        bot_perms = base_permissions(guild, b.state.bot_member(guild))
        if not bot_perms & Permission.MANAGE_ROLES:
            raise missing_permissions()
        body = req.json_object()
        permissions = int(body.get("permissions") or 0)
        if permissions & ~bot_perms and not bot_perms & Permission.ADMINISTRATOR:
            raise missing_permissions()
        role = Role(
            b.state.ids.next(),
            guild.id,
            str(body.get("name") or "new role"),
            permissions,
            1,
            bool(body.get("mentionable", False)),
            color=int(body.get("color") or 0),
            hoist=bool(body.get("hoist", False)),
        )
        guild.roles[role.id] = role
        b.gateway.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(guild.id), "role": role_payload(role)},
            guild_id=guild.id,
        )
        return ApiReply(body=role_payload(role))

    async def channels(self, req: ApiRequest) -> ApiReply:
        guild = self._guild(req)
        return ApiReply(body=[channel_payload(c) for c in guild.channels.values()])

    def _member(self, guild: Guild, req: ApiRequest) -> Member:
        member = guild.members.get(req.snowflake("user_id"))
        if member is None:
            raise not_found(UNKNOWN_MEMBER, "Member")
        return member

    async def member(self, req: ApiRequest) -> ApiReply:
        guild = self._guild(req)
        return ApiReply(body=member_payload(self._member(guild, req)))

    async def add_role(self, req: ApiRequest) -> ApiReply:
        return self._change_role(req, add=True)

    async def remove_role(self, req: ApiRequest) -> ApiReply:
        return self._change_role(req, add=False)

    def _change_role(self, req: ApiRequest, *, add: bool) -> ApiReply:
        b = self._b
        guild = self._guild(req)
        member = self._member(guild, req)
        role = guild.roles.get(req.snowflake("role_id"))
        if role is None or role.id == guild.id:
            raise not_found(UNKNOWN_ROLE, "Role")
        bot = b.state.bot_member(guild)
        if role.managed or not can_manage_role(guild, bot, role):
            raise missing_permissions()
        changed = False
        if add and role.id not in member.role_ids:
            member.role_ids.append(role.id)
            changed = True
        elif not add and role.id in member.role_ids:
            member.role_ids.remove(role.id)
            changed = True
        if changed:
            data = {**member_payload(member), "guild_id": str(guild.id)}
            # Updates about the bot itself arrive without the privileged intent.
            intent = 0 if member.id == b.state.bot_user.id else INTENT_GUILD_MEMBERS
            b.gateway.dispatch("GUILD_MEMBER_UPDATE", data, guild_id=guild.id, intent=intent)
        return ApiReply(status=204)
