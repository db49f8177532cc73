"""The sender lease on a real SQLite file shared by several connections (what several bot
processes on one database are): take, renew, expire, take over, never two holders; and the
IDENTIFY slots the processes book in the same database."""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.production import repo_claims, repo_lease, repo_previews, repo_settings
from bot.production.models import LocalizedText, Published, UpdateDraft
from bot.production.sender import SenderLease, holder_is_dead
from bot.production.worker import WorkerIdentity
from bot.store.database import Database
from bot.store.migrate import migrate

TTL = 15.0
DRAFT = UpdateDraft(
    title=LocalizedText("Season 2"), body=LocalizedText("Confirmed."), confidence="official"
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def connections(store_target: Path | str) -> AsyncIterator[list[Database]]:
    """Four independent openings of one database: four processes' view of it."""
    path = store_target
    first = await Database.open(path)
    await migrate(first)
    others = [await Database.open(path) for _ in range(3)]
    yield [first, *others]
    for db in [first, *others]:
        await db.close()


async def test_the_first_taker_holds_it_and_others_see_who(connections: list[Database]) -> None:
    a, b, *_ = connections
    taken = await repo_lease.take_or_renew(a, "A", now=100.0, ttl=TTL)
    assert (taken.ours, taken.holder, taken.expires_at, taken.term) == (True, "A", 115.0, 1)
    refused = await repo_lease.take_or_renew(b, "B", now=110.0, ttl=TTL)
    assert (refused.ours, refused.holder, refused.expires_at) == (False, "A", 115.0)
    assert await repo_lease.current(b) == repo_lease.Lease("A", 115.0, 1, ours=False)


async def test_renewing_extends_the_same_term(connections: list[Database]) -> None:
    a, b, *_ = connections
    await repo_lease.take_or_renew(a, "A", now=100.0, ttl=TTL)
    renewed = await repo_lease.take_or_renew(a, "A", now=112.0, ttl=TTL)
    assert (renewed.ours, renewed.expires_at, renewed.term) == (True, 127.0, 1)
    # Past the first expiry, but renewed: still A's.
    assert not (await repo_lease.take_or_renew(b, "B", now=120.0, ttl=TTL)).ours


async def test_an_expired_lease_is_taken_over_with_a_new_term(
    connections: list[Database],
) -> None:
    a, b, *_ = connections
    await repo_lease.take_or_renew(a, "A", now=100.0, ttl=TTL)
    assert not (await repo_lease.take_or_renew(b, "B", now=114.9, ttl=TTL)).ours
    stolen = await repo_lease.take_or_renew(b, "B", now=115.0, ttl=TTL)
    assert (stolen.ours, stolen.holder, stolen.term, stolen.taken_from) == (True, "B", 2, "A")
    late = await repo_lease.take_or_renew(a, "A", now=116.0, ttl=TTL)  # A wakes up: too late
    assert (late.ours, late.holder) == (False, "B")


async def test_a_released_lease_is_free_at_once(connections: list[Database]) -> None:
    a, b, *_ = connections
    await repo_lease.take_or_renew(a, "A", now=100.0, ttl=TTL)
    assert not await repo_lease.release(b, "B")  # not B's to give
    assert await repo_lease.release(a, "A")
    assert (await repo_lease.take_or_renew(b, "B", now=101.0, ttl=TTL)).ours


async def test_a_dead_holder_is_replaced_before_its_lease_expires(
    connections: list[Database],
) -> None:
    a, b, *_ = connections
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await process.wait()  # its pid is free now: the process is provably gone
    dead = str(replace(WorkerIdentity.current(), pid=process.pid))
    alive = str(WorkerIdentity.current())
    await repo_lease.take_or_renew(a, dead, now=100.0, ttl=TTL)
    taken = await repo_lease.take_or_renew(b, "B", now=101.0, ttl=TTL, is_dead=holder_is_dead)
    assert (taken.ours, taken.taken_from) == (True, dead)
    # A live holder (this very process) keeps it until it expires.
    await repo_lease.release(b, "B")
    await repo_lease.take_or_renew(a, alive, now=200.0, ttl=TTL)
    kept = await repo_lease.take_or_renew(b, "C", now=201.0, ttl=TTL, is_dead=holder_is_dead)
    assert (kept.ours, kept.holder) == (False, alive)


async def test_never_two_holders_while_four_connections_race(
    connections: list[Database],
) -> None:
    """Four contenders on four connections grab for the lease at the same moments, over and
    over, while time runs past expiries: each moment ends with exactly one holder, and the
    tenures handed out never overlap."""
    names = ["A", "B", "C", "D"]
    tenures: list[tuple[str, float, float]] = []  # (holder, from, until) as granted
    ttl = 1.0
    # At every 2 s window the holder drops out (stops renewing), and so does everyone who
    # held it before until all four have had a turn: the lease changes hands whoever wins
    # each race, so the test does not depend on how the tasks are scheduled.
    retired: set[str] = set()
    window = -1
    for now in (step * 0.4 for step in range(80)):
        if int(now // 2) != window:
            window = int(now // 2)
            last = await repo_lease.current(connections[0])
            if last is not None:
                retired = set() if len(retired | {last.holder}) == len(names) else retired
                retired.add(last.holder)
        contenders = [
            (db, name) for db, name in zip(connections, names, strict=True) if name not in retired
        ]
        results = await asyncio.gather(
            *(repo_lease.take_or_renew(db, name, now=now, ttl=ttl) for db, name in contenders)
        )
        ours = [lease for lease in results if lease.ours]
        assert len(ours) <= 1, ours
        holder = (await repo_lease.current(connections[0])) or pytest.fail("no lease row")
        for lease in ours:
            tenures.append((lease.holder, now, lease.expires_at))
        assert all(lease.holder == holder.holder for lease in results), results
    assert len({h for h, _, _ in tenures}) >= 3, "the lease should have changed hands"
    for (h1, _s1, e1), (h2, s2, _e2) in itertools.pairwise(tenures):
        if h1 != h2:
            assert s2 >= e1, f"{h2} took over at {s2} while {h1} held it until {e1}"


async def test_the_old_holder_stops_sending_before_anyone_may_take_over(
    connections: list[Database], caplog: pytest.LogCaptureFixture
) -> None:
    a_db, b_db, *_ = connections
    clock = Clock()
    events: list[str] = []

    def lease(db: Database, name: str) -> SenderLease:
        async def gain() -> None:
            events.append(f"{name} gains")

        async def lose() -> None:
            events.append(f"{name} loses")

        return SenderLease(
            db, name, on_gain=gain, on_loss=lose, ttl=15.0, renew_every=3.0, margin=3.0,
            clock=clock,
        )  # fmt: skip

    a, b = lease(a_db, "A"), lease(b_db, "B")
    with caplog.at_level("INFO", logger="bot.production.sender"):
        await a.tick()
        await b.tick()
        assert (a.holding, b.holding, events) == (True, False, ["A gains"])
        assert "this process (A) is now the sender (lease free)" in caplog.text
        assert "standby: A is the sender; this process (B) takes over" in caplog.text

        clock.now += 12.0  # A hangs: no renewal since the first tick
        assert not a.holding, "A must stop sending 3 s before its lease may be taken"
        await b.tick()
        assert not b.holding, "the lease has not expired yet"
        clock.now += 3.0
        await b.tick()
        assert b.holding and events == ["A gains", "B gains"]
        assert "this process (B) is now the sender (lease took over from A)" in caplog.text

        await a.tick()  # A comes back: it sees B and stops its send loop
        assert events == ["A gains", "B gains", "A loses"]
        assert "this process (A) stopped being the sender: B holds the lease now" in caplog.text

        await b.stop()  # clean stop: the lease is free for A at once
        await a.tick()
        assert a.holding and events[-2:] == ["B loses", "A gains"]
        await a.stop()


async def test_identify_slots_are_shared_between_connections(
    connections: list[Database],
) -> None:
    a, b, c, _ = connections
    now = time.time()
    first = await repo_lease.reserve_identify(a, 0, now=now, interval=5.25)
    second = await repo_lease.reserve_identify(b, 0, now=now + 0.1, interval=5.25)
    other_bucket = await repo_lease.reserve_identify(c, 1, now=now + 0.1, interval=5.25)
    assert (first, second, other_bucket) == (now, now + 5.25, now + 0.1)
    later = await repo_lease.reserve_identify(a, 0, now=now + 60, interval=5.25)
    assert later == now + 60  # a slot long past does not hold anyone back


async def test_the_new_sender_frees_the_old_senders_claims_at_once(
    connections: list[Database], caplog: pytest.LogCaptureFixture
) -> None:
    """A hung sender is alive (its claims can't be freed as a dead process's), but once its
    lease is taken it sends nothing more: its rows need not wait out their 90 s claims."""
    a_db, b_db, *_ = connections
    clock = Clock()
    for n in range(3):
        await repo_settings.save_guild_settings(
            a_db, guild_id=100 + n, channel_id=200 + n, channel_kind="text", role_id=None,
            language="en", now=clock(),
        )  # fmt: skip
    await repo_previews.create_preview(
        a_db, token="preview-0001", author_id=1, draft=DRAFT, now=clock()
    )
    assert isinstance(await repo_previews.publish_preview(a_db, "preview-0001", clock()), Published)

    async def nothing() -> None:
        pass

    a = SenderLease(a_db, "A", on_gain=nothing, on_loss=nothing, clock=clock)
    b = SenderLease(b_db, "B", on_gain=nothing, on_loss=nothing, clock=clock)
    await a.tick()
    assert (
        len(await repo_claims.claim_due(a_db, worker_id="A", now=clock(), lease=90, limit=3)) == 3
    )
    clock.now += 15.0  # A hung since: its lease has expired, its claims have 75 s to go
    with caplog.at_level("WARNING", logger="bot.production.sender"):
        await b.tick()
    assert b.holding
    assert "freed 3 rows claimed by the previous sender A" in caplog.text
    assert (
        len(await repo_claims.claim_due(b_db, worker_id="B", now=clock(), lease=90, limit=3)) == 3
    )


async def test_a_new_sender_pauses_for_what_remains_of_the_old_ones_second(
    connections: list[Database],
) -> None:
    """Discord counts the global limit over the last second, whichever process sent."""
    a_db, b_db, *_ = connections
    clock = Clock()
    pauses: list[float] = []

    async def nothing() -> None:
        return None

    def lease(db: Database, holder: str) -> SenderLease:
        return SenderLease(
            db, holder, on_gain=nothing, on_loss=nothing, clock=clock, on_takeover=pauses.append
        )

    a, b = lease(a_db, "A"), lease(b_db, "B")
    await a.tick()
    clock.now += a.ttl + 0.25  # A hung; its lease ran out 0.25 s ago
    await b.tick()
    assert b.holding and pauses == [0.75]
    await b.stop()

    # A holder killed with its lease still running may have sent a moment ago: a whole second.
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await process.wait()
    dead = str(replace(WorkerIdentity.current(), pid=process.pid))
    await repo_lease.take_or_renew(a_db, dead, now=clock(), ttl=15.0)
    clock.now += 2.0
    c = lease(b_db, "C")
    await c.tick()
    assert c.holding and pauses == [0.75, 1.0]
    await c.stop()  # a clean stop settles its own second (the cog's on_loss) and frees it
    d = lease(a_db, "D")
    await d.tick()
    assert d.holding and pauses == [0.75, 1.0], "a free lease is taken without a pause"
    await d.stop()
