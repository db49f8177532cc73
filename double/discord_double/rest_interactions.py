"""Interaction callbacks, follow-ups and `@original` edits (receiving-and-responding.mdx).

Enforced: one initial answer (40060), within the deadline (10062), a callback type that
fits the interaction, follow-ups/edits only while the 15-minute token lives (50027).
A follow-up to a deferred (type 5) answer replaces the "thinking" message, as on Discord.
"""

from __future__ import annotations

import time

from discord_double.backend import Backend
from discord_double.errors import (
    EMPTY_MESSAGE,
    INTERACTION_ALREADY_ACKNOWLEDGED,
    INVALID_WEBHOOK_TOKEN,
    UNKNOWN_INTERACTION,
    UNKNOWN_MESSAGE,
    UNKNOWN_WEBHOOK,
    DiscordAPIError,
    ErrorTree,
    invalid_form_body,
    not_found,
)
from discord_double.interactions import (
    ALLOWED_CALLBACKS,
    CallbackType,
    InteractionRecord,
    InteractionType,
)
from discord_double.mentions import INTERACTION_DEFAULT_PARSE
from discord_double.models import JSON, Channel, Message
from discord_double.payloads import message_payload, user_payload
from discord_double.permissions import Permission
from discord_double.router import ApiReply, ApiRequest, Router
from discord_double.rules import is_empty_message, validate_choices, validate_modal

# Flags an app may set on an interaction message: ephemeral, suppress embeds/notifications, v2.
_MESSAGE_FLAGS = Message.EPHEMERAL | Message.SUPPRESS_EMBEDS | 4096 | 1 << 15


_MESSAGE_RESOURCE = (CallbackType.CHANNEL_MESSAGE_WITH_SOURCE, CallbackType.UPDATE_MESSAGE)


def _empty_message_error() -> DiscordAPIError:
    return DiscordAPIError(400, EMPTY_MESSAGE, "Cannot send an empty message", violation=True)


