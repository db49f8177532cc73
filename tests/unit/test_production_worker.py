"""The delivery worker against a real SQLite file and an in-memory Discord that dedupes nonces."""

from __future__ import annotations

import asyncio
import logging
import random
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from bot.production import (
    repo_claims,
    repo_deliveries,
    repo_ledger,
    repo_previews,
    repo_settings,
    repo_updates,
)
from bot.production.compose import OutgoingMessage, build_post, parse_delivery_marker
from bot.production.limiter import SendLimiter
from bot.production.models import (
    AlreadyPublished,
    AlreadyRetracted,
    Cancelled,
    CrosspostState,
    DeliveryCounts,
    DeliveryStatus,
    Edited,
    LocalizedText,
    PreviewCancelled,
    PreviewExpired,
    Published,
    Retracted,
    RevisionConflict,
    UnknownPreview,
    UnknownUpdate,
    UpdateDraft,
)
from bot.production.policy import RetryPolicy
from bot.production.repo_rows import DeliveryKey
from bot.production.timeline import timeline_additions
from bot.production.transport import (
    ChangeResult,
    Done,
    FindResult,
    Found,
    NotFound,
    Permanent,
    RateLimited,
    SendResult,
    Sent,
    Transient,
)
from bot.production.worker import DeliveryWorker, WorkerConfig, WorkerIdentity
from bot.store.database import Database
from bot.store.migrate import migrate

T0 = 1_750_000_000.0


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class FakeMessage:
    message_id: int
    channel_id: int
    nonce: str
    content: str | None
    descriptions: list[str]
    allowed_mentions: dict[str, list[int]]
    edits: int = 0
    crossposted: bool = False
    marker: str | None = None


Script = Callable[[], "SendResult | ChangeResult | None"]


@dataclass
class FakeDiscord:
    """Implements the Transport protocol. Like Discord it returns the earlier message for a
    repeated (channel, nonce), and it counts how often that happened."""

    messages: dict[int, FakeMessage] = field(default_factory=dict)
    by_nonce: dict[tuple[int, str], int] = field(default_factory=dict)
    calls: list[tuple[str, int]] = field(default_factory=list)
    nonce_reuse: int = 0
    # Per channel: results to return instead of succeeding, consumed in order.
    failures: dict[int, list[SendResult | ChangeResult | Exception]] = field(default_factory=dict)
    # Per channel: make the send happen, then answer with this (the reply got lost).
    lost_replies: dict[int, SendResult] = field(default_factory=dict)
    hang_after_sends: int | None = None  # after this many messages exist, sends never answer
    hanging: asyncio.Event = field(default_factory=asyncio.Event)
    next_id: int = 9_000_000

    def _scripted(self, channel_id: int) -> SendResult | ChangeResult | None:
        queue = self.failures.get(channel_id)
        if not queue:
            return None
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    async def send(self, channel_id: int, message: OutgoingMessage, nonce: str) -> SendResult:
        self.calls.append(("send", channel_id))
        await asyncio.sleep(0)
        scripted = self._scripted(channel_id)
        if scripted is not None:
            assert not isinstance(scripted, Done)
            return scripted
        existing = self.by_nonce.get((channel_id, nonce))
        if existing is not None:
            self.nonce_reuse += 1
            return Sent(existing)
        self.next_id += 1
        self.messages[self.next_id] = FakeMessage(
            self.next_id,
            channel_id,
            nonce,
            message.content,
            [e.description for e in message.embeds],
            dict(message.allowed_mentions),  # type: ignore[arg-type]
            marker=message.marker,
        )
        self.by_nonce[(channel_id, nonce)] = self.next_id
        if channel_id in self.lost_replies:
            return self.lost_replies.pop(channel_id)
        if self.hang_after_sends is not None and len(self.messages) >= self.hang_after_sends:
            self.hanging.set()
            await asyncio.Event().wait()  # the reply never comes: the process dies meanwhile
        return Sent(self.next_id)

    async def edit(
        self, channel_id: int, message_id: int, message: OutgoingMessage
    ) -> ChangeResult:
        self.calls.append(("edit", channel_id))
        await asyncio.sleep(0)
        scripted = self._scripted(channel_id)
        if scripted is not None:
            assert not isinstance(scripted, Sent)
            return scripted
        stored = self.messages.get(message_id)
        if stored is None or stored.channel_id != channel_id:
            return Permanent(10008, "Unknown Message")
        stored.content = message.content
        stored.descriptions = [e.description for e in message.embeds]
        stored.allowed_mentions = dict(message.allowed_mentions)  # type: ignore[arg-type]
        stored.marker = message.marker
        stored.edits += 1
        return Done()

    async def find_copy(self, channel_id: int, update_id: int, since: float) -> FindResult:
        self.calls.append(("find", channel_id))
        await asyncio.sleep(0)
        for stored in self.messages.values():
            parsed = parse_delivery_marker(stored.marker or "")
            if stored.channel_id == channel_id and parsed and parsed[0] == update_id:
                return Found(stored.message_id, parsed[1])
        return NotFound()

    async def crosspost(self, channel_id: int, message_id: int) -> ChangeResult:
        self.calls.append(("crosspost", channel_id))
        await asyncio.sleep(0)
        stored = self.messages[message_id]
        assert stored.channel_id == channel_id
        stored.crossposted = True
        return Done()

    def in_channel(self, channel_id: int) -> list[FakeMessage]:
        return [m for m in self.messages.values() if m.channel_id == channel_id]

    def count(self, kind: str) -> int:
        return sum(1 for k, _ in self.calls if k == kind)


