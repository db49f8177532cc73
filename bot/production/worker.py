"""The delivery worker: drains the outbox into Discord, paced, idempotent and crash-safe.

Life cycle: ``await worker.start()`` (e.g. in a cog's ``cog_load`` or ``setup_hook``),
``worker.wake()`` after publishing, ``await worker.stop()`` on close. Starting is resuming: the
outbox is the only state, so rows left pending are picked up like any other. Rows claimed by a
process that died are freed at once when that process provably ran on this machine and is gone
(its worker id names host, pid and process start; see :class:`WorkerIdentity`); otherwise
their lease runs out first. ``await worker.run_until_idle()`` drives it to completion
without a background task (tests, benchmarks).

Each claimed row gets its own task. Every row's outcome is written back in its own transaction;
a row's exception is logged with the row and recorded as a transient failure, never allowed to
stop the worker or the other rows.

Exactly once past the nonce window: the row notes its first send attempt before the request
goes out (``send_attempted_at``). A send retried ``nonce_trust`` seconds or more after that
first reads the channel for the copy (``Transport.find_copy``, by the Notify button's marker)
and records it instead of posting; if the channel cannot be read (no Read Message History),
the copy fails with that reason rather than risk a second post. A retraction looks for the
copies of sends that may have landed and edits them to the notice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TypeVar

from bot.store.database import Database
from bot.store.notify import NoWakeSource, WakeSource

from . import repo_claims, repo_deliveries, repo_ledger, repo_results, repo_updates
from .compose import DEFAULT_LABELS, PostLabels, build_post
from .limiter import SendLimiter
from .models import CrosspostState, Delivery, DeliveryCounts, Language, Update
from .policy import RetryPolicy, needs_guild_attention
from .repo_rows import DeliveryKey
from .transport import (
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
    Transport,
    Unreadable,
)

log = logging.getLogger(__name__)


def log_ids(update_id: int, guild_id: int) -> dict[str, int]:
    """Structured ids on a delivery log line (JSON logs carry them as fields)."""
    return {"update_id": update_id, "guild_id": guild_id}


ProgressCallback = Callable[[DeliveryCounts], Awaitable[None]]
Clock = Callable[[], float]

CROSSPOST_WINDOW: Final = 3600.0
_UPDATE_CACHE_MAX: Final = 256
_R = TypeVar("_R")


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    max_in_flight: int = 25  # concurrent requests; at ~48/s and ~0.3 s each, 15 keep the pace
    lease: float = 90.0  # a claim outlives the slowest request (op_timeout + limiter waits)
    op_timeout: float = 45.0  # per request; then the outcome is unknown and the row retries
    poll_interval: float = 5.0  # look for work published by other processes at least this often
    progress_interval: float = 1.0  # at most one progress callback per update per interval
    # Besides at start-up, look this often for claims of processes that died on this machine,
    # so a second instance that keeps running takes over without waiting for their lease.
    recovery_interval: float = 10.0
    crossposts_per_hour: int = 9  # per channel; Discord is observed to allow ~10
    crosspost_retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(max_attempts=5))
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # How long after a copy's first send attempt its nonce is trusted to stop a second post.
    # Discord promises "the past few minutes"; past this, a send first reads the channel for
    # the copy (Transport.find_copy). Below the lease, so a crashed worker's row comes back
    # while its nonce still holds.
    nonce_trust: float = 120.0

    def __post_init__(self) -> None:
        if self.max_in_flight < 1 or self.lease <= self.op_timeout:
            raise ValueError("need max_in_flight >= 1 and lease > op_timeout")


@dataclass(slots=True)
class WorkerStats:
    """What this worker did, for logs and the benchmark."""

    sends: int = 0
    edits: int = 0
    crossposts: int = 0
    sent: int = 0
    edited: int = 0
    failed: int = 0
    retried: int = 0
    rate_limited: int = 0
    errors: int = 0  # exceptions inside the worker (bugs); the rows were retried
    lost_claims: int = 0  # rows another worker took over while this one waited
    lookups: int = 0  # channel reads for a copy whose earlier send may have landed
    found: int = 0  # copies found that way (recorded instead of posted again)


_PROC: Final = Path("/proc")


def _process_start(pid: int | str) -> str:
    """When the process started (clock ticks since boot, /proc/<pid>/stat field 22); "" if
    there is no such process or no /proc."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return ""
    # The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