class InteractionRoutes:
    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def register(self, router: Router) -> None:
        router.add(
            "POST", "/interactions/{interaction_id}/{interaction_token}/callback", self.callback,
            bot_auth=False,
        )  # fmt: skip
        hook = "/webhooks/{webhook_id}/{webhook_token}"
        router.add("POST", hook, self.followup, bot_auth=False)
        for method, handler in (
            ("GET", self.get_message),
            ("PATCH", self.edit_message),
            ("DELETE", self.delete_message),
        ):
            router.add(method, f"{hook}/messages/{{message_id}}", handler, bot_auth=False)

    # -- helpers ---------------------------------------------------------------------

    def _with_files(self, data: JSON, req: ApiRequest) -> JSON:
        return self._b.with_uploads(data, req.files)

    def _channel(self, record: InteractionRecord) -> Channel:
        return self._b.channel(record.channel_id)

    def _can_mention_everyone(self, channel: Channel) -> bool:
        return bool(self._b.state.bot_permissions_in(channel) & Permission.MENTION_EVERYONE)

    def _metadata(self, record: InteractionRecord) -> JSON:
        user = self._b.state.users[record.user_id]
        owners = {"0": str(record.guild_id)} if record.guild_id else {"1": str(user.id)}
        meta: JSON = {
            "id": str(record.id),
            "type": int(record.type),
            "user": user_payload(user),
            "authorizing_integration_owners": owners,
        }
        if record.type is InteractionType.APPLICATION_COMMAND:
            meta["name"] = record.payload["data"]["name"]
            meta["command_type"] = record.payload["data"].get("type", 1)
        if record.source_message_id is not None:
            meta["interacted_message_id"] = str(record.source_message_id)
        trigger = self._b.state.interactions.get(record.trigger_id or 0)
        if trigger is not None:
            meta["triggering_interaction_metadata"] = self._metadata(trigger)
        return meta

    def _new_message(self, record: InteractionRecord, data: JSON, flags: int) -> Message:
        b = self._b
        channel = self._channel(record)
        message = b.build_message(
            channel,
            b.state.bot_user,
            data,
            default_parse=INTERACTION_DEFAULT_PARSE,
            can_mention_everyone=self._can_mention_everyone(channel),
            keep_embeds=True,  # interaction messages do not need EMBED_LINKS
            flags=flags,
            message_type=20 if record.type is InteractionType.APPLICATION_COMMAND else 0,
        )
        message.webhook_id = b.state.application_id
        message.application_id = b.state.application_id
        message.interaction_metadata = self._metadata(record)
        b.state.store_message(message)
        return message

    def _edit(self, record: InteractionRecord, message: Message, data: JSON) -> None:
        b = self._b
        b.validate(data)
        if b.empty_after_edit(message, data):
            raise _empty_message_error()
        was_loading = message.loading
        b.apply_edit(
            message,
            data,
            default_parse=INTERACTION_DEFAULT_PARSE,
            can_mention_everyone=self._can_mention_everyone(self._channel(record)),
            keep_embeds=True,
        )
        if was_loading:
            # Filling in a deferred answer is not an "edit" the user sees as such.
            message.flags &= ~Message.LOADING
            message.edited_timestamp = None
        if message.id == record.original_message_id:
            record.loading = False
        b.announce_updated(message)

    # -- the initial answer ----------------------------------------------------------

    async def callback(self, req: ApiRequest) -> ApiReply:
        b = self._b
        record = b.state.interactions.get(req.snowflake("interaction_id"))
        if record is None or record.token != req.params["interaction_token"]:
            raise DiscordAPIError(404, UNKNOWN_INTERACTION, "Unknown interaction", violation=True)
        try:
            return self._answer(record, req)
        except DiscordAPIError as error:
            error.interaction_id = record.id
            raise

    def _answer(self, record: InteractionRecord, req: ApiRequest) -> ApiReply:
        now = time.monotonic()
        if record.acknowledged:
            raise DiscordAPIError(
                400,
                INTERACTION_ALREADY_ACKNOWLEDGED,
                "Interaction has already been acknowledged.",
                violation=True,
            )
        if record.past_deadline(now):
            raise DiscordAPIError(404, UNKNOWN_INTERACTION, "Unknown interaction", violation=True)
        payload = req.json_object()
        kind = payload.get("type")
        data: JSON = self._with_files(payload.get("data") or {}, req)
        allowed = ALLOWED_CALLBACKS.get(record.type, frozenset())
        needs_message = kind in (6, 7) and record.source_message_id is None
        if kind not in allowed or needs_message:
            errors = ErrorTree()
            errors.add(
                ("type",),
                "INTERACTION_RESPONSE_TYPE_INVALID",
                f"Interaction response type {kind} is not valid for interaction type "
                f"{int(record.type)}",
            )
            raise invalid_form_body(errors)

        message: Message | None = None
        if kind == CallbackType.CHANNEL_MESSAGE_WITH_SOURCE:
            self._b.validate(data)
            if is_empty_message(data):
                raise _empty_message_error()
            message = self._new_message(record, data, int(data.get("flags") or 0) & _MESSAGE_FLAGS)
            record.ephemeral = message.ephemeral
        elif kind == CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE:
            flags = Message.LOADING | (int(data.get("flags") or 0) & Message.EPHEMERAL)
            message = self._new_message(record, {"content": ""}, flags)
            record.loading = True
            record.ephemeral = message.ephemeral
        elif kind in (CallbackType.DEFERRED_UPDATE_MESSAGE, CallbackType.UPDATE_MESSAGE):
            assert record.source_message_id is not None
            message = self._b.state.messages[record.source_message_id]
            if kind == CallbackType.UPDATE_MESSAGE:
                self._edit(record, message, data)
            record.ephemeral = message.ephemeral
        elif kind == CallbackType.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT:
            errors = ErrorTree()
            validate_choices(
                data.get("choices", []), record.focused_option_type, errors, ("data", "choices")
            )
            if not errors.empty:
                raise invalid_form_body(errors)
            record.choices = list(data.get("choices", []))
        elif kind == CallbackType.MODAL:
            errors = ErrorTree()
            validate_modal(data, errors, ("data",))
            if not errors.empty:
                raise invalid_form_body(errors)
            record.modal = data

        record.response_type = int(kind)
        record.responded_at = now
        if message is not None:
            record.original_message_id = message.id
            if kind in (4, 5):
                self._b.announce_created(message)
        record.notify()

        if req.query.get("with_response", "").lower() not in ("1", "true"):
            return ApiReply(status=204)
        answer: JSON = {
            "interaction": {
                "id": str(record.id),
                "type": int(record.type),
                "response_message_loading": record.loading,
                "response_message_ephemeral": record.ephemeral,
            }
        }
        if message is not None:
            answer["interaction"]["response_message_id"] = str(message.id)
        # Discord's OpenAPI describes a resource only for a message sent (4) or updated (7).
        if message is not None and kind in _MESSAGE_RESOURCE:
            answer["resource"] = {"type": int(kind), "message": message_payload(message)}
        return ApiReply(body=answer)

    # -- the webhook side ------------------------------------------------------------

    def _record_for(self, req: ApiRequest) -> InteractionRecord:
        b = self._b
        record = b.state.interactions_by_token.get(req.params["webhook_token"])
        if (
            record is None
            or req.snowflake("webhook_id") != b.state.application_id
            or record.type is InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE
        ):
            raise DiscordAPIError(404, UNKNOWN_WEBHOOK, "Unknown Webhook", violation=True)
        if record.token_expired(time.monotonic()):
            error = DiscordAPIError(
                401, INVALID_WEBHOOK_TOKEN, "Invalid Webhook Token", violation=True
            )
            error.interaction_id = record.id
            raise error
        if not record.acknowledged:
            # The webhook only exists once the interaction was answered.
            error = DiscordAPIError(404, UNKNOWN_WEBHOOK, "Unknown Webhook", violation=True)
            error.interaction_id = record.id
            raise error
        return record

    def _message_for(self, record: InteractionRecord, req: ApiRequest) -> Message:
        raw = req.params["message_id"]
        message_id = (
            record.original_message_id if raw == "@original" else (int(raw) if raw.isdigit() else 0)
        )
        allowed = {record.original_message_id, *record.followup_ids}
        message = None if message_id is None else self._b.state.messages.get(message_id)
        if message is None or message.deleted or message_id not in allowed:
            raise not_found(UNKNOWN_MESSAGE, "Message")
        return message

    async def followup(self, req: ApiRequest) -> ApiReply:
        record = self._record_for(req)
        try:
            message = self._post_followup(record, self._with_files(req.json_object(), req))
        except DiscordAPIError as error:
            error.interaction_id = record.id
            raise
        record.notify()
        if req.query.get("wait", "").lower() not in ("1", "true"):
            return ApiReply(status=204)
        return ApiReply(body=message_payload(message))

    def _post_followup(self, record: InteractionRecord, data: JSON) -> Message:
        b = self._b
        original = (
            None if record.original_message_id is None
            else b.state.messages.get(record.original_message_id)
        )  # fmt: skip
        if original is not None and record.loading and not original.deleted:
            self._edit(record, original, data)
            return original
        b.validate(data)
        if is_empty_message(data):
            raise _empty_message_error()
        message = self._new_message(record, data, int(data.get("flags") or 0) & _MESSAGE_FLAGS)
        record.followup_ids.append(message.id)
        b.announce_created(message)
        return message

    async def get_message(self, req: ApiRequest) -> ApiReply:
        record = self._record_for(req)
        return ApiReply(body=message_payload(self._message_for(record, req)))

    async def edit_message(self, req: ApiRequest) -> ApiReply:
        record = self._record_for(req)
        message = self._message_for(record, req)
        try:
            self._edit(record, message, self._with_files(req.json_object(), req))
        except DiscordAPIError as error:
            error.interaction_id = record.id
            raise
        record.notify()
        return ApiReply(body=message_payload(message))

    async def delete_message(self, req: ApiRequest) -> ApiReply:
        record = self._record_for(req)
        message = self._message_for(record, req)
        message.deleted = True
        if message.id == record.original_message_id:
            record.loading = False
        self._b.announce_deleted(message)
        record.notify()
        return ApiReply(status=204)
