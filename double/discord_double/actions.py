"""Users acting: slash commands, autocomplete, buttons, selects, modals, user messages.

Each action builds the interaction Discord's client would send, dispatches it as
INTERACTION_CREATE and waits for the bot's first answer (and, for a deferred answer,
its content) before returning an `InteractionResult`.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any

from discord_double.backend import Backend
from discord_double.config import DoubleConfig
from discord_double.interaction_payloads import (
    CommandNotRegistered,
    DoubleUsageError,
    Resolved,
    base_interaction,
    build_options,
    find_subcommand,
    nest_options,
)
from discord_double.interactions import InteractionRecord, InteractionResult, InteractionType
from discord_double.models import JSON, Channel, Command, Guild, Member, Message, Role, User
from discord_double.payloads import message_payload
from discord_double.permissions import Permission, channel_permissions
from discord_double.rules import SELECTS
from discord_double.world import WorldBuilder

_ANSWER_GRACE = 0.05  # after the deadline nothing can be accepted any more


class UserActions(WorldBuilder):
    """Mixin of `DiscordDouble`: what members of a guild (or DM users) do."""

    config: DoubleConfig
    _backend: Backend
    _fans: dict[int, Member]

    def _fan(self, guild: Guild) -> Member:
        """The default invoking member: a plain member without extra roles."""
        fan = self._fans.get(guild.id)
        if fan is None:
            fan = self._fans[guild.id] = self.add_member(guild, "fan")
        return fan

    def _where(
        self, channel: Channel | None, user: Member | User | None, guild: Guild | None
    ) -> tuple[Guild | None, Channel, Member | User]:
        if channel is None:
            if guild is not None:
                if not guild.channels:
                    raise DoubleUsageError("the guild has no channel to use")
                channel = next(iter(guild.channels.values()))
            elif user is not None:
                channel = self.dm_channel(user)
            else:
                raise DoubleUsageError("say where: pass channel= (or guild=, or user= for a DM)")
        guild = self.state.guild_of(channel)
        if guild is None:
            if user is None:
                raise DoubleUsageError("a DM interaction needs user=")
            return None, channel, user.user if isinstance(user, Member) else user
        if user is None:
            return guild, channel, self._fan(guild)
        member = guild.members.get(user.id)
        if member is None:
            raise DoubleUsageError(f"{user.name} is not a member of {guild.name}")
        return guild, channel, member

    def find_command(self, name: str, guild: Guild | None, kind: int = 1) -> Command:
        scopes: list[int | None] = [guild.id] if guild is not None else []
        scopes.append(None)
        for scope in scopes:
            for command in self.state.commands_in(scope).values():
                if command.name == name and command.type == kind:
                    return command
        known = sorted(
            f"{c.name}{'' if s is None else ' (guild)'}"
            for s in scopes
            for c in self.state.commands_in(s).values()
        )
        raise CommandNotRegistered(
            f"/{name} is not registered for this guild (did the bot sync its command tree?). "
            f"Registered: {known or 'nothing'}"
        )

    def _check_can_use(
        self, command: Command, guild: Guild | None, channel: Channel, user: Member | User
    ) -> None:
        contexts = command.data.get("contexts")
        context = 0 if guild is not None else 1
        if contexts is not None and context not in contexts:
            raise DoubleUsageError(f"/{command.name} is not available in this context ({context})")
        if guild is None and command.data.get("dm_permission") is False:
            raise DoubleUsageError(f"/{command.name} is guild-only")
        required = command.data.get("default_member_permissions")
        if guild is not None and required is not None and isinstance(user, Member):
            perms = channel_permissions(guild, channel, user)
            if perms & int(required) != int(required) and not perms & Permission.ADMINISTRATOR:
                raise DoubleUsageError(
                    f"{user.name} cannot see /{command.name}: it needs permissions {required} "
                    "(pass ignore_default_permissions=True to model an admin override)"
                )

    def _new_record(
        self,
        kind: InteractionType,
        guild: Guild | None,
        channel: Channel,
        user: Member | User,
        locale: str,
        guild_locale: str | None,
    ) -> tuple[InteractionRecord, JSON]:
        interaction_id = self.state.ids.next()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        payload = base_interaction(
            self.state,
            interaction_id=interaction_id,
            token=token,
            kind=int(kind),
            guild=guild,
            channel=channel,
            user=user,
            locale=locale,
            guild_locale=guild_locale,
            attachment_size_limit=self.config.attachment_size_limit,
        )
        record = InteractionRecord(
            id=interaction_id,
            token=token,
            type=kind,
            payload=payload,
            guild_id=None if guild is None else guild.id,
            channel_id=channel.id,
            user_id=user.id,
            deadline_s=self.config.interaction_deadline,
            token_ttl_s=self.config.interaction_token_ttl,
        )
        return record, payload

    async def _dispatch(
        self,
        record: InteractionRecord,
        *,
        settle: bool,
        settle_timeout: float,
        stop_on_refusal: bool = False,
    ) -> InteractionResult:
        cpu = time.thread_time()
        self.state.interactions[record.id] = record
        self.state.interactions_by_token[record.token] = record
        record.dispatched_at = time.monotonic()
        delivered = self.gateway.dispatch(
            "INTERACTION_CREATE", record.payload, guild_id=record.guild_id, intent=0
        )
        self._backend.stats.driver_seconds += time.thread_time() - cpu
        if not delivered:
            raise DoubleUsageError(
                "no gateway session receives this interaction: is the bot connected?"
            )
        await record.wait_until(
            lambda: record.acknowledged or (stop_on_refusal and bool(record.violations)),
            record.deadline_s + _ANSWER_GRACE,
        )
        if settle and record.response_type == 5:
            await record.wait_until(lambda: not record.loading, settle_timeout)
        return InteractionResult(record, self.state)

    async def invoke(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel: Channel | None = None,
        user: Member | User | None = None,
        guild: Guild | None = None,
        locale: str = "en-US",
        guild_locale: str | None = None,
        ignore_default_permissions: bool = False,
        settle: bool = True,
        settle_timeout: float = 10.0,
        raw_options: Mapping[str, Any] | None = None,
    ) -> InteractionResult:
        """Run a slash command like a user would ("setup announcements" = subcommand path).

        Returns once the bot answered (or the 3 s deadline passed); with `settle`, a
        deferred answer is also awaited until its content arrives. `raw_options` are sent
        as given, unchecked and unresolved, as a modified client could (an over-long string,
        an id that is not a number); they replace options of the same name.
        """
        cpu = time.thread_time()
        words = command.split()
        where_guild, where, who = self._where(channel, user, guild)
        found = self.find_command(words[0], where_guild)
        if not ignore_default_permissions:
            self._check_can_use(found, where_guild, where, who)
        record, payload = self._new_record(
            InteractionType.APPLICATION_COMMAND, where_guild, where, who, locale, guild_locale
        )
        resolved = Resolved(self.state, where_guild, where, who)
        leaf, chain = find_subcommand(found.data, words[1:])
        built, _ = build_options(leaf, dict(options or {}), resolved)
        if raw_options:
            types = {schema["name"]: schema["type"] for schema in leaf}
            built = [o for o in built if o["name"] not in raw_options] + [
                {"name": name, "type": types.get(name, 3), "value": value}
                for name, value in raw_options.items()
            ]
        data: JSON = {
            "id": str(found.id),
            "name": found.name,
            "type": found.type,
            "options": nest_options(chain, built, found.data),
        }
        if resolved.data:
            data["resolved"] = resolved.data
        if found.guild_id is not None:
            data["guild_id"] = str(found.guild_id)
        payload["data"] = data
        self._backend.stats.driver_seconds += time.thread_time() - cpu
        return await self._dispatch(record, settle=settle, settle_timeout=settle_timeout)

    async def autocomplete(
        self,
        command: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        channel: Channel | None = None,
        user: Member | User | None = None,
        guild: Guild | None = None,
        locale: str = "en-US",
    ) -> list[JSON]:
        """Type into an autocomplete option; returns the choices the bot offered."""
        result = await self.autocomplete_result(
            command,
            options,
            focused=focused,
            channel=channel,
            user=user,
            guild=guild,
            locale=locale,
        )
        if result.choices is None:
            raise DoubleUsageError(
                f"the bot did not answer the autocomplete for /{command} {focused} "
                f"(answered type {result.response_type}, violations {result.violations})"
            )
        return result.choices

    async def autocomplete_result(
        self,
        command: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        channel: Channel | None = None,
        user: Member | User | None = None,
        guild: Guild | None = None,
        locale: str = "en-US",
    ) -> InteractionResult:
        words = command.split()
        where_guild, where, who = self._where(channel, user, guild)
        found = self.find_command(words[0], where_guild)
        record, payload = self._new_record(
            InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE, where_guild, where, who, locale, None
        )
        resolved = Resolved(self.state, where_guild, where, who)
        leaf, chain = find_subcommand(found.data, words[1:])
        built, focused_type = build_options(leaf, dict(options), resolved, focused=focused)
        record.focused_option_type = focused_type
        payload["data"] = {
            "id": str(found.id),
            "name": found.name,
            "type": found.type,
            "options": nest_options(chain, built, found.data),
        }
        if found.guild_id is not None:  # as for the command itself: a guild command says so
            payload["data"]["guild_id"] = str(found.guild_id)
        # discord.py does not retry a refused autocomplete answer: no need to wait it out.
        return await self._dispatch(record, settle=False, settle_timeout=0, stop_on_refusal=True)

    def _component_target(self, message: Message | int, custom_id: str) -> tuple[Message, JSON]:
        message_id = message if isinstance(message, int) else message.id
        current = self.state.messages.get(message_id)
        if current is None or current.deleted:
            raise DoubleUsageError("that message does not exist (any more)")
        component = current.find_component(custom_id)
        if component is None:
            ids = [c.get("custom_id") for c in current.iter_components() if c.get("custom_id")]
            raise DoubleUsageError(f"no component {custom_id!r} on the message; it has {ids}")
        if component.get("disabled"):
            raise DoubleUsageError(f"component {custom_id!r} is disabled")
        return current, component

    def _component_user(self, message: Message, user: Member | User | None) -> Member | User | None:
        meta_user = (message.interaction_metadata or {}).get("user")
        if message.ephemeral:
            owner_id = int(meta_user["id"]) if meta_user else None
            if user is not None and user.id != owner_id:
                raise DoubleUsageError("only the user who received an ephemeral message can use it")
            if owner_id is not None:
                return self.state.users[owner_id]
        if user is None and meta_user is not None:
            return self.state.users[int(meta_user["id"])]
        return user

    async def _component(
        self,
        message: Message | int,
        custom_id: str,
        data_extra: JSON,
        user: Member | User | None,
        locale: str,
        expected_types: Sequence[int],
        *,
        settle: bool,
    ) -> InteractionResult:
        current, component = self._component_target(message, custom_id)
        if component.get("type") not in expected_types:
            raise DoubleUsageError(f"component {custom_id!r} is of type {component.get('type')}")
        channel = self.state.channels[current.channel_id]
        who = self._component_user(current, user)
        where_guild, where, actor = self._where(channel, who, None)
        record, payload = self._new_record(
            InteractionType.MESSAGE_COMPONENT, where_guild, where, actor, locale, None
        )
        record.source_message_id = current.id
        payload["message"] = message_payload(current)
        payload["data"] = {
            "custom_id": custom_id,
            "component_type": component["type"],
            **data_extra,
        }
        return await self._dispatch(record, settle=settle, settle_timeout=10.0)

    async def click(
        self,
        message: Message | int,
        custom_id: str,
        *,
        user: Member | User | None = None,
        locale: str = "en-US",
        settle: bool = True,
    ) -> InteractionResult:
        """Press a button (by custom_id) on a message."""
        current, component = self._component_target(message, custom_id)
        if component.get("style") in (5, 6):
            raise DoubleUsageError("link and premium buttons do not send interactions")
        return await self._component(current, custom_id, {}, user, locale, (2,), settle=settle)

    async def select(
        self,
        message: Message | int,
        custom_id: str,
        values: Sequence[Any],
        *,
        user: Member | User | None = None,
        locale: str = "en-US",
        settle: bool = True,
    ) -> InteractionResult:
        """Choose values in a select menu: strings, or users/roles/channels for auto-selects."""
        current, component = self._component_target(message, custom_id)
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(values) <= high:
            raise DoubleUsageError(f"select {custom_id!r} takes {low}..{high} values")
        extra: JSON = {}
        if component.get("type") == 3:
            offered = [o.get("value") for o in component.get("options", [])]
            if any(v not in offered for v in values):
                raise DoubleUsageError(f"select {custom_id!r} offers only {offered}")
            extra["values"] = list(values)
        else:
            channel = self.state.channels[current.channel_id]
            guild, _, actor = self._where(channel, self._component_user(current, user), None)
            resolved = Resolved(self.state, guild, channel, actor)
            picked: list[str] = []
            for value in values:
                if isinstance(value, Channel):
                    picked.append(resolved.channel(value, component.get("channel_types")))
                elif isinstance(value, Role):
                    picked.append(resolved.role(value))
                else:
                    picked.append(resolved.user(value))
            extra["values"] = picked
            extra["resolved"] = resolved.data
        return await self._component(
            current, custom_id, extra, user, locale, SELECTS, settle=settle
        )

    async def submit_modal(
        self,
        shown: InteractionResult,
        values: Mapping[str, str],
        *,
        user: Member | User | None = None,
        locale: str = "en-US",
        settle: bool = True,
    ) -> InteractionResult:
        """Fill in and submit the modal the bot showed in answer to `shown`."""
        modal = shown.modal
        if modal is None:
            raise DoubleUsageError("the bot did not answer with a modal")
        origin = shown.record
        components, used = _modal_submission(modal, values)
        unknown = set(values) - used
        if unknown:
            raise DoubleUsageError(f"the modal has no fields {sorted(unknown)}")
        channel = self.state.channels[origin.channel_id]
        actor_in = user or self.state.users[origin.user_id]
        where_guild, where, actor = self._where(channel, actor_in, None)
        record, payload = self._new_record(
            InteractionType.MODAL_SUBMIT, where_guild, where, actor, locale, None
        )
        record.trigger_id = origin.id
        if origin.source_message_id is not None:
            record.source_message_id = origin.source_message_id
            payload["message"] = message_payload(self.state.messages[origin.source_message_id])
        payload["data"] = {"custom_id": modal["custom_id"], "components": components}
        return await self._dispatch(record, settle=settle, settle_timeout=10.0)

    def user_message(self, channel: Channel, author: Member | User, content: str) -> Message:
        """A user posts a message (MESSAGE_CREATE to bots with the GUILD_MESSAGES intent)."""
        plain = author.user if isinstance(author, Member) else author
        message = Message(self.state.ids.next(), channel.id, channel.guild_id, plain, content)
        self.state.store_message(message)
        self._backend.announce_created(message)
        return message


def _modal_submission(modal: JSON, values: Mapping[str, str]) -> tuple[list[JSON], set[str]]:
    """The components a modal submit carries: each field with the user's value."""
    used: set[str] = set()

    def field(comp: JSON) -> JSON:
        custom_id = str(comp.get("custom_id"))
        if comp.get("type") == 4:
            value = values.get(custom_id, comp.get("value") or "")
            if custom_id in values:
                used.add(custom_id)
            low, high = comp.get("min_length"), comp.get("max_length")
            if comp.get("required", True) and not value:
                raise DoubleUsageError(f"modal field {custom_id!r} is required")
            if value and (
                (low is not None and len(value) < low) or (high is not None and len(value) > high)
            ):
                raise DoubleUsageError(f"modal field {custom_id!r} must be {low}..{high} long")
            return {"type": 4, "custom_id": custom_id, "value": value, "id": comp.get("id", 0)}
        chosen = values.get(custom_id)
        if chosen is not None:
            used.add(custom_id)
        picked = [chosen] if isinstance(chosen, str) else list(chosen or [])
        return {
            "type": comp.get("type"),
            "custom_id": custom_id,
            "values": picked,
            "id": comp.get("id", 0),
        }

    submitted: list[JSON] = []
    for top in modal.get("components", []):
        if top.get("type") == 1:
            submitted.append(
                {"type": 1, "components": [field(c) for c in top.get("components", [])]}
            )
        elif top.get("type") == 18:
            submitted.append(
                {"type": 18, "id": top.get("id", 0), "component": field(top["component"])}
            )
        else:
            submitted.append({"type": top.get("type"), "id": top.get("id", 0)})
    return submitted, used