def guild(n: int) -> int:
    return 100_000 + n


def channel(n: int) -> int:
    return 200_000 + n


def role(n: int) -> int:
    return 300_000 + n


DRAFT = UpdateDraft(
    title=LocalizedText("Season 2 filming starts", "시즌 2 촬영 시작"),
    body=LocalizedText("Filming began this week.", "이번 주 촬영이 시작됐어요."),
    confidence="reported",
    source_url="https://example.com/news/2",
    season=2,
    season_status="filming",
)


@pytest.fixture
async def db(store_target: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(store_target)
    await migrate(database)
    yield database
    await database.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def discord() -> FakeDiscord:
    return FakeDiscord()


def fast_limiter() -> SendLimiter:
    return SendLimiter(rate=1_000_000.0, burst=1000, channel_limit=1000)


def make_worker(
    db: Database, discord: FakeDiscord, clock: FakeClock, **config: object
) -> DeliveryWorker:
    settings: dict[str, object] = {"retry": RetryPolicy(base_delay=5.0, max_attempts=4)}
    settings.update(config)
    return DeliveryWorker(
        db,
        discord,
        fast_limiter(),
        config=WorkerConfig(**settings),  # type: ignore[arg-type]
        clock=clock,
        rng=random.Random(7),
    )


async def subscribe(
    db: Database,
    count: int,
    clock: FakeClock,
    *,
    with_role: Callable[[int], bool] = lambda n: n % 2 == 0,
    announcement: Callable[[int], bool] = lambda n: False,
    korean: Callable[[int], bool] = lambda n: n % 3 == 0,
) -> None:
    for n in range(count):
        await repo_settings.save_guild_settings(
            db,
            guild_id=guild(n),
            channel_id=channel(n),
            channel_kind="announcement" if announcement(n) else "text",
            role_id=role(n) if with_role(n) else None,
            language="ko" if korean(n) else "en",
            now=clock(),
        )


async def publish(db: Database, clock: FakeClock, token: str = "preview-0001") -> Published:
    await repo_previews.create_preview(db, token=token, author_id=1, draft=DRAFT, now=clock())
    result = await repo_previews.publish_preview(db, token, clock())
    assert isinstance(result, Published)
    return result


async def test_publish_to_n_servers_sends_exactly_n_messages(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 40, clock)
    published = await publish(db, clock)
    assert published.deliveries == 40
    assert discord.calls == []  # publishing only writes the outbox

    await make_worker(db, discord, clock).run_until_idle()

    assert discord.count("send") == 40 and len(discord.messages) == 40
    for n in range(40):
        [message] = discord.in_channel(channel(n))
        if n % 2 == 0:
            assert message.content == f"<@&{role(n)}>"
            assert message.allowed_mentions == {"parse": [], "roles": [role(n)]}
        else:
            assert message.content is None and message.allowed_mentions == {"parse": []}
        assert ("이번 주" in message.descriptions[0]) == (n % 3 == 0)
    counts = await repo_ledger.delivery_counts(db, published.update.update_id)
    assert (counts.total, counts.delivered, counts.failed, counts.pending) == (40, 40, 0, 0)
    assert counts.finished and counts.summary() == "Delivered 40 / 40 · 0 failed"
    rows = await repo_ledger.list_deliveries(db, published.update.update_id)
    assert {r.message_id for r in rows} == set(discord.messages)
    assert all(r.status is DeliveryStatus.SENT for r in rows)
    settings = await repo_settings.get_guild_settings(db, guild(0))
    assert settings is not None and settings.last_delivery_status == "sent"


async def test_forbidden_marks_the_server_and_the_others_still_get_it(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 10, clock)
    discord.failures[channel(3)] = [Permanent(50013, "HTTP 403: Missing Permissions (50013)")]
    first = await publish(db, clock)
    await make_worker(db, discord, clock).run_until_idle()

    assert len(discord.messages) == 9 and discord.in_channel(channel(3)) == []
    report = await repo_ledger.delivery_report(db, first.update.update_id)
    assert report is not None
    assert report.counts.delivered == 9 and report.counts.failed == 1
    [failure] = report.failures
    assert (failure.guild_id, failure.code) == (guild(3), 50013)
    assert "Missing Permissions" in failure.reason
    broken = await repo_settings.get_guild_settings(db, guild(3))
    assert broken is not None and broken.needs_attention and broken.attention_code == 50013

    # Stop sending there: the next update skips the server entirely.
    discord.calls.clear()
    second = await publish(db, clock, token="preview-0002")
    assert second.deliveries == 9
    await make_worker(db, discord, clock).run_until_idle()
    assert channel(3) not in [c for _, c in discord.calls]

    # The admins are told once, the next time anyone in the server uses the bot.
    notice = await repo_settings.take_attention_notice(db, guild(3), clock())
    assert notice is not None and notice.attention_reason is not None
    assert await repo_settings.take_attention_notice(db, guild(3), clock()) is None
    assert await repo_settings.take_attention_notice(db, guild(4), clock()) is None

    # Fixing the setup clears it, and the server is subscribed again.
    await repo_settings.save_guild_settings(
        db,
        guild_id=guild(3),
        channel_id=channel(33),
        channel_kind="text",
        role_id=None,
        language=None,
        now=clock(),
    )
    fixed = await repo_settings.get_guild_settings(db, guild(3))
    assert fixed is not None and not fixed.needs_attention


async def test_transient_errors_back_off_then_succeed(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 3, clock)
    discord.failures[channel(1)] = [Transient("HTTP 503"), Transient("HTTP 502")]
    update = (await publish(db, clock)).update
    worker = make_worker(db, discord, clock)
    key = DeliveryKey(update.update_id, guild(1))

    await worker.run_until_idle()
    first = await repo_ledger.get_delivery(db, key)
    assert first is not None and first.status is DeliveryStatus.RETRYING
    assert first.attempts == 1 and first.last_error == "HTTP 503"
    wait_1 = first.next_attempt_at - clock()
    assert 2.5 <= wait_1 <= 5.0

    await worker.run_until_idle()  # not due yet: nothing happens
    assert discord.count("send") == 3

    clock.advance(wait_1)
    await worker.run_until_idle()
    second = await repo_ledger.get_delivery(db, key)
    assert second is not None and second.attempts == 2
    assert 5.0 <= second.next_attempt_at - clock() <= 10.0  # the wait doubled

    clock.advance(10.0)
    await worker.run_until_idle()
    done = await repo_ledger.get_delivery(db, key)
    assert done is not None and done.status is DeliveryStatus.SENT and done.message_id
    assert len(discord.in_channel(channel(1))) == 1


async def test_transient_errors_fail_for_good_after_the_limit(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 2, clock)
    discord.failures[channel(0)] = [Transient("HTTP 500")] * 10
    update = (await publish(db, clock)).update
    worker = make_worker(db, discord, clock)  # max_attempts=4
    for _ in range(6):
        await worker.run_until_idle()
        clock.advance(3600)
    row = await repo_ledger.get_delivery(db, DeliveryKey(update.update_id, guild(0)))
    assert row is not None and row.status is DeliveryStatus.FAILED
    assert row.attempts == 4 and row.last_error == "gave up after 4 attempts: HTTP 500"
    assert discord.calls.count(("send", channel(0))) == 4
    settings = await repo_settings.get_guild_settings(db, guild(0))
    assert settings is not None and not settings.needs_attention  # an outage is not their fault
    counts = await repo_ledger.delivery_counts(db, update.update_id)
    assert (counts.delivered, counts.failed, counts.finished) == (1, 1, True)


async def test_rate_limited_is_rescheduled_without_burning_an_attempt(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 2, clock)
    discord.failures[channel(1)] = [RateLimited(120.0)] * 6
    update = (await publish(db, clock)).update
    worker = make_worker(db, discord, clock)
    key = DeliveryKey(update.update_id, guild(1))
    for _ in range(6):
        await worker.run_until_idle()
        row = await repo_ledger.get_delivery(db, key)
        assert row is not None and row.status is DeliveryStatus.RETRYING and row.attempts == 0
        assert row.next_attempt_at - clock() >= 120.0
        clock.advance(121.5)
    await worker.run_until_idle()
    row = await repo_ledger.get_delivery(db, key)
    assert row is not None and row.status is DeliveryStatus.SENT  # six 429s did not exhaust it


async def test_lost_reply_is_retried_with_the_same_nonce_and_not_double_posted(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 3, clock)
    discord.lost_replies[channel(2)] = Transient("connection reset (outcome unknown)")
    await publish(db, clock)
    worker = make_worker(db, discord, clock)
    await worker.run_until_idle()
    clock.advance(60)
    await worker.run_until_idle()
    assert len(discord.in_channel(channel(2))) == 1
    assert discord.nonce_reuse == 1 and len(discord.messages) == 3


async def test_crash_mid_delivery_then_restart_loses_nothing_and_doubles_nothing(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 60, clock)
    update = (await publish(db, clock)).update
    discord.hang_after_sends = 17  # the 17th message is created but its reply never arrives
    crashed = make_worker(db, discord, clock, max_in_flight=5)
    task = asyncio.create_task(crashed.run())
    await asyncio.wait_for(discord.hanging.wait(), timeout=30)
    await asyncio.sleep(0.05)  # let the other in-flight sends hang too
    task.cancel()  # like kill -9: no clean-up, claims stay in the database
    with pytest.raises(asyncio.CancelledError):
        await task
    claimed = await repo_ledger.list_deliveries(db, update.update_id)
    assert any(r.claimed_by == crashed.worker_id for r in claimed)

    discord.hang_after_sends = None
    restarted = make_worker(db, discord, clock)
    await restarted.run_until_idle()
    counts = await repo_ledger.delivery_counts(db, update.update_id)
    assert counts.delivered < 60  # claims of the dead worker are still held ...

    clock.advance(WorkerConfig().lease + 1)  # ... until their lease runs out
    await restarted.run_until_idle()
    counts = await repo_ledger.delivery_counts(db, update.update_id)
    assert (counts.delivered, counts.pending, counts.failed) == (60, 0, 0)
    for n in range(60):
        assert len(discord.in_channel(channel(n))) == 1  # exactly once per server
    # The messages whose replies were lost were re-sent with their nonce and deduplicated.
    assert discord.nonce_reuse >= 1
    assert discord.count("send") == 60 + discord.nonce_reuse


async def test_two_workers_on_one_database_send_each_server_once(
    db: Database, discord: FakeDiscord, clock: FakeClock, store_target: Path | str
) -> None:
    await subscribe(db, 80, clock)
    await publish(db, clock)
    # A second process: its own connections to the same database.
    other_db = await Database.open(store_target)
    try:
        first = make_worker(db, discord, clock, max_in_flight=4)
        second = make_worker(other_db, discord, clock, max_in_flight=4)
        third = make_worker(db, discord, clock, max_in_flight=4)
        await asyncio.gather(
            first.run_until_idle(), second.run_until_idle(), third.run_until_idle()
        )
    finally:
        await other_db.close()
    assert len(discord.messages) == 80 and discord.count("send") == 80
    assert discord.nonce_reuse == 0
    assert first.stats.sends + second.stats.sends + third.stats.sends == 80


async def test_claims_are_exclusive_until_their_lease_expires(
    db: Database, clock: FakeClock, store_target: Path | str
) -> None:
    await subscribe(db, 30, clock)
    await publish(db, clock)
    other_db = await Database.open(store_target)
    try:
        claims = await asyncio.gather(
            *(
                repo_claims.claim_due(handle, worker_id=f"w{i}", now=clock(), lease=60.0, limit=8)
                for i, handle in enumerate([db, other_db, db, other_db])
            )
        )
    finally:
        await other_db.close()
    keys = [(d.update_id, d.guild_id) for batch in claims for d in batch]
    assert len(keys) == 30 and len(set(keys)) == 30  # 4 x 8 asked, 30 exist, none twice
    assert (
        await repo_claims.claim_due(db, worker_id="late", now=clock(), lease=60.0, limit=50) == []
    )
    clock.advance(60.0)
    retaken = await repo_claims.claim_due(db, worker_id="late", now=clock(), lease=60.0, limit=50)
    assert len(retaken) == 30 and all(d.claimed_by == "late" for d in retaken)


async def test_edit_and_retract_reach_every_delivered_copy(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 12, clock)
    update = (await publish(db, clock)).update
    worker = make_worker(db, discord, clock)
    await worker.run_until_idle()

    clock.advance(3600)
    corrected = UpdateDraft(
        title=DRAFT.title,
        body=LocalizedText("Filming begins next week.", "다음 주 촬영 시작."),
        confidence="reported",
        source_url=DRAFT.source_url,
        season=2,
        season_status="pre_production",
    )
    edited = await repo_updates.edit_update(
        db, update.update_id, corrected, editor_id=2, now=clock(), expected_revision=1
    )
    assert isinstance(edited, Edited) and edited.copies_queued == 12
    stale = await repo_updates.edit_update(
        db, update.update_id, DRAFT, editor_id=3, now=clock(), expected_revision=1
    )
    assert isinstance(stale, RevisionConflict) and stale.current.revision == 2
    await worker.run_until_idle()
    assert len(discord.messages) == 12 and discord.count("edit") == 12
    for n in range(12):
        [message] = discord.in_channel(channel(n))
        korean = n % 3 == 0
        assert message.edits == 1
        assert ("다음 주" if korean else "next week") in message.descriptions[0]
        corrected_word = "정정됨" if korean else "Corrected"
        assert f"{corrected_word} <t:{int(clock())}:D>" in message.descriptions[0]
    counts = await repo_ledger.delivery_counts(db, update.update_id)
    assert counts.up_to_date == 12 and counts.edits_pending == 0

    retracted = await repo_updates.retract_update(
        db, update.update_id, reason="the report was wrong", retracted_by=2, now=clock()
    )
    assert isinstance(retracted, Retracted) and retracted.copies_queued == 12
    again = await repo_updates.retract_update(
        db, update.update_id, reason="x", retracted_by=2, now=clock()
    )
    assert isinstance(again, AlreadyRetracted)
    await worker.run_until_idle()
    assert len(discord.messages) == 12  # nothing deleted, nothing new
    for message in discord.messages.values():
        assert message.edits == 2 and message.descriptions == []
        assert message.content is not None and "the report was wrong" in message.content
        assert message.allowed_mentions == {"parse": []}
    edit_after = await repo_updates.edit_update(
        db, update.update_id, DRAFT, editor_id=2, now=clock()
    )
    assert isinstance(edit_after, AlreadyRetracted)
    assert isinstance(
        await repo_updates.edit_update(db, 999, DRAFT, editor_id=2, now=clock()), UnknownUpdate
    )


async def test_retract_before_delivery_cancels_unsent_copies(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 5, clock)
    update = (await publish(db, clock)).update
    result = await repo_updates.retract_update(
        db, update.update_id, reason="posted by mistake", retracted_by=1, now=clock()
    )
    assert isinstance(result, Retracted) and result.sends_cancelled == 5
    await make_worker(db, discord, clock).run_until_idle()
    assert discord.calls == []
    counts = await repo_ledger.delivery_counts(db, update.update_id)
    assert (counts.cancelled, counts.delivered, counts.finished) == (5, 0, True)


async def test_preview_tokens_make_publish_and_cancel_idempotent(
    db: Database, clock: FakeClock
) -> None:
    await subscribe(db, 3, clock)
    await repo_previews.create_preview(db, token="preview-A", author_id=1, draft=DRAFT, now=clock())
    first = await repo_previews.publish_preview(db, "preview-A", clock())
    second = await repo_previews.publish_preview(db, "preview-A", clock())
    assert isinstance(first, Published)
    assert second == AlreadyPublished(first.update.update_id)
    assert (
        await repo_previews.cancel_preview(db, "preview-A", clock()) == second
    )  # Cancel after Publish
    assert len(await repo_ledger.recent_updates(db)) == 1

    await repo_previews.create_preview(db, token="preview-B", author_id=1, draft=DRAFT, now=clock())
    assert await repo_previews.cancel_preview(db, "preview-B", clock()) == Cancelled()
    assert await repo_previews.publish_preview(db, "preview-B", clock()) == PreviewCancelled()

    await repo_previews.create_preview(
        db, token="preview-C", author_id=1, draft=DRAFT, now=clock(), ttl=60
    )
    late = await repo_previews.publish_preview(db, "preview-C", clock() + 61)
    assert isinstance(late, PreviewExpired)
    assert await repo_previews.publish_preview(db, "no-such-token", clock()) == UnknownPreview()
    summaries = await repo_ledger.recent_updates(db)
    assert len(summaries) == 1 and summaries[0].counts.total == 3


async def test_announcement_channels_are_crossposted_within_the_hourly_cap(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 4, clock, announcement=lambda n: n < 2)
    worker = make_worker(db, discord, clock, crossposts_per_hour=2)
    updates = []
    for i in range(3):
        updates.append((await publish(db, clock, token=f"preview-{i:04d}")).update)
        await worker.run_until_idle()
        clock.advance(60)
    crossposted = [m for m in discord.messages.values() if m.crossposted]
    assert {m.channel_id for m in crossposted} == {channel(0), channel(1)}
    assert len(crossposted) == 4  # two per channel this hour; the third waits its turn
    waiting = await repo_ledger.get_delivery(db, DeliveryKey(updates[2].update_id, guild(0)))
    assert waiting is not None and waiting.crosspost is CrosspostState.PENDING
    assert waiting.crosspost_next_at is not None and waiting.crosspost_next_at >= T0 + 3600
    text_row = await repo_ledger.get_delivery(db, DeliveryKey(updates[2].update_id, guild(3)))
    assert text_row is not None and text_row.crosspost is CrosspostState.NONE

    clock.advance(3600)
    await worker.run_until_idle()
    assert sum(1 for m in discord.messages.values() if m.crossposted) == 6
    counts = await repo_ledger.delivery_counts(db, updates[2].update_id)
    assert counts.crosspost_done == 2 and counts.finished


async def test_a_row_that_raises_does_not_stop_the_others(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 6, clock)
    discord.failures[channel(4)] = [RuntimeError("bug in the adapter")]
    update = (await publish(db, clock)).update
    worker = make_worker(db, discord, clock)
    await worker.run_until_idle()
    assert len(discord.messages) == 5 and worker.stats.errors == 1
    row = await repo_ledger.get_delivery(db, DeliveryKey(update.update_id, guild(4)))
    assert row is not None and row.status is DeliveryStatus.RETRYING
    assert row.last_error is not None and "bug in the adapter" in row.last_error
    clock.advance(60)
    await worker.run_until_idle()
    assert len(discord.messages) == 6


async def test_background_worker_reports_progress_and_stops_cleanly(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 25, clock)
    reports: list[DeliveryCounts] = []
    finished = asyncio.Event()

    async def on_progress(counts: DeliveryCounts) -> None:
        reports.append(counts)
        if counts.finished:
            finished.set()

    worker = DeliveryWorker(
        db,
        discord,
        fast_limiter(),
        config=WorkerConfig(progress_interval=0.01, poll_interval=0.05),
        clock=clock,
        on_progress=on_progress,
    )
    await worker.start()
    update = (await publish(db, clock)).update
    worker.wake()
    await asyncio.wait_for(finished.wait(), timeout=30)
    await worker.stop()
    assert not worker.running
    assert reports[-1].update_id == update.update_id and reports[-1].delivered == 25
    assert len(discord.messages) == 25
    leftover = await repo_ledger.list_deliveries(db, update.update_id)
    assert all(r.claimed_by is None for r in leftover)


async def test_switching_a_server_off_cancels_its_queued_sends(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 4, clock)
    update = (await publish(db, clock)).update
    assert await repo_settings.switch_off_guild(db, guild(1), clock()) == 1
    await make_worker(db, discord, clock).run_until_idle()
    assert discord.in_channel(channel(1)) == [] and len(discord.messages) == 3
    next_update = await publish(db, clock, token="preview-0009")
    assert next_update.deliveries == 3
    counts = await repo_ledger.delivery_counts(db, update.update_id)
    assert counts.cancelled == 1


async def test_status_updates_join_the_renewal_timeline_until_retracted(
    db: Database, clock: FakeClock
) -> None:
    update = (await publish(db, clock)).update
    additions = timeline_additions(await repo_ledger.season_status_updates(db))
    [event] = additions.events[2]
    assert (event.status, event.confidence, event.summary.ko) == (
        "filming",
        "reported",
        "시즌 2 촬영 시작",
    )
    [source] = additions.sources
    assert event.sources == [source.id] and source.url == DRAFT.source_url
    assert source.outlet == "example.com" and not source.official

    await repo_updates.retract_update(
        db, update.update_id, reason="wrong", retracted_by=1, now=clock()
    )
    assert timeline_additions(await repo_ledger.season_status_updates(db)).events == {}


class GatedLimiter:
    """Holds every request until opened, like a long per-channel wait would."""

    def __init__(self, expected: int) -> None:
        self.opened = asyncio.Event()
        self.all_waiting = asyncio.Event()
        self.expected = expected
        self.waiting = 0

    async def acquire(self, channel_id: int) -> None:
        self.waiting += 1
        if self.waiting == self.expected:
            self.all_waiting.set()
        await self.opened.wait()


async def test_a_claim_that_lapses_in_the_limiter_is_not_sent_twice(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 6, clock)
    await publish(db, clock)
    gate = GatedLimiter(expected=6)
    slow = DeliveryWorker(
        db,
        discord,
        gate,  # type: ignore[arg-type]
        config=WorkerConfig(lease=10.0, op_timeout=5.0, max_in_flight=6),
        clock=clock,
        rng=random.Random(1),
    )
    slow_run = asyncio.create_task(slow.run_until_idle())
    await asyncio.wait_for(gate.all_waiting.wait(), 10)  # all six claimed, parked in the limiter
    clock.advance(60.0)  # the slow worker's leases lapse...
    fast = make_worker(db, discord, clock)
    await fast.run_until_idle()  # ...and another worker delivers them
    gate.opened.set()
    await slow_run
    assert discord.count("send") == 6 and len(discord.messages) == 6
    assert slow.stats.sends == 0 and slow.stats.lost_claims == 6


# ---------------------------------------------------------------- claims of dead processes

REPO_ROOT = Path(__file__).resolve().parents[2]
# A real process that reports the worker id it would claim rows with, then waits for stdin.
ID_REPORTER = (
    "import sys; from bot.production.worker import default_worker_id; "
    "print(default_worker_id(), flush=True); sys.stdin.read()"
)


async def start_id_reporter() -> tuple[str, asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        ID_REPORTER,
        cwd=REPO_ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    worker_id = (await asyncio.wait_for(process.stdout.readline(), 60)).decode().strip()
    return worker_id, process


async def worker_id_of_a_dead_process() -> str:
    worker_id, process = await start_id_reporter()
    process.kill()  # kill -9: its claims stay in the database
    await process.wait()
    return worker_id


async def send_as_the_dead_worker(discord: FakeDiscord, db: Database, key: DeliveryKey) -> None:
    """The dead worker's request reached Discord, but it died before recording the reply."""
    delivery = await repo_ledger.get_delivery(db, key)
    update = await repo_updates.get_update(db, key.update_id)
    assert delivery is not None and update is not None
    message = build_post(update, delivery.language, delivery.role_id)
    await discord.send(delivery.channel_id, message, delivery.nonce)


async def holders(db: Database) -> dict[str, int]:
    return await repo_claims.claim_holders(db, now=T0)


async def test_claims_of_a_process_that_died_on_this_host_are_recovered_at_start(
    db: Database, discord: FakeDiscord, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    await subscribe(db, 10, clock)
    update = (await publish(db, clock)).update
    dead = await worker_id_of_a_dead_process()
    held = await repo_claims.claim_due(
        db, worker_id=dead, now=clock(), lease=WorkerConfig().lease, limit=6
    )
    await send_as_the_dead_worker(discord, db, DeliveryKey.of(held[0]))

    restarted = make_worker(db, discord, clock)
    with caplog.at_level(logging.WARNING, logger="bot.production.worker"):
        await restarted.run_until_idle()  # the clock never moves: no lease runs out

    counts = await repo_ledger.delivery_counts(db, update.update_id)
    assert (counts.delivered, counts.pending, counts.failed) == (10, 0, 0)
    for n in range(10):
        assert len(discord.in_channel(channel(n))) == 1
    assert discord.nonce_reuse == 1  # the send in flight at the crash was deduplicated
    assert f"recovered 6 claimed rows from dead worker {dead}" in caplog.text


async def test_a_reused_pid_does_not_keep_the_dead_workers_claims_alive(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 4, clock)
    update = (await publish(db, clock)).update
    # An earlier process had this test's pid: same host and pid, another start time.
    earlier = replace(WorkerIdentity.current(), start="1")
    await repo_claims.claim_due(db, worker_id=str(earlier), now=clock(), lease=90.0, limit=4)

    await make_worker(db, discord, clock).run_until_idle()

    assert (await repo_ledger.delivery_counts(db, update.update_id)).delivered == 4
    assert len(discord.messages) == 4


async def test_claims_of_live_or_unknowable_workers_wait_for_their_lease(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 12, clock)
    update = (await publish(db, clock)).update
    dead = WorkerIdentity.parse(await worker_id_of_a_dead_process())
    assert dead is not None
    live_id, live_process = await start_id_reporter()
    left_alone = [
        str(WorkerIdentity.current()),  # another worker in this process, maybe mid-send
        live_id,  # another bot on this machine
        str(replace(dead, host="another-host")),  # its processes are invisible from here
        str(replace(dead, kernel="0badc0de.4026532000")),  # a container with the same hostname
        "legacy-worker-id",  # nothing to check it against
    ]
    try:
        for holder in left_alone:
            await repo_claims.claim_due(db, worker_id=holder, now=clock(), lease=90.0, limit=2)

        await make_worker(db, discord, clock).run_until_idle()

        assert await holders(db) == dict.fromkeys(left_alone, 2)
        assert len(discord.messages) == 2  # only the two rows nobody held
    finally:
        live_process.kill()
        await live_process.wait()

    # Once the other bot is gone, the next start frees its rows without waiting.
    await make_worker(db, discord, clock).run_until_idle()
    assert live_id not in await holders(db)
    assert len(discord.messages) == 4

    clock.advance(WorkerConfig().lease + 1)  # the rest only when their lease runs out
    await make_worker(db, discord, clock).run_until_idle()
    assert (await repo_ledger.delivery_counts(db, update.update_id)).delivered == 12
    assert discord.count("send") == 12 and discord.nonce_reuse == 0


async def test_a_running_worker_takes_over_from_a_worker_that_died_meanwhile(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 5, clock)
    worker = make_worker(db, discord, clock, poll_interval=60.0, recovery_interval=0.0)
    await worker.start()
    try:
        await asyncio.sleep(0.1)  # idle: nothing is queued yet
        update = (await publish(db, clock)).update
        dead = await worker_id_of_a_dead_process()
        await repo_claims.claim_due(db, worker_id=dead, now=clock(), lease=90.0, limit=5)
        worker.wake()
        for _ in range(500):
            if (await repo_ledger.delivery_counts(db, update.update_id)).finished:
                break
            await asyncio.sleep(0.02)
    finally:
        await worker.stop()
    assert (await repo_ledger.delivery_counts(db, update.update_id)).delivered == 5
    assert len(discord.messages) == 5


async def test_a_retraction_looks_for_copies_of_failed_sends_and_cancels_if_none(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    """Sends that failed for good may still have landed: a retraction looks for each copy
    (found: edited to the notice; none: cancelled) and never sends one."""
    await subscribe(db, 2, clock)
    discord.failures[channel(0)] = [Transient("HTTP 503")] * 4  # never landed
    discord.lost_replies[channel(1)] = Transient("connection reset (outcome unknown)")
    update = (await publish(db, clock)).update
    worker = make_worker(db, discord, clock, retry=RetryPolicy(base_delay=5.0, max_attempts=1))
    await worker.run_until_idle()
    counts = await repo_ledger.delivery_counts(db, update.update_id)
    assert (counts.delivered, counts.failed) == (0, 2)  # one of them is in the channel though
    sends = discord.count("send")

    retracted = await repo_updates.retract_update(
        db, update.update_id, reason="not true", retracted_by=1, now=clock()
    )
    assert isinstance(retracted, Retracted)
    await worker.run_until_idle()
    assert discord.count("send") == sends and discord.count("find") == 2
    assert discord.in_channel(channel(0)) == []
    [notice] = discord.in_channel(channel(1))
    assert notice.content is not None and "not true" in notice.content
    counts = await repo_ledger.delivery_counts(db, update.update_id)
    assert (counts.delivered, counts.failed, counts.cancelled) == (1, 0, 1)
    assert counts.up_to_date == 1 and counts.finished


async def test_retry_requeues_failed_copies_but_not_servers_that_would_fail_again(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    await subscribe(db, 4, clock)
    for n in (0, 1, 2):
        discord.failures[channel(n)] = [Transient("HTTP 503")]  # one outage, one attempt
    update = (await publish(db, clock)).update
    worker = make_worker(db, discord, clock, retry=RetryPolicy(base_delay=5.0, max_attempts=1))
    await worker.run_until_idle()
    # Server 1 later needs attention (its channel broke), server 2 switched updates off.
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE guild_settings SET attention_reason = 'x', attention_since = 1"
            " WHERE guild_id = ?",
            (guild(1),),
        )
    await repo_settings.switch_off_guild(db, guild(2), clock())
    clock.advance(600)

    result = await repo_deliveries.requeue_failed(db, update.update_id, now=clock())
    assert (result.sends, result.edits, result.skipped) == (1, 0, 2)
    await worker.run_until_idle()
    assert len(discord.in_channel(channel(0))) == 1
    assert discord.in_channel(channel(1)) == [] and discord.in_channel(channel(2)) == []
    nothing = await repo_deliveries.requeue_failed(db, update.update_id, now=clock())
    assert (nothing.sends, nothing.edits, nothing.skipped) == (0, 0, 2)


async def test_an_edit_skipped_for_a_server_needing_attention_counts_as_failed(
    db: Database, discord: FakeDiscord, clock: FakeClock
) -> None:
    """Its copy still shows the old text: it must not count as up to date, and a retry
    after the fix brings it up to date."""
    await subscribe(db, 2, clock)
    update = (await publish(db, clock)).update
    worker = make_worker(db, discord, clock)
    await worker.run_until_idle()
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE guild_settings SET attention_reason = 'Missing Access', attention_since = 1"
            " WHERE guild_id = ?",
            (guild(0),),
        )
    corrected = UpdateDraft(
        title=LocalizedText("Filming moved"), body=DRAFT.body, confidence="official"
    )
    edited = await repo_updates.edit_update(
        db, update.update_id, corrected, editor_id=2, now=clock()
    )
    assert isinstance(edited, Edited) and edited.copies_queued == 1
    await worker.run_until_idle()
    counts = await repo_ledger.delivery_counts(db, update.update_id)
    assert (counts.up_to_date, counts.edits_failed) == (1, 1)
    report = await repo_ledger.delivery_report(db, update.update_id)
    assert report is not None and report.failures[0].reason == "not updated: Missing Access"

    await repo_settings.save_guild_settings(  # the admin fixed it (/setup clears the flag)
        db,
        guild_id=guild(0),
        channel_id=channel(0),
        channel_kind="text",
        role_id=role(0),
        language=None,
        now=clock(),
    )
    result = await repo_deliveries.requeue_failed(db, update.update_id, now=clock())
    assert (result.sends, result.edits, result.skipped) == (0, 1, 0)
    await worker.run_until_idle()
    counts = await repo_ledger.delivery_counts(db, update.update_id)
    assert (counts.up_to_date, counts.edits_failed) == (2, 0)