def _kernel_marker() -> str:
    """Boot id + pid namespace: where a pid means the same process. Two containers that share
    a hostname (and the database file) differ here, and so does the machine after a reboot."""
    try:
        boot = (_PROC / "sys/kernel/random/boot_id").read_text().strip()[:8]
        namespace = os.stat(_PROC / "self/ns/pid").st_ino
    except OSError:
        return ""
    return f"{boot}.{namespace}"


@dataclass(frozen=True, slots=True)
class WorkerIdentity:
    """Who holds a claim, written as ``host:pid:random:kernel:start`` in ``claimed_by``.

    ``random`` keeps two workers of one process apart; ``kernel`` (see :func:`_kernel_marker`)
    says where ``pid`` can be looked up; ``start`` tells the process from a later one that got
    its pid. ``kernel`` and ``start`` are empty where /proc is missing.
    """

    host: str
    pid: int
    random: str
    kernel: str
    start: str

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.random}:{self.kernel}:{self.start}"

    @classmethod
    def current(cls) -> WorkerIdentity:
        """This process, with a fresh random part."""
        pid = os.getpid()
        return cls(
            socket.gethostname(), pid, uuid.uuid4().hex[:8], _kernel_marker(), _process_start(pid)
        )

    @classmethod
    def parse(cls, text: str) -> WorkerIdentity | None:
        """None for anything else (a test's "w1", an id from an older version)."""
        parts = text.rsplit(":", 4)
        if len(parts) != 5 or not parts[1].isdecimal() or int(parts[1]) <= 0:
            return None
        host, pid, random_part, kernel, start = parts
        return cls(host, int(pid), random_part, kernel, start)

    def is_provably_dead(self, here: WorkerIdentity) -> bool:
        """True only when certain: the holder ran where this process can see its pid, and that
        pid is free or belongs to a process started at another time. A live process (this one
        included: another worker in it may still be sending) and any other machine or
        container are never dead; their claims wait for the lease."""
        if (self.host, self.kernel) != (here.host, here.kernel):
            return False
        try:
            os.kill(self.pid, 0)  # signal 0: only asks whether the pid exists
        except ProcessLookupError:
            return True
        except PermissionError:
            pass  # it exists, owned by another user
        except OSError:
            return False
        current_start = _process_start(self.pid)
        # Empty: no /proc, or it exited just now (the next look will see that).
        return bool(self.start and current_start and current_start != self.start)


