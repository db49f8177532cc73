"""Pure delivery rules: retry timing, what a Discord error means, and the send nonce.

Sources: DISCORD.md §1 (error codes, invalid-request limit, crosspost limits) and §2 (nonce).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

# Discord JSON error codes that mean "this server's setup is broken": stop sending there and tell
# its admins. Repeating such requests counts towards the 10,000 invalid requests / 10 min ban.
MISSING_ACCESS: Final = 50001
MISSING_PERMISSIONS: Final = 50013
UNKNOWN_CHANNEL: Final = 10003
UNKNOWN_MESSAGE: Final = 10008
ALREADY_CROSSPOSTED: Final = 40033
CHANNEL_WRITE_RATE_LIMIT: Final = 20028
ANNOUNCEMENT_EDIT_RATE_LIMIT: Final = 20022
GUILD_ATTENTION_CODES: Final = frozenset({MISSING_ACCESS, MISSING_PERMISSIONS, UNKNOWN_CHANNEL})

# Neither limit says how long to wait; these are conservative guesses (DISCORD.md §1 [observed]).
CODE_RETRY_AFTER: Final[dict[int, float]] = {
    CHANNEL_WRITE_RATE_LIMIT: 60.0,
    ANNOUNCEMENT_EDIT_RATE_LIMIT: 20 * 60.0,
}

NONCE_MAX_LENGTH: Final = 25


class OutcomeKind(StrEnum):
    PERMANENT = "permanent"  # never retry this job
    TRANSIENT = "transient"  # retry with backoff, counting an attempt
    RATE_LIMITED = "rate_limited"  # retry after the given wait, without counting an attempt


@dataclass(frozen=True, slots=True)
class Classification:
    kind: OutcomeKind
    retry_after: float | None = None  # only for RATE_LIMITED


def classify_http_error(
    status: int, code: int | None, retry_after: float | None = None
) -> Classification:
    """What to do after Discord answered an HTTP error ``status`` with JSON error ``code``."""
    if code is not None and code in CODE_RETRY_AFTER:
        return Classification(OutcomeKind.RATE_LIMITED, CODE_RETRY_AFTER[code])
    if status == 429:
        return Classification(OutcomeKind.RATE_LIMITED, retry_after if retry_after else 5.0)
    if status >= 500 or status == 408:
        return Classification(OutcomeKind.TRANSIENT)
    # 400 (our payload is wrong), 401, 403, 404, ...: repeating the same request cannot help.
    return Classification(OutcomeKind.PERMANENT)


def needs_guild_attention(code: int | None) -> bool:
    """A permanent failure that blocks every post to the server until an admin acts."""
    return code in GUILD_ATTENTION_CODES


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter for transient failures, up to ``max_attempts`` tries.

    With the defaults the waits are about 5, 10, 20, 40, 80, 160, 320 s: a Discord hiccup of ten
    minutes is ridden out, a longer outage ends in a visible failure instead of retrying forever.
    """

    base_delay: float = 5.0
    factor: float = 2.0
    max_delay: float = 15 * 60.0
    max_attempts: int = 8
    # Half of each wait is random, so servers that failed together do not retry together.
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_delay <= 0 or self.factor < 1:
            raise ValueError("invalid retry policy")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be between 0 and 1")

    def should_retry(self, attempts_made: int) -> bool:
        """Whether a job that has failed transiently ``attempts_made`` times gets another go."""
        return attempts_made < self.max_attempts

    def backoff(self, attempts_made: int, rng: random.Random) -> float:
        """Seconds to wait after the ``attempts_made``-th failed attempt (1-based)."""
        exponent = max(attempts_made - 1, 0)
        full = min(self.base_delay * self.factor**exponent, self.max_delay)
        fixed = full * (1 - self.jitter)
        return fixed + rng.uniform(0, full - fixed)

    def rate_limit_delay(self, retry_after: float, rng: random.Random) -> float:
        """Discord's wait plus up to a second, so rescheduled rows do not all return at once."""
        return max(retry_after, 0.0) + rng.uniform(0, 1.0)


def delivery_nonce(update_id: int, guild_id: int, revision: int) -> str:
    """A deterministic nonce (≤ 25 chars) for sending ``update_id`` to ``guild_id``.

    Computed once when the delivery row is created and stored on it: every retry of that send
    reuses it, so Discord (``enforce_nonce``) returns the earlier message instead of posting twice.
    A decimal string of 63 hash bits: at most 19 digits, and no two rows share it in practice.
    """
    if update_id < 0 or guild_id < 0 or revision < 1:
        raise ValueError("nonce inputs must be non-negative ids and a revision >= 1")
    digest = hashlib.sha256(f"gh-delivery:{update_id}:{guild_id}:{revision}".encode()).digest()
    value = int.from_bytes(digest[:8], "big") >> 1
    return str(value)
