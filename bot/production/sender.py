"""Exactly one sender among the bot processes sharing a database.

Every process runs a :class:`SenderLease`. Every ``renew_every`` seconds it takes or renews the
lease row (``repo_lease.take_or_renew``, one write transaction); the holder runs the delivery
worker's send loop, the others only publish (publishing writes outbox rows, nothing more).
When the holder stops renewing (killed, hung, cut off from the database) its lease expires
after ``ttl`` seconds and the next process to look takes it over; a holder whose process is
provably dead on this machine (:meth:`WorkerIdentity.is_provably_dead`) is replaced at once.

Taking over from a holder frees the rows it had claimed at once (see Fencing).

Fencing: the holder trusts its lease only until ``margin`` seconds before the expiry it wrote,
measured on its own clock from before the write. The worker checks :attr:`holding` right before
every request, so by the time another process may take over, the old holder sends nothing new.
A request it had already put on the wire is covered by the outbox's exactly-once rules (the
row's nonce inside Discord's window, a look in the channel after it).

The rate limit the sender keeps is the whole bot token's: with one sender, adding processes
adds no fan-out requests. Discord counts the global limit over the last second, so a new sender
waits out what may remain of its predecessor's second (``on_takeover``), and a sender stopping
cleanly waits out its own before it frees the lease (the ``on_loss`` hook's job).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Final

from bot.store.database import Database

from . import repo_claims, repo_lease
from .worker import WorkerIdentity

log = logging.getLogger(__name__)

LEASE_TTL: Final = 15.0  # a dead sender is replaced within this (plus one renewal)
RENEW_EVERY: Final = 3.0
MARGIN: Final = 3.0  # the holder stops sending this long before its lease expires
GLOBAL_WINDOW: Final = 1.0  # Discord's global rate limit counts requests over this window

Clock = Callable[[], float]
Hook = Callable[[], Awaitable[None]]
Pause = Callable[[float], None]


def holder_is_dead(holder: str) -> bool:
    """The holder's process is provably gone (same machine, pid free or reused)."""
    identity = WorkerIdentity.parse(holder)
    return identity is not None and identity.is_provably_dead(WorkerIdentity.current())


class SenderLease:
    """Takes, keeps and gives up the sender role for ``holder`` (the worker's id)."""

    def __init__(
        self,
        db: Database,
        holder: str,
        *,
        on_gain: Hook,
        on_loss: Hook,
        ttl: float = LEASE_TTL,
        renew_every: float = RENEW_EVERY,
        margin: float = MARGIN,
        clock: Clock = time.time,
        on_takeover: Pause = lambda _seconds: None,
    ) -> None:
        if not 0 < renew_every < ttl - margin or margin < 0:
            raise ValueError("need 0 < renew_every < ttl - margin and margin >= 0")
        self.db = db
        self.holder = holder
        self.ttl = ttl
        self.renew_every = renew_every
        self.margin = margin
        self.clock = clock
        self._on_gain = on_gain
        self._on_loss = on_loss
        self._on_takeover = on_takeover
        self._valid_until = float("-inf")  # on self.clock
        self._sending = False  # on_gain ran and on_loss has not
        self._task: asyncio.Task[None] | None = None
        self.sender_seen: str | None = None  # who held the lease at the last look
        self.last_tick = time.monotonic()  # liveness: a stalled loop stops advancing this

    @property
    def holding(self) -> bool:
        """This process may send now."""
        return self.clock() < self._valid_until

    @property
    def sending(self) -> bool:
        """The send loop runs here (between a gain and the matching loss)."""
        return self._sending

    async def start(self) -> None:
        """Look once now (a free or dead-held lease is taken before this returns), then keep
        looking in the background until :meth:`stop`."""
        if self._task is not None:
            return
        await self.tick()
        self._task = asyncio.create_task(self._loop(), name=f"sender lease {self.holder}")

    async def stop(self) -> None:
        """Stop the send loop if it runs here, then free the lease for the next process."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        was_holding = self._sending or self.holding
        self._valid_until = float("-inf")
        await self._lose("this process is stopping", level=logging.INFO)
        if was_holding:
            try:
                await repo_lease.release(self.db, self.holder)
            except Exception as exc:  # it expires on its own
                log.warning(
                    "could not release the sender lease (%s); it expires in %g s", exc, self.ttl
                )

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.renew_every)
            await self.tick()

    async def tick(self) -> None:
        """Take or renew the lease once, and start or stop the send loop to match."""
        self.last_tick = time.monotonic()
        now = self.clock()
        try:
            lease = await repo_lease.take_or_renew(
                self.db, self.holder, now=now, ttl=self.ttl, is_dead=holder_is_dead
            )
        except Exception as exc:
            # e.g. the database stayed locked past the busy timeout: keep sending while the
            # lease we hold is still good, stop once it is not.
            log.warning("could not renew the sender lease: %s: %s", type(exc).__name__, exc)
            if not self.holding:
                await self._lose("its lease could not be renewed in time")
            return
        if lease.ours:
            self._valid_until = now + self.ttl - self.margin
            self.sender_seen = self.holder
            if not self._sending:
                self._sending = True
                origin = f"took over from {lease.taken_from}" if lease.taken_from else "free"
                log.info("this process (%s) is now the sender (lease %s)", self.holder, origin)
                if lease.taken_from is not None:
                    await self._free_claims_of(lease.taken_from)
                    # It may have sent until now (killed) or until its lease ran out.
                    ended = min(now, lease.taken_until if lease.taken_until is not None else now)
                    self._on_takeover(max(0.0, ended + GLOBAL_WINDOW - now))
                await self._on_gain()
            return
        self._valid_until = float("-inf")
        if self._sending:
            await self._lose(f"{lease.holder} holds the lease now")
        if lease.holder != self.sender_seen:
            log.info(
                "standby: %s is the sender; this process (%s) takes over if its lease lapses",
                lease.holder,
                self.holder,
            )
        self.sender_seen = lease.holder

    async def _free_claims_of(self, previous: str) -> None:
        """The previous sender (its worker id is its holder id) sends nothing any more (see
        Fencing above): its claimed rows are ours now rather than after their 90 s lease. A
        send of theirs that may have left is repeated with its nonce, as after any crash."""
        try:
            freed = await repo_claims.release_claims_of(self.db, [previous])
        except Exception as exc:  # their leases still run out
            log.warning("could not free the previous sender's claims: %s", exc)
            return
        for holder, rows in freed.items():
            log.warning("freed %d rows claimed by the previous sender %s", rows, holder)

    async def _lose(self, why: str, *, level: int = logging.WARNING) -> None:
        if not self._sending:
            return
        self._sending = False
        log.log(level, "this process (%s) stopped being the sender: %s", self.holder, why)
        await self._on_loss()
