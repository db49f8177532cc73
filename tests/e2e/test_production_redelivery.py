"""Exactly once past Discord's nonce window, and a way back after an outage longer than the
retries, through the double.

A post whose answer was lost is looked for in the channel (its Notify button carries the
update id) before it is sent again once the nonce may no longer protect it; without Read
Message History the bot does not post blind. `/production retry` gives failed copies fresh
attempts, and every edit or retraction reaches every copy that exists, retried like a send.
"""

from __future__ import annotations

from pathlib import Path

from discord_double import DiscordDouble
from discord_double.permissions import Permission

from bot.production import repo_ledger
from bot.production.models import DeliveryStatus
from bot.production.policy import RetryPolicy
from bot.production.repo_rows import DeliveryKey
from bot.production.runtime import DeliveryOptions
from tests.e2e.production_helpers import (
    BOT_PERMISSIONS,
    MESSAGES_ROUTE,
    FanServer,
    Newsroom,
    fast_delivery,
    wait_for,
    wait_until_finished,
)

HISTORY_ROUTE = "GET /channels/{channel_id}/messages"
EDIT_ROUTE = "PATCH /channels/{channel_id}/messages/{message_id}"
# The double forgets a nonce after 0.3 s (Discord: "a few minutes"); the worker trusts it for
# 0.2 s and retries after 0.8 s, so every retry comes after the nonce window has passed.
NONCE_WINDOW = 0.3


def slow_retries(room: Newsroom, attempts: int = 3) -> DeliveryOptions:
    return fast_delivery(
        room.clock,
        nonce_trust=0.2,
        retry=RetryPolicy(base_delay=0.8, max_delay=0.8, max_attempts=attempts, jitter=0.0),
    )


def history_reads(double: DiscordDouble, server: FanServer) -> int:
    path = f"/channels/{server.channel.id}/messages"
    return len([r for r in double.requests_to(HISTORY_ROUTE) if r.path == path])


async def test_a_post_whose_answer_was_lost_is_found_not_posted_again_past_the_nonce_window(
    double: DiscordDouble, tmp_path: Path
) -> None:
    double.config.nonce_window = NONCE_WINDOW
    room = Newsroom.build(double, tmp_path)
    lost, fine = room.add_servers(2)
    double.user_message(lost.channel, lost.fan, "anyone watching tonight?")
    # The post is made, then the connection drops: the bot never learns the message id.
    double.faults.drop_connection(MESSAGES_ROUTE, after_commit=True, channel=lost.channel)
    async with room.start(slow_retries(room)) as bot:
        db = bot.services.db
        await room.subscribe(db, [lost, fine])
        await room.publish(await room.preview())
        counts = await wait_until_finished(db, 1)
        assert (counts.delivered, counts.failed) == (2, 0)
        (post,) = room.posts(lost)  # one post, though the retry came after the nonce window
        assert len(room.send_requests(lost)) == 1  # the retry read the channel instead
        assert history_reads(double, lost) == 1 and history_reads(double, fine) == 0
        row = await repo_ledger.get_delivery(db, DeliveryKey(1, lost.guild.id))
        assert row is not None and row.message_id == post.id and row.status is DeliveryStatus.SENT

        # The copy found that way is the one a correction edits.
        await room.correct({"id": 1, "title": "Filming moved to June"})
        await wait_until_finished(db, 1)
        for server in (lost, fine):
            (copy,) = room.posts(server)
            assert copy.embeds[0]["title"] == "Filming moved to June"
        assert room.posts(lost)[0].id == post.id


async def test_without_read_message_history_the_bot_does_not_post_blind(
    double: DiscordDouble, tmp_path: Path
) -> None:
    double.config.nonce_window = NONCE_WINDOW
    room = Newsroom.build(double, tmp_path)
    no_history = int(BOT_PERMISSIONS) & ~int(Permission.READ_MESSAGE_HISTORY)
    (server,) = room.add_servers(1)
    double.set_bot_permissions(server.channel, no_history)
    double.faults.drop_connection(MESSAGES_ROUTE, after_commit=True, channel=server.channel)
    async with room.start(slow_retries(room)) as bot:
        db = bot.services.db
        await room.subscribe(db, [server])
        await room.publish(await room.preview())
        counts = await wait_until_finished(db, 1)
        assert (counts.delivered, counts.failed) == (0, 1)
        assert len(room.posts(server)) == 1  # it did land once; never a second time
        assert len(room.send_requests(server)) == 1
        # Discord would answer the read with an empty list: the bot knows not to trust it.
        assert history_reads(double, server) == 0
        report = await repo_ledger.delivery_report(db, 1)
        assert report is not None
        (failure,) = report.failures
        assert "lacks Read Message History" in failure.reason

        status = await room.invoke("production status", {"id": 1})
        shown = status.embeds[0]["description"]
        assert "1 copy failed" in shown and "/production retry id:1" in shown

        for locale, expected in (
            ("en-US", "The bot lacks Read Message History in"),
            ("ko", "메시지 기록 보기 권한이 없어요"),
        ):
            check = await double.invoke(
                "setup check", guild=server.guild, user=server.admin, locale=locale
            )
            assert expected in check.embeds[0]["description"]


