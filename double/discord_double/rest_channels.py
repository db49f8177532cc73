"""Channel routes: messages (create/get/list/edit/delete), crosspost, typing, GET channel."""

from __future__ import annotations

import time
from collections.abc import Mapping

from discord_double.backend import Backend
from discord_double.errors import (
    ALREADY_CROSSPOSTED,
    CANNOT_EDIT_OTHERS_MESSAGE,
    EMPTY_MESSAGE,
    WRONG_CHANNEL_TYPE,
    DiscordAPIError,
    ErrorTree,
    invalid_form_body,
    missing_access,
    missing_permissions,
)
from discord_double.mentions import MESSAGE_DEFAULT_PARSE
from discord_double.models import Channel, Message
from discord_double.payloads import channel_payload, message_payload
from discord_double.permissions import Permission
from discord_double.router import ApiReply, ApiRequest, Router
from discord_double.rules import is_empty_message
from discord_double.state import NonceEntry


class ChannelRoutes:
    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def register(self, router: Router) -> None:
        base = "/channels/{channel_id}"
        router.add("GET", base, self.get_channel)
        router.add("POST", f"{base}/messages", self.create_message, bucket="messages")
        router.add("GET", f"{base}/messages", self.list_messages)
        router.add("GET", f"{base}/messages/{{message_id}}", self.get_message)
        router.add("PATCH", f"{base}/messages/{{message_id}}", self.edit_message)
        router.add("DELETE", f"{base}/messages/{{message_id}}", self.delete_message)
        router.add(
            "POST", f"{base}/messages/{{message_id}}/crosspost", self.crosspost, bucket="crosspost"
        )
        router.add("POST", f"{base}/typing", self.typing)

    def _visible_channel(self, req: ApiRequest) -> tuple[Channel, int]:
        channel = self._b.channel(req.snowflake("channel_id"))
        perms = self._b.state.bot_permissions_in(channel)
        if channel.guild_id is not None and not perms & Permission.VIEW_CHANNEL:
            raise missing_access()
        return channel, perms

    async def get_channel(self, req: ApiRequest) -> ApiReply:
        channel, _ = self._visible_channel(req)
        return ApiReply(body=channel_payload(channel))

    async def typing(self, req: ApiRequest) -> ApiReply:
        channel, perms = self._visible_channel(req)
        if channel.guild_id is not None and not perms & Permission.SEND_MESSAGES:
            raise missing_permissions()
        return ApiReply(status=204)

    async def create_message(self, req: ApiRequest) -> ApiReply:
        b = self._b
        channel, perms = self._visible_channel(req)
        in_guild = channel.guild_id is not None
        if in_guild and not perms & Permission.SEND_MESSAGES:
            raise missing_permissions()
        payload = req.json_object()
        payload = b.with_uploads(payload, req.files)
        b.validate(payload)
        if is_empty_message(payload):
            raise DiscordAPIError(
                400, EMPTY_MESSAGE, "Cannot send an empty message", violation=True
            )

        bot = b.state.bot_user
        nonce = payload.get("nonce")
        now = time.monotonic()
        nonce_key = (bot.id, channel.id, str(nonce))
        if nonce is not None and payload.get("enforce_nonce"):
            seen = b.state.nonces.get(nonce_key)
            if seen is not None and now - seen.at <= b.config.nonce_window:
                existing = b.state.messages.get(seen.message_id)
                if existing is not None and not existing.deleted:
                    return ApiReply(body=message_payload(existing))

        flags = int(payload.get("flags") or 0) & (Message.SUPPRESS_EMBEDS | 4096 | 1 << 15)
        message = b.build_message(
            channel,
            bot,
            payload,
            default_parse=MESSAGE_DEFAULT_PARSE,
            can_mention_everyone=not in_guild or bool(perms & Permission.MENTION_EVERYONE),
            # Without EMBED_LINKS Discord posts the message with its embeds suppressed.
            keep_embeds=not in_guild or bool(perms & Permission.EMBED_LINKS),
            flags=flags,
        )
        b.state.store_message(message)
        if nonce is not None and payload.get("enforce_nonce"):
            b.state.nonces[nonce_key] = NonceEntry(message.id, now)
        b.announce_created(message)
        return ApiReply(body=message_payload(message))

    def _readable_channel(self, req: ApiRequest) -> tuple[Channel, int]:
        channel, perms = self._visible_channel(req)
        if channel.guild_id is not None and not perms & Permission.READ_MESSAGE_HISTORY:
            raise missing_access()
        return channel, perms

    async def get_message(self, req: ApiRequest) -> ApiReply:
        channel, _ = self._readable_channel(req)
        message = self._b.message_in(channel, req.snowflake("message_id"))
        return ApiReply(body=message_payload(message))

    async def list_messages(self, req: ApiRequest) -> ApiReply:
        """Newest first, like Discord. Without Read Message History Discord answers an empty
        list, not an error ("no messages will be returned"): a client that reads an empty
        channel must know its permissions to trust that."""
        channel, perms = self._visible_channel(req)
        limit, anchors = _history_query(req.query)
        if channel.guild_id is not None and not perms & Permission.READ_MESSAGE_HISTORY:
            return ApiReply(body=[])
        visible = [
            m
            for m in self._b.state.channel_messages.get(channel.id, [])
            if not m.deleted and not m.ephemeral
        ]
        visible.sort(key=lambda m: m.id)
        if "before" in anchors:
            picked = [m for m in visible if m.id < anchors["before"]][-limit:]
        elif "after" in anchors:
            picked = [m for m in visible if m.id > anchors["after"]][:limit]
        elif "around" in anchors:
            around = anchors["around"]
            older = [m for m in visible if m.id < around][-(limit // 2) :] if limit > 1 else []
            newer = [m for m in visible if m.id >= around][: limit - len(older)]
            picked = older + newer
        else:
            picked = visible[-limit:]
        return ApiReply(body=[message_payload(m) for m in reversed(picked)])

    async def edit_message(self, req: ApiRequest) -> ApiReply:
        b = self._b
        channel, perms = self._visible_channel(req)
        message = b.message_in(channel, req.snowflake("message_id"))
        payload = b.with_uploads(req.json_object(), req.files)
        if message.author.id != b.state.bot_user.id:
            only_flags = set(payload) <= {"flags"}
            if not only_flags:
                raise DiscordAPIError(
                    403,
                    CANNOT_EDIT_OTHERS_MESSAGE,
                    "Cannot edit a message authored by another user",
                    violation=True,
                )
            if not perms & Permission.MANAGE_MESSAGES:
                raise missing_permissions()
        b.validate(payload)
        if b.empty_after_edit(message, payload):
            raise DiscordAPIError(
                400, EMPTY_MESSAGE, "Cannot send an empty message", violation=True
            )
        in_guild = channel.guild_id is not None
        b.apply_edit(
            message,
            payload,
            default_parse=MESSAGE_DEFAULT_PARSE,
            can_mention_everyone=not in_guild or bool(perms & Permission.MENTION_EVERYONE),
            keep_embeds=not in_guild or bool(perms & Permission.EMBED_LINKS),
        )
        b.announce_updated(message)
        return ApiReply(body=message_payload(message))

    async def delete_message(self, req: ApiRequest) -> ApiReply:
        b = self._b
        channel, perms = self._visible_channel(req)
        message = b.message_in(channel, req.snowflake("message_id"))
        own = message.author.id == b.state.bot_user.id
        if not own and channel.guild_id is not None and not perms & Permission.MANAGE_MESSAGES:
            raise missing_permissions()
        message.deleted = True
        b.announce_deleted(message)
        return ApiReply(status=204)

    async def crosspost(self, req: ApiRequest) -> ApiReply:
        b = self._b
        channel, perms = self._visible_channel(req)
        if not channel.is_announcement:
            raise DiscordAPIError(
                400,
                WRONG_CHANNEL_TYPE,
                "Cannot execute action on this channel type",
                violation=True,
            )
        message = b.message_in(channel, req.snowflake("message_id"))
        own = message.author.id == b.state.bot_user.id
        needed = Permission.SEND_MESSAGES if own else Permission.MANAGE_MESSAGES
        if not perms & needed:
            raise missing_permissions()
        if message.crossposted:
            raise DiscordAPIError(
                400,
                ALREADY_CROSSPOSTED,
                "This message has already been crossposted.",
                violation=True,
            )
        message.flags |= Message.CROSSPOSTED
        b.announce_updated(message)
        return ApiReply(body=message_payload(message))


def _history_query(query: Mapping[str, str]) -> tuple[int, dict[str, int]]:
    """``limit`` (1-100, default 50) and at most one of before/after/around, as Discord reads
    them; anything else is an Invalid Form Body that fails the test which sent it."""
    errors = ErrorTree()
    limit = 50
    raw = query.get("limit")
    if raw is not None:
        if not raw.lstrip("-").isdigit():
            errors.add(("limit",), "NUMBER_TYPE_COERCE", f'Value "{raw}" is not int.')
        else:
            limit = int(raw)
            if limit < 1:
                errors.add(("limit",), "NUMBER_TYPE_MIN", "int value should be greater than 0.")
            elif limit > 100:
                errors.add(
                    ("limit",), "NUMBER_TYPE_MAX", "int value should be less than or equal to 100."
                )
    anchors: dict[str, int] = {}
    for name in ("around", "before", "after"):
        value = query.get(name)
        if value is None:
            continue
        if not value.isdigit():
            errors.add((name,), "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.')
        else:
            anchors[name] = int(value)
    if len(anchors) > 1:
        errors.add(
            tuple(sorted(anchors))[:1],
            "QUERY_MUTUALLY_EXCLUSIVE",
            "before, after and around are mutually exclusive.",
        )
    if not errors.empty:
        raise invalid_form_body(errors)
    return limit, anchors