def default_worker_id() -> str:
    return str(WorkerIdentity.current())


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        transport: Transport,
        limiter: SendLimiter,
        *,
        config: WorkerConfig | None = None,
        clock: Clock = time.time,
        rng: random.Random | None = None,
        worker_id: str | None = None,
        on_progress: ProgressCallback | None = None,
        labels: Mapping[Language, PostLabels] = DEFAULT_LABELS,
        may_send: Callable[[], bool] | None = None,
        wakeups: WakeSource | None = None,
    ) -> None:
        self.db = db
        self.transport = transport
        self.limiter = limiter
        self.config = config or WorkerConfig()
        self.clock = clock  # wall-clock Unix seconds: stored in the database
        self.rng = rng or random.Random()
        self.worker_id = worker_id or default_worker_id()
        self.on_progress = on_progress
        self.labels = labels
        # Several processes on one database: only the sender-lease holder may send; checked
        # before claiming and again right before every request (see bot.production.sender).
        self.may_send = may_send or (lambda: True)
        # Work queued by other processes wakes the loop through this while it runs
        # (PostgreSQL's NOTIFY, see bot.production.outbox_wake); the poll is the safety net.
        self.wakeups = wakeups or NoWakeSource()
        self.stats = WorkerStats()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._changed = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._dirty: set[int] = set()
        self._reported_at: dict[int, float] = {}
        self._updates: dict[int, Update] = {}
        self._next_recovery = 0.0  # time.monotonic() of the next look for dead claims
        self.last_loop = time.monotonic()  # liveness: a stalled loop stops advancing this

    # ------------------------------------------------------------------ life cycle

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Run in the background until :meth:`stop`. Resumes whatever the outbox holds."""
        if self.running:
            return
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name=f"delivery-worker {self.worker_id}")
        await self.wakeups.start(self.wake)

    def wake(self) -> None:
        """New work was queued (publish, edit, retract): look now rather than at the next poll."""
        self._changed.set()

    async def stop(self, grace: float = 10.0) -> None:
        """Stop claiming, let requests in flight finish for up to ``grace`` seconds, then cancel
        them and hand their rows back so another worker need not wait for the lease."""
        self._stopping = True
        self._changed.set()
        await self.wakeups.stop()
        task, self._task = self._task, None
        if task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(task), grace)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        released = await repo_claims.release_claims(self.db, self.worker_id)
        if released:
            log.info("worker %s handed back %d unfinished rows", self.worker_id, released)
        await self._report_progress(force=True)

    async def run(self) -> None:
        """The long-running loop (``start`` runs it as a task). Cancelling it abandons the rows
        in flight exactly like a crash would: their claims expire and they are sent again."""
        await self._loop(until_idle=False)

    async def run_until_idle(self) -> None:
        """Work until nothing is due now and nothing is in flight (no background task)."""
        self._stopping = False
        await self._loop(until_idle=True)
        await self._report_progress(force=True)

    # ------------------------------------------------------------------ the loop

    async def recover_dead_claims(self) -> int:
        """Free, in one transaction, the rows held by workers whose process is provably dead
        (see :meth:`WorkerIdentity.is_provably_dead`); returns how many. Their sends whose
        outcome was unknown are retried with the row's nonce, so Discord deduplicates them."""
        here = WorkerIdentity.current()
        holders = await repo_claims.claim_holders(self.db, now=self.clock())
        dead = [
            holder
            for holder in holders
            if holder != self.worker_id
            and (identity := WorkerIdentity.parse(holder)) is not None
            and identity.is_provably_dead(here)
        ]
        recovered = await repo_claims.release_claims_of(self.db, dead)
        for holder, rows in recovered.items():
            log.warning(
                "worker %s recovered %d claimed rows from dead worker %s",
                self.worker_id,
                rows,
                holder,
            )
        return sum(recovered.values())

    async def _recover_now_and_then(self) -> None:
        if time.monotonic() < self._next_recovery:
            return
        self._next_recovery = time.monotonic() + self.config.recovery_interval
        try:
            await self.recover_dead_claims()
        except Exception:
            # Not fatal: those rows are still freed when their lease runs out.
            log.exception("worker %s could not look for claims of dead workers", self.worker_id)

    async def _loop(self, *, until_idle: bool) -> None:
        progress = None if until_idle else asyncio.create_task(self._progress_loop())
        self._next_recovery = 0.0  # starting is resuming: free dead processes' rows first
        try:
            while not self._stopping:
                self.last_loop = time.monotonic()
                self._changed.clear()
                await self._recover_now_and_then()
                free = self.config.max_in_flight - len(self._in_flight)
                try:
                    claimed = await self._claim_and_start(free) if free > 0 else 0
                    if free > 0 and claimed == free:
                        continue  # there may be more: fill the freed slots again first
                    if until_idle and claimed == 0 and not self._in_flight:
                        return
                    wait = await self._idle_timeout(free - claimed)
                except Exception:
                    # e.g. the database stayed locked by another process past the busy timeout:
                    # the outbox is intact, so try again later rather than end the worker.
                    log.exception("delivery worker %s could not claim work", self.worker_id)
                    if until_idle and not self._in_flight:
                        raise
                    wait = self.config.poll_interval
                await self._wait_for_change(wait)
            # Stopping: let the requests in flight finish (stop() bounds how long).
            while self._in_flight:
                await asyncio.wait(set(self._in_flight))
        finally:
            if progress is not None:
                progress.cancel()
            if self._in_flight:
                # Only on cancellation (a crash in tests, or stop() past its grace).
                for task in self._in_flight:
                    task.cancel()
                await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _claim_and_start(self, free: int) -> int:
        if not self.may_send():
            return 0
        rows = await repo_claims.claim_due(
            self.db,
            worker_id=self.worker_id,
            now=self.clock(),
            lease=self.config.lease,
            limit=free,
        )
        for row in rows:
            task = asyncio.create_task(self._process(row))
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        return len(rows)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._changed.set()

    async def _idle_timeout(self, free: int) -> float:
        if free <= 0:
            return self.config.poll_interval  # a finishing row or wake() ends the wait
        due = await repo_claims.next_due_at(self.db)
        if due is None:
            return self.config.poll_interval
        return min(max(due - self.clock(), 0.05), self.config.poll_interval)

    async def _wait_for_change(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)

    # ------------------------------------------------------------------ one row

    async def _process(self, delivery: Delivery) -> None:
        key = DeliveryKey.of(delivery)
        try:
            now = self.clock()
            if delivery.job_is_open and delivery.next_attempt_at <= now:
                await self._run_job(delivery, key)
            elif (
                delivery.crosspost == CrosspostState.PENDING
                and delivery.message_id is not None
                and (delivery.crosspost_next_at or 0.0) <= now
            ):
                await self._run_crosspost(delivery, key)
            else:
                await repo_claims.release_claim(self.db, key, self.worker_id)
        except Exception as exc:
            self.stats.errors += 1
            log.exception(
                "delivery of update %s to guild %s (channel %s, status %s, attempt %s) raised",
                delivery.update_id,
                delivery.guild_id,
                delivery.channel_id,
                delivery.status,
                delivery.attempts + 1,
                extra=log_ids(delivery.update_id, delivery.guild_id),
            )
            await self._record_internal_error(delivery, key, exc)
        finally:
            self._dirty.add(delivery.update_id)

    async def _run_job(self, delivery: Delivery, key: DeliveryKey) -> None:
        update = await self._update_for(delivery)
        if update is None:
            await repo_claims.release_claim(self.db, key, self.worker_id)
            return
        if delivery.message_id is None and update.is_retracted:
            if delivery.send_attempted_at is None:
                # Never sent, so nothing to retract: the retraction cancels such rows.
                await repo_deliveries.record_cancelled(
                    self.db,
                    key,
                    worker_id=self.worker_id,
                    reason="retracted before delivery",
                    now=self.clock(),
                )
            else:
                # An earlier attempt may have landed: find that copy so the notice reaches it.
                await self._find_copy(delivery, key, update, send_if_missing=False)
            return
        if (
            delivery.message_id is None
            and self._nonce_may_have_expired(delivery)
            and not await self._find_copy(delivery, key, update, send_if_missing=True)
        ):
            return
        message = build_post(update, delivery.language, delivery.role_id, self.labels)
        result: SendResult | ChangeResult
        if delivery.message_id is None:
            # Noting the attempt before it goes out: whatever happens next, a retry knows
            # that a copy may exist.
            if not await self._ready_to_request(key, delivery.channel_id, sending=True):
                return
            self.stats.sends += 1
            result = await self._call(
                self.transport.send(delivery.channel_id, message, delivery.nonce)
            )
        else:
            if not await self._ready_to_request(key, delivery.channel_id):
                return
            self.stats.edits += 1
            result = await self._call(
                self.transport.edit(delivery.channel_id, delivery.message_id, message)
            )
        await self._record_job(delivery, key, update, result)

    def _nonce_may_have_expired(self, delivery: Delivery) -> bool:
        """An earlier send may have landed, and long enough ago that Discord may no longer
        answer a repeated nonce with it."""
        attempted = delivery.send_attempted_at
        return attempted is not None and self.clock() - attempted >= self.config.nonce_trust

    async def _find_copy(
        self, delivery: Delivery, key: DeliveryKey, update: Update, *, send_if_missing: bool
    ) -> bool:
        """Read the channel for a copy an earlier attempt posted. True: none is there and the
        caller should send; False: the outcome was recorded here (found, refused, retry)."""
        assert delivery.send_attempted_at is not None
        await self.limiter.acquire()  # a read: only the global pace applies
        if await self._still_ours(key) is None:
            return False
        self.stats.lookups += 1
        result: FindResult = await self._call(
            self.transport.find_copy(
                delivery.channel_id, delivery.update_id, delivery.send_attempted_at
            )
        )
        now = self.clock()
        recorded = True
        match result:
            case Found(message_id=message_id, revision=revision):
                self.stats.found += 1
                log.info(
                    "update %s: found the copy in guild %s channel %s (message %s) that an "
                    "earlier attempt posted; recorded it instead of posting again",
                    delivery.update_id,
                    delivery.guild_id,
                    delivery.channel_id,
                    message_id,
                )
                # An older revision than wanted gets its edit job from record_sent.
                recorded = await repo_results.record_sent(
                    self.db,
                    key,
                    worker_id=self.worker_id,
                    message_id=message_id,
                    revision=max(1, min(revision, delivery.wanted_revision)),
                    ping_issue=None,
                    now=now,
                )
            case NotFound():
                if send_if_missing:
                    return True
                recorded = await repo_deliveries.record_cancelled(
                    self.db,
                    key,
                    worker_id=self.worker_id,
                    reason="retracted before delivery",
                    now=now,
                )
            case Unreadable(reason=reason):
                # Sending blind could post a second copy; a maintainer can retry once the
                # server's admins grant Read Message History (/setup check says so).
                self.stats.failed += 1
                log.warning(
                    "update %s to guild %s channel %s not sent again: %s",
                    delivery.update_id,
                    delivery.guild_id,
                    delivery.channel_id,
                    reason,
                )
                recorded = await repo_results.record_failed(
                    self.db,
                    key,
                    worker_id=self.worker_id,
                    attempts=delivery.attempts + 1,
                    code=None,
                    error=reason,
                    attention=False,
                    now=now,
                )
            case _:
                await self._record_job(delivery, key, update, result)
                return False
        if not recorded:
            await repo_claims.release_claim(self.db, key, self.worker_id)
        return False

    async def _ready_to_request(
        self, key: DeliveryKey, channel_id: int, *, sending: bool = False
    ) -> bool:
        """Renew the claim, then wait for the limiter, the last thing before the request: a
        token granted before a database write (which may queue behind other writers) goes out
        late, and late requests bunch up in Discord's one-second window (429s under load).
        After a wait long enough for the claim to lapse, the claim is renewed again (refused
        if another worker took the row meanwhile); the sender lease is checked last."""
        until = await self._still_ours(key, sending=sending)
        if until is None:
            return False
        await self.limiter.acquire(channel_id)
        if self.clock() >= until - self.config.lease / 2 and await self._still_ours(key) is None:
            return False
        return await self._may_still_send(key)

    async def _may_still_send(self, key: DeliveryKey) -> bool:
        if self.may_send():
            return True
        # This process's sender lease lapsed: the next holder sends this row (with its
        # nonce, or after looking for the copy), so hand it over rather than race it.
        self.stats.lost_claims += 1
        await repo_claims.release_claim(self.db, key, self.worker_id)
        log.info(
            "update %s for guild %s not sent: this process is no longer the sender",
            key.update_id,
            key.guild_id,
            extra=log_ids(key.update_id, key.guild_id),
        )
        return False

    async def _still_ours(self, key: DeliveryKey, *, sending: bool = False) -> float | None:
        """Renew the claim's lease; None if a lapsed claim was taken by another worker (left
        to that worker instead of being sent twice), else until when it is ours. ``sending``
        also notes that a send attempt is about to go out (kept from the first one)."""
        if not await self._may_still_send(key):
            return None
        until = self.clock() + self.config.lease
        renewed = (
            await repo_deliveries.renew_claim_for_send(
                self.db, key, self.worker_id, until, now=self.clock()
            )
            if sending
            else await repo_claims.renew_claim(self.db, key, self.worker_id, until)
        )
        if renewed:
            return until
        self.stats.lost_claims += 1
        log.warning(
            "update %s for guild %s was claimed by another worker while waiting; skipped",
            key.update_id,
            key.guild_id,
            extra=log_ids(key.update_id, key.guild_id),
        )
        return None

    async def _call(self, request: Awaitable[_R]) -> _R | Transient:
        try:
            async with asyncio.timeout(self.config.op_timeout):
                return await request
        except TimeoutError:
            return Transient(f"no answer within {self.config.op_timeout:g} s (outcome unknown)")

    async def _record_job(
        self,
        delivery: Delivery,
        key: DeliveryKey,
        update: Update,
        result: SendResult | ChangeResult | FindResult,
    ) -> None:
        now = self.clock()
        recorded: bool
        match result:
            case Sent(message_id=message_id, ping_issue=ping_issue):
                self.stats.sent += 1
                recorded = await repo_results.record_sent(
                    self.db,
                    key,
                    worker_id=self.worker_id,
                    message_id=message_id,
                    revision=update.revision,
                    ping_issue=ping_issue,
                    now=now,
                )
            case Done():
                self.stats.edited += 1
                recorded = await repo_results.record_edited(
                    self.db, key, worker_id=self.worker_id, revision=update.revision, now=now
                )
            case RateLimited(retry_after=retry_after, reason=reason):
                self.stats.rate_limited += 1
                recorded = await repo_results.record_retry(
                    self.db,
                    key,
                    worker_id=self.worker_id,
                    attempts=delivery.attempts,  # waiting our turn is not a failed attempt
                    next_attempt_at=now + self.config.retry.rate_limit_delay(retry_after, self.rng),
                    error=f"{reason} (retry after {retry_after:.1f} s)",
                    now=now,
                )
            case Transient(reason=reason):
                recorded = await self._record_transient(delivery, key, reason, now)
            case Permanent(code=code, reason=reason):
                self.stats.failed += 1
                log.warning(
                    "update %s to guild %s channel %s failed for good: %s (code %s)",
                    delivery.update_id,
                    delivery.guild_id,
                    delivery.channel_id,
                    reason,
                    code,
                    extra=log_ids(delivery.update_id, delivery.guild_id),
                )
                recorded = await repo_results.record_failed(
                    self.db,
                    key,
                    worker_id=self.worker_id,
                    attempts=delivery.attempts + 1,
                    code=code,
                    error=reason,
                    attention=needs_guild_attention(code),
                    now=now,
                )
            case Found() | NotFound() | Unreadable():
                raise AssertionError("find_copy results are recorded by _find_copy")
        if not recorded:
            # The row changed under us (retracted, switched off, claim expired): just let go.
            await repo_claims.release_claim(self.db, key, self.worker_id)

    async def _record_transient(
        self, delivery: Delivery, key: DeliveryKey, reason: str, now: float
    ) -> bool:
        attempts = delivery.attempts + 1
        policy = self.config.retry
        if policy.should_retry(attempts):
            self.stats.retried += 1
            return await repo_results.record_retry(
                self.db,
                key,
                worker_id=self.worker_id,
                attempts=attempts,
                next_attempt_at=now + policy.backoff(attempts, self.rng),
                error=reason,
                now=now,
            )
        self.stats.failed += 1
        return await repo_results.record_failed(
            self.db,
            key,
            worker_id=self.worker_id,
            attempts=attempts,
            code=None,
            error=f"gave up after {attempts} attempts: {reason}",
            attention=False,
            now=now,
        )

    async def _record_internal_error(
        self, delivery: Delivery, key: DeliveryKey, exc: Exception
    ) -> None:
        try:
            if delivery.job_is_open:
                reason = f"internal error: {type(exc).__name__}: {exc}"
                if not await self._record_transient(delivery, key, reason, self.clock()):
                    await repo_claims.release_claim(self.db, key, self.worker_id)
            else:
                await repo_claims.release_claim(self.db, key, self.worker_id)
        except Exception:
            # The claim expires on its own; the row is retried after the lease.
            log.exception(
                "could not record the failure of update %s to guild %s",
                delivery.update_id,
                delivery.guild_id,
                extra=log_ids(delivery.update_id, delivery.guild_id),
            )

    # ------------------------------------------------------------------ crossposts

    async def _run_crosspost(self, delivery: Delivery, key: DeliveryKey) -> None:
        assert delivery.message_id is not None
        now = self.clock()
        count, oldest = await repo_results.crossposts_in_window(
            self.db, delivery.channel_id, now - CROSSPOST_WINDOW
        )
        if count >= self.config.crossposts_per_hour and oldest is not None:
            # Queue it behind the hourly cap instead of spending a request on a sure 429.
            await repo_results.record_crosspost(
                self.db,
                key,
                worker_id=self.worker_id,
                state=CrosspostState.PENDING,
                attempts=delivery.crosspost_attempts,
                next_at=oldest + CROSSPOST_WINDOW + self.rng.uniform(0, 5.0),
                error="waiting for the channel's hourly publish limit",
                now=now,
            )
            return
        await self.limiter.acquire(delivery.channel_id)
        if await self._still_ours(key) is None:
            return
        self.stats.crossposts += 1
        result = await self._call(
            self.transport.crosspost(delivery.channel_id, delivery.message_id)
        )
        now = self.clock()
        attempts = delivery.crosspost_attempts
        state, next_at, error = CrosspostState.DONE, None, None
        match result:
            case Done() | Sent():
                pass
            case RateLimited(retry_after=retry_after, reason=reason):
                state = CrosspostState.PENDING
                next_at = now + self.config.retry.rate_limit_delay(retry_after, self.rng)
                error = reason
            case Transient(reason=reason):
                attempts += 1
                policy = self.config.crosspost_retry
                if policy.should_retry(attempts):
                    state, next_at = (
                        CrosspostState.PENDING,
                        now + policy.backoff(attempts, self.rng),
                    )
                else:
                    state = CrosspostState.FAILED
                error = reason
            case Permanent(code=code, reason=reason):
                attempts += 1
                state, error = CrosspostState.FAILED, f"{reason} (code {code})"
        await repo_results.record_crosspost(
            self.db,
            key,
            worker_id=self.worker_id,
            state=state,
            attempts=attempts,
            next_at=next_at,
            error=error,
            now=now,
        )

    # ------------------------------------------------------------------ helpers

    async def _update_for(self, delivery: Delivery) -> Update | None:
        cached = self._updates.get(delivery.update_id)
        if cached is not None and cached.revision >= delivery.wanted_revision:
            return cached
        update = await repo_updates.get_update(self.db, delivery.update_id)
        if update is not None:
            if len(self._updates) >= _UPDATE_CACHE_MAX:
                self._updates.clear()
            self._updates[update.update_id] = update
        return update

    async def _progress_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.progress_interval)
            await self._report_progress(force=False)

    async def _report_progress(self, *, force: bool) -> None:
        if self.on_progress is None:
            self._dirty.clear()
            return
        now = time.monotonic()
        for update_id in sorted(self._dirty):
            last = self._reported_at.get(update_id, float("-inf"))
            if not force and now - last < self.config.progress_interval:
                continue
            self._dirty.discard(update_id)
            if len(self._reported_at) > _UPDATE_CACHE_MAX:
                self._reported_at.clear()
            self._reported_at[update_id] = now
            try:
                await self.on_progress(await repo_ledger.delivery_counts(self.db, update_id))
            except Exception:
                log.exception("progress callback for update %s raised", update_id)
