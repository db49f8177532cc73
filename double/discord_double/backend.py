"""Shared machinery behind the REST handlers: lookups, message storage, events, violations."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from discord_double.config import DoubleConfig
from discord_double.errors import (
    UNKNOWN_CHANNEL,
    UNKNOWN_GUILD,
    UNKNOWN_MESSAGE,
    DiscordAPIError,
    ErrorTree,
    Violation,
    invalid_form_body,
    not_found,
)
from discord_double.faults import FaultPlan
from discord_double.gateway import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    Gateway,
)
from discord_double.mentions import resolve_mentions
from discord_double.models import JSON, Channel, Guild, Message, User
from discord_double.payloads import message_payload, stored_components
from discord_double.ratelimit import RateLimiter
from discord_double.router import UploadedFile
from discord_double.rules import validate_message
from discord_double.state import DoubleState


@dataclass(slots=True)
class RecordedRequest:
    method: str
    path: str
    route: str
    query: dict[str, str]
    json: Any  # the parsed JSON body (or payload_json of a multipart upload)
    status: int
    started: float  # time.monotonic()
    duration: float  # seconds spent in the double for this request
    error_code: int | None = None


@dataclass(slots=True)
class Stats:
    requests: int = 0
    rate_limited: int = 0  # 429s served
    rate_limited_by_route: dict[str, int] = field(default_factory=dict)
    invalid_requests: int = 0  # 401/403/429 (not "shared"), which Discord counts toward CF bans
    handler_seconds: float = 0.0  # thread CPU time spent inside REST handlers
    driver_seconds: float = 0.0  # thread CPU time spent building/dispatching interactions
    identifies: int = 0


class Backend:
    def __init__(
        self,
        state: DoubleState,
        config: DoubleConfig,
        gateway: Gateway,
        limiter: RateLimiter,
        faults: FaultPlan,
    ) -> None:
        self.state = state
        self.config = config
        self.gateway = gateway
        self.limiter = limiter
        self.faults = faults
        self.stats = Stats()
        self.requests: list[RecordedRequest] = []
        self.violations: list[Violation] = []

    # -- lookups ---------------------------------------------------------------------

    def channel(self, channel_id: int) -> Channel:
        channel = self.state.channels.get(channel_id)
        if channel is None:
            raise not_found(UNKNOWN_CHANNEL, "Channel")
        return channel

    def guild(self, guild_id: int) -> Guild:
        guild = self.state.guilds.get(guild_id)
        if guild is None:
            raise not_found(UNKNOWN_GUILD, "Guild")
        return guild

    def message_in(self, channel: Channel, message_id: int) -> Message:
        message = self.state.messages.get(message_id)
        if (
            message is None
            or message.deleted
            or message.channel_id != channel.id
            or message.ephemeral
        ):
            raise not_found(UNKNOWN_MESSAGE, "Message")
        return message

    # -- messages --------------------------------------------------------------------

    def with_uploads(self, payload: JSON, uploads: list[UploadedFile]) -> JSON:
        """The payload with its `attachments` resolved: kept ones by id, uploads added.

        discord.py lists new files as placeholders `{"id": <index>}` next to the ids of
        attachments to keep; Discord replaces the placeholders with the stored files.
        """
        if not uploads:
            return payload
        kept = [a for a in payload.get("attachments") or [] if int(a.get("id", 0)) >= len(uploads)]
        return {**payload, "attachments": kept + self.attachments(uploads)}

    def attachments(self, uploads: list[UploadedFile]) -> list[JSON]:
        """Attachment objects for files uploaded with a message (multipart `files[n]`)."""
        found: list[JSON] = []
        for index, upload in enumerate(uploads):
            attachment_id = self.state.ids.next()
            url = f"https://cdn.invalid/attachments/{attachment_id}/{upload.filename}"
            found.append(
                {
                    "id": str(attachment_id),
                    "filename": upload.filename,
                    "size": upload.size,
                    "content_type": upload.content_type,
                    "url": url,
                    "proxy_url": url.replace("cdn.", "media."),
                    "index": index,
                }
            )
        return found

    @staticmethod
    def validate(payload: JSON) -> None:
        errors = ErrorTree()
        validate_message(payload, errors)
        if not errors.empty:
            raise invalid_form_body(errors)

    def build_message(
        self,
        channel: Channel,
        author: User,
        payload: JSON,
        *,
        default_parse: frozenset[str],
        can_mention_everyone: bool,
        keep_embeds: bool,
        flags: int = 0,
        message_type: int = 0,
    ) -> Message:
        """A new message from an already validated payload, mentions resolved like Discord."""
        guild = self.state.guild_of(channel)
        reference = payload.get("message_reference")
        replied: User | None = None
        if reference and reference.get("message_id"):
            target = self.state.messages.get(int(reference["message_id"]))
            if target is not None and not target.deleted:
                replied = target.author
                message_type = 19 if message_type == 0 else message_type
        content = str(payload.get("content") or "")
        mentions = resolve_mentions(
            content,
            payload.get("allowed_mentions"),
            default_parse=default_parse,
            guild=guild,
            find_user=self.state.find_user,
            can_mention_everyone=can_mention_everyone,
            replied_user=replied,
        )
        return Message(
            id=self.state.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            content=content,
            embeds=list(payload.get("embeds") or []) if keep_embeds else [],
            components=stored_components(list(payload.get("components") or [])),
            attachments=list(payload.get("attachments") or []),
            flags=flags,
            type=message_type,
            tts=bool(payload.get("tts")),
            nonce=payload.get("nonce"),
            mentions=mentions.users,
            mention_roles=mentions.role_ids,
            mention_everyone=mentions.everyone,
            message_reference=(
                {**reference, "channel_id": str(channel.id)} if reference and replied else None
            ),
        )

    @staticmethod
    def empty_after_edit(message: Message, payload: JSON) -> bool:
        """Would the message be empty (50006) once this edit is applied?"""
        content = payload.get("content", message.content)
        merged = {
            key: payload[key] if key in payload else getattr(message, key)
            for key in ("embeds", "components", "attachments")
        }
        return not (str(content or "").strip() or any(merged.values()))

    def apply_edit(
        self,
        message: Message,
        payload: JSON,
        *,
        default_parse: frozenset[str],
        can_mention_everyone: bool,
        keep_embeds: bool,
    ) -> None:
        """Apply the fields present in an edit; absent fields stay, null clears."""
        if "content" in payload:
            message.content = str(payload["content"] or "")
        if "embeds" in payload:
            message.embeds = list(payload["embeds"] or []) if keep_embeds else []
        if "components" in payload:
            message.components = stored_components(list(payload["components"] or []))
        if "attachments" in payload:
            # Keep the listed existing attachments (by id) and any freshly uploaded ones.
            existing = {str(a["id"]): a for a in message.attachments}
            message.attachments = [
                existing.get(str(a.get("id")), a)
                for a in payload["attachments"] or []
                if "url" in a or str(a.get("id")) in existing
            ]
        if payload.get("flags") is not None:
            # Only SUPPRESS_EMBEDS can be toggled on edit; the rest are Discord's.
            suppress = int(payload["flags"]) & Message.SUPPRESS_EMBEDS
            message.flags = (message.flags & ~Message.SUPPRESS_EMBEDS) | suppress
        channel = self.state.channels.get(message.channel_id)
        guild = None if channel is None else self.state.guild_of(channel)
        mentions = resolve_mentions(
            message.content,
            payload.get("allowed_mentions"),
            default_parse=default_parse,
            guild=guild,
            find_user=self.state.find_user,
            can_mention_everyone=can_mention_everyone,
        )
        message.mentions = mentions.users
        message.mention_roles = mentions.role_ids
        message.mention_everyone = mentions.everyone
        message.edited_timestamp = time.time()

    # -- events ----------------------------------------------------------------------

    @staticmethod
    def _message_intent(message: Message) -> int:
        return INTENT_GUILD_MESSAGES if message.guild_id is not None else INTENT_DIRECT_MESSAGES

    def announce_created(self, message: Message) -> None:
        if message.ephemeral:
            return
        self.gateway.dispatch(
            "MESSAGE_CREATE",
            message_payload(message, with_guild=True),
            guild_id=message.guild_id,
            intent=self._message_intent(message),
        )

    def announce_updated(self, message: Message) -> None:
        if message.ephemeral:
            return
        self.gateway.dispatch(
            "MESSAGE_UPDATE",
            message_payload(message, with_guild=True),
            guild_id=message.guild_id,
            intent=self._message_intent(message),
        )

    def announce_deleted(self, message: Message) -> None:
        if message.ephemeral:
            return
        data: JSON = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        self.gateway.dispatch(
            "MESSAGE_DELETE", data, guild_id=message.guild_id, intent=self._message_intent(message)
        )

    # -- violations ------------------------------------------------------------------

    def record_violation(
        self,
        error: DiscordAPIError,
        method: str,
        path: str,
        body: object,
        *,
        errors: list[str] | None = None,
    ) -> Violation:
        if errors is None:
            errors = error.errors.flat() if error.errors is not None else []
        violation = Violation(
            code=error.code,
            message=error.message,
            method=method,
            path=path,
            status=error.status,
            errors=errors,
            body=body,
        )
        self.violations.append(violation)
        return violation