async def test_after_an_outage_past_the_retries_retry_delivers_once_and_edits_reach_all(
    double: DiscordDouble, tmp_path: Path
) -> None:
    double.config.nonce_window = NONCE_WINDOW
    room = Newsroom.build(double, tmp_path)
    down, fine = room.add_servers(2)
    outage = double.faults.server_error(MESSAGES_ROUTE, 503, channel=down.channel, times=None)
    async with room.start(slow_retries(room, attempts=2)) as bot:
        db = bot.services.db
        await room.subscribe(db, [down, fine])
        await room.publish(await room.preview(title="Season 2 confirmed"))
        counts = await wait_until_finished(db, 1)
        assert (counts.delivered, counts.failed) == (1, 1)
        assert room.posts(down) == []

        status = await room.invoke("production status", {"id": 1})
        assert "1 copy failed" in status.embeds[0]["description"]
        assert "/production retry id:1" in status.embeds[0]["description"]
        ko_status = await room.invoke("production status", {"id": 1}, locale="ko")
        assert "게시물 1개가 실패했어요" in ko_status.embeds[0]["description"]

        double.faults.remove(outage)  # the outage ends
        reads = history_reads(double, down)
        retried = await room.invoke("production retry", {"id": 1})
        assert retried.content == "↻ Update #1: trying 1 copy again."
        counts = await wait_until_finished(db, 1)
        assert (counts.delivered, counts.failed) == (2, 0)
        (post,) = room.posts(down)
        assert post.embeds[0]["title"] == "Season 2 confirmed"
        assert history_reads(double, down) == reads + 1  # looked for an earlier copy first
        nothing = await room.invoke("production retry", {"id": 1}, locale="ko")
        assert nothing.content == "소식 #1에는 다시 시도할 실패한 게시물이 없어요."

        # An edit whose request fails past the retries is retried like a send.
        broken_edit = double.faults.server_error(EDIT_ROUTE, 503, channel=down.channel, times=None)
        await room.correct({"id": 1, "title": "Season 2 confirmed for 2027"})
        counts = await wait_until_finished(db, 1)
        assert counts.edits_failed == 1
        assert room.posts(fine)[0].embeds[0]["title"] == "Season 2 confirmed for 2027"
        assert room.posts(down)[0].embeds[0]["title"] == "Season 2 confirmed"
        double.faults.remove(broken_edit)
        again = await room.invoke("production retry", {"id": 1})
        assert again.content == "↻ Update #1: trying 1 copy again."
        counts = await wait_until_finished(db, 1)
        assert counts.edits_failed == 0 and counts.up_to_date == 2
        for server in (down, fine):
            (copy,) = room.posts(server)
            assert copy.embeds[0]["title"] == "Season 2 confirmed for 2027"


async def test_a_retraction_reaches_a_copy_whose_send_was_never_recorded(
    double: DiscordDouble, tmp_path: Path
) -> None:
    double.config.nonce_window = NONCE_WINDOW
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    # The post lands but its answer is lost, and reading the channel fails too: the row
    # ends failed, with a copy in the channel that nobody recorded.
    double.faults.drop_connection(MESSAGES_ROUTE, after_commit=True, channel=server.channel)
    reads_down = double.faults.server_error(HISTORY_ROUTE, 503, channel=server.channel, times=None)
    async with room.start(slow_retries(room, attempts=2)) as bot:
        db = bot.services.db
        await room.subscribe(db, [server])
        await room.publish(await room.preview(title="Rumour: a third season"))
        counts = await wait_until_finished(db, 1)
        assert (counts.delivered, counts.failed) == (0, 1)
        (post,) = room.posts(server)

        double.faults.remove(reads_down)
        retracted = await room.retract({"id": 1, "reason": "not confirmed"})
        assert retracted.message is not None
        await wait_until_finished(db, 1)
        await wait_for(
            lambda: room.posts(server)[0].content == "**Retracted:** not confirmed",
            what="the retraction notice",
        )
        assert [m.id for m in room.posts(server)] == [post.id]
        row = await repo_ledger.get_delivery(db, DeliveryKey(1, server.guild.id))
        assert row is not None and row.message_id == post.id
