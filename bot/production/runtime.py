"""How a running bot delivers updates: worker timing, the shared limiter, the clock.

One :class:`DeliveryOptions` sits on the services. Production uses the defaults; tests shorten
leases and backoff (a crash-restart test must not wait 90 s), share one limiter between two
bots in a process, or move the clock (a preview that expired, a lease that ran out).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .limiter import SendLimiter
from .sender import LEASE_TTL, RENEW_EVERY
from .worker import WorkerConfig

Clock = Callable[[], float]


@dataclass(slots=True)
class DeliveryOptions:
    worker: WorkerConfig = field(default_factory=WorkerConfig)
    # One limiter per process paces every send; None: the delivery cog makes its own.
    limiter: SendLimiter | None = None
    # Wall-clock Unix seconds for everything stored (claims, previews, retries).
    clock: Clock = time.time
    # How often a maintainer's 'Delivered 430 / 1,000' message is refreshed.
    progress_interval: float = 1.0
    # Previews nobody published or cancelled are deleted once expired: at start-up and then
    # this often, so the table does not grow with every forgotten draft.
    preview_purge_interval: float = 3600.0
    # Scheduled posts wake at their time; this is how often they also look for schedules
    # another process on the same database added.
    schedule_poll_interval: float = 5.0
    worker_id: str | None = None  # None: host:pid:random:kernel:start (see WorkerIdentity)
    # The sender lease (bot.production.sender): only its holder sends; another process takes
    # over this long after the holder stops renewing, which it does every sender_renew_every.
    sender_lease_ttl: float = LEASE_TTL
    sender_renew_every: float = RENEW_EVERY
