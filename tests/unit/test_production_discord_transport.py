"""The discord.py adapter: the exact request payload and the mapping of errors to results."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

import aiohttp
import discord
import pytest
from discord.http import handle_message_parameters

from bot.production.compose import allowed_mentions_for, build_post
from bot.production.discord_transport import (
    FIND_MARGIN,
    FIND_SCAN_MAX,
    NOTIFY_BUTTON_ID,
    DiscordTransport,
    classify_exception,
    to_allowed_mentions,
    to_embed,
)
from bot.production.models import LocalizedText, Update, UpdateDraft
from bot.production.transport import (
    Done,
    Found,
    NotFound,
    Permanent,
    RateLimited,
    Sent,
    Transient,
    Unreadable,
)

UPDATE = Update(
    update_id=3,
    preview_token="token-abcdef",
    author_id=1,
    draft=UpdateDraft(
        title=LocalizedText("@everyone title"),
        body=LocalizedText("<@123> <@&999> @here body"),
        confidence="reported",
    ),
    created_at=1_750_000_000.0,
    revision=1,
)


@dataclass
class FakeResponse:
    status: int
    reason: str = "error"


def http_error(cls: type[discord.HTTPException], status: int, code: int, text: str) -> Any:
    return cls(FakeResponse(status), {"code": code, "message": text})


@pytest.mark.parametrize("role_id", [None, 555])
def test_request_body_allows_exactly_the_role_even_over_a_permissive_client_default(
    role_id: int | None,
) -> None:
    message = build_post(UPDATE, "en", role_id)
    with handle_message_parameters(
        content=message.content,
        embeds=[to_embed(e) for e in message.embeds],
        allowed_mentions=to_allowed_mentions(message.allowed_mentions),
        previous_allowed_mentions=discord.AllowedMentions.all(),  # worst case Client default
        nonce="123456789",
    ) as params:
        payload = params.payload
    assert payload is not None
    assert payload["allowed_mentions"] == allowed_mentions_for(role_id)
    # discord.py 2.7.1 sends enforce_nonce with every explicit nonce: Discord dedupes retries.
    assert payload["nonce"] == "123456789" and payload["enforce_nonce"] is True


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (http_error(discord.Forbidden, 403, 50013, "Missing Permissions"), Permanent),
        (http_error(discord.Forbidden, 403, 50001, "Missing Access"), Permanent),
        (http_error(discord.NotFound, 404, 10003, "Unknown Channel"), Permanent),
        (http_error(discord.DiscordServerError, 503, 0, "Service Unavailable"), Transient),
        (http_error(discord.HTTPException, 429, 0, "cloudflare"), RateLimited),
        (http_error(discord.HTTPException, 400, 20022, "announcement edit limit"), RateLimited),
        (discord.RateLimited(120.0), RateLimited),
        (TimeoutError(), Transient),
        (aiohttp.ClientConnectionError("reset"), Transient),
        (ConnectionResetError(104, "reset"), Transient),
    ],
)
def test_errors_map_to_results(error: BaseException, expected: type) -> None:
    assert isinstance(classify_exception(error), expected)


def test_permanent_results_keep_the_discord_code_and_reason() -> None:
    result = classify_exception(http_error(discord.Forbidden, 403, 50013, "Missing Permissions"))
    assert isinstance(result, Permanent) and result.code == 50013
    assert "Missing Permissions" in result.reason
    limited = classify_exception(discord.RateLimited(75.5))
    assert isinstance(limited, RateLimited) and limited.retry_after == 75.5


def test_programming_errors_are_not_disguised_as_delivery_failures() -> None:
    assert classify_exception(ValueError("bad embed")) is None


@dataclass
class FakePartialMessage:
    log: list[tuple[str, dict[str, Any]]]
    error: Exception | None = None

    async def edit(self, **kwargs: Any) -> None:
        self.log.append(("edit", kwargs))

    async def publish(self) -> None:
        self.log.append(("publish", {}))
        if self.error is not None:
            raise self.error


@dataclass
class FakeChannel:
    log: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    error: Exception | None = None

    async def send(self, **kwargs: Any) -> Any:
        self.log.append(("send", kwargs))
        if self.error is not None:
            raise self.error
        return type("Msg", (), {"id": 4242})()

    def get_partial_message(self, message_id: int) -> FakePartialMessage:
        return FakePartialMessage(self.log, self.error)


@dataclass
class FakeClient:
    channel: FakeChannel

    def get_partial_messageable(self, channel_id: int) -> FakeChannel:
        return self.channel

    def get_channel(self, channel_id: int) -> None:
        return None  # not cached: no ping diagnosis, the send still works


async def test_send_passes_nonce_mentions_and_a_stopped_notify_view() -> None:
    channel = FakeChannel()
    transport = DiscordTransport(FakeClient(channel))  # type: ignore[arg-type]
    result = await transport.send(1, build_post(UPDATE, "ko", 555), "987")
    assert result == Sent(4242)
    [(kind, kwargs)] = channel.log
    assert kind == "send" and kwargs["nonce"] == "987" and kwargs["content"] == "<@&555>"
    assert kwargs["allowed_mentions"].to_dict() == {"parse": [], "roles": [555]}
    view = kwargs["view"]
    # The button's custom_id marks the copy (update 3, revision 1) so a retry can find it.
    assert [item.custom_id for item in view.children] == [f"{NOTIFY_BUTTON_ID}:3:1"]
    assert view.is_finished()  # discord.py will not store one View per sent message


async def test_send_failure_becomes_a_result_not_an_exception() -> None:
    channel = FakeChannel(error=http_error(discord.Forbidden, 403, 50001, "Missing Access"))
    transport = DiscordTransport(FakeClient(channel))  # type: ignore[arg-type]
    result = await transport.send(1, build_post(UPDATE, "en", None), "1")
    assert isinstance(result, Permanent) and result.code == 50001


async def test_crosspost_already_done_counts_as_done() -> None:
    channel = FakeChannel(error=http_error(discord.HTTPException, 400, 40033, "already"))
    transport = DiscordTransport(FakeClient(channel))  # type: ignore[arg-type]
    assert await transport.crosspost(1, 2) == Done()


async def test_retraction_edit_removes_embed_and_button() -> None:
    channel = FakeChannel()
    transport = DiscordTransport(FakeClient(channel))  # type: ignore[arg-type]
    retracted = replace(
        UPDATE, revision=2, retracted_at=1.0, retracted_by=1, retract_reason="wrong"
    )
    assert await transport.edit(1, 2, build_post(retracted, "en", 555)) == Done()
    [(kind, kwargs)] = channel.log
    assert kind == "edit" and kwargs["embeds"] == [] and kwargs["view"] is None
    assert kwargs["allowed_mentions"].to_dict() == {"parse": []}


def _posted(message_id: int, author: int, custom_id: str | None) -> Any:
    button = SimpleNamespace(custom_id=custom_id)
    rows = [SimpleNamespace(children=[button])] if custom_id else []
    return SimpleNamespace(id=message_id, author=SimpleNamespace(id=author), components=rows)


@dataclass
class HistoryChannel(FakeChannel):
    messages: list[Any] = field(default_factory=list)
    asked: list[dict[str, Any]] = field(default_factory=list)

    async def history(self, **kwargs: Any) -> Any:
        self.asked.append(kwargs)
        for message in self.messages[: kwargs["limit"]]:
            yield message


@dataclass
class HistoryClient(FakeClient):
    user: Any = field(default_factory=lambda: SimpleNamespace(id=77))


async def test_find_copy_matches_the_bots_post_of_that_update_from_before_the_first_try() -> None:
    channel = HistoryChannel(
        messages=[
            _posted(1, 5, "gh:notify:3:1"),  # someone else's message with the same button
            _posted(2, 77, "gh:notify:4:1"),  # the bot's post of another update
            _posted(3, 77, None),
            _posted(4, 77, "gh:notify:3:2"),
        ]
    )
    transport = DiscordTransport(HistoryClient(channel))  # type: ignore[arg-type]
    assert await transport.find_copy(9, 3, since=1_750_000_100.0) == Found(4, 2)
    assert await transport.find_copy(9, 8, since=1_750_000_100.0) == NotFound()
    [asked, _] = channel.asked
    assert asked["oldest_first"] and asked["limit"] == FIND_SCAN_MAX
    after = discord.utils.snowflake_time(asked["after"].id).timestamp()
    assert after == pytest.approx(1_750_000_100.0 - FIND_MARGIN, abs=0.01)


async def test_find_copy_that_cannot_tell_says_so_instead_of_not_found() -> None:
    crowded = HistoryChannel(messages=[_posted(n, 5, None) for n in range(FIND_SCAN_MAX + 1)])
    transport = DiscordTransport(HistoryClient(crowded))  # type: ignore[arg-type]
    result = await transport.find_copy(9, 3, since=1_750_000_100.0)
    assert isinstance(result, Unreadable) and "more than 500 messages" in result.reason
    hidden = HistoryChannel()

    async def refused(**kwargs: Any) -> Any:
        raise http_error(discord.Forbidden, 403, 50001, "Missing Access")
        yield  # an async generator, like discord.py's

    hidden.history = refused  # type: ignore[method-assign]
    denied = await DiscordTransport(HistoryClient(hidden)).find_copy(9, 3, 0.0)  # type: ignore[arg-type]
    assert isinstance(denied, Permanent) and denied.code == 50001
