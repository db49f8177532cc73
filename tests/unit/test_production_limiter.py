from __future__ import annotations

import asyncio
import bisect
import random

from bot.production.limiter import SendLimiter


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


def max_in_any_window(times: list[float], window: float) -> int:
    """The most events inside any half-open window [t, t + window) starting at an event."""
    ordered = sorted(times)
    return max(
        (bisect.bisect_left(ordered, t + window) - i for i, t in enumerate(ordered)), default=0
    )


async def run_acquires(
    limiter: SendLimiter, time: FakeTime, channels: list[int | None]
) -> list[tuple[int | None, float]]:
    grants: list[tuple[int | None, float]] = []

    async def one(channel: int | None) -> None:
        await limiter.acquire(channel)
        grants.append((channel, time.clock()))

    # 40 concurrent workers, like the delivery worker's slots.
    queue = list(channels)

    async def slot() -> None:
        while queue:
            await one(queue.pop(0))

    await asyncio.gather(*(slot() for _ in range(40)))
    return grants


async def test_global_rate_is_never_exceeded_in_any_window() -> None:
    time = FakeTime()
    limiter = SendLimiter(clock=time.clock, sleep=time.sleep)  # the defaults the bot uses
    grants = await run_acquires(limiter, time, list[int | None](range(1000)))
    times = [t for _, t in grants]
    assert len(times) == 1000
    assert max_in_any_window(times, 1.0) <= 49  # under Discord's 50/s, with a margin
    assert max_in_any_window(times, 10.0) <= 1.5 + 48 * 10


async def test_late_wake_ups_do_not_let_a_burst_through() -> None:
    time = FakeTime()
    limiter = SendLimiter(rate=48.0, burst=1.5, clock=time.clock, sleep=time.sleep)
    grants: list[float] = []
    for i in range(300):
        if i % 50 == 0:
            time.now += 30.0  # idle for a while: the bucket refills, but only to its size
        await limiter.acquire(None)
        grants.append(time.clock())
    assert max_in_any_window(grants, 1.0) <= 49


async def test_pacing_is_not_wastefully_slow() -> None:
    # 1,000 sends must fit in 1.1 x 20 s (the delivery target at Discord's 50/s).
    time = FakeTime()
    start = time.now
    limiter = SendLimiter(clock=time.clock, sleep=time.sleep)
    grants = await run_acquires(limiter, time, list[int | None](range(1000)))
    elapsed = max(t for _, t in grants) - start
    assert elapsed <= 22.0


async def test_each_channel_stays_under_its_window() -> None:
    time = FakeTime()
    limiter = SendLimiter(
        rate=48.0, channel_limit=4, channel_window=5.0, clock=time.clock, sleep=time.sleep
    )
    rng = random.Random(5)
    channels: list[int | None] = [
        rng.choice([1, 2, 3]) if rng.random() < 0.1 else rng.randrange(100, 400) for _ in range(600)
    ]
    grants = await run_acquires(limiter, time, channels)
    for channel in (1, 2, 3):
        times = [t for c, t in grants if c == channel]
        assert len(times) > 8
        assert max_in_any_window(times, 5.0) <= 4
    assert max_in_any_window([t for _, t in grants], 1.0) <= 49


async def test_a_busy_channel_does_not_hold_up_the_others() -> None:
    time = FakeTime()
    limiter = SendLimiter(
        rate=1000.0, channel_limit=2, channel_window=5.0, clock=time.clock, sleep=time.sleep
    )
    channels: list[int | None] = [7] * 6
    channels += range(100, 140)
    grants = await run_acquires(limiter, time, channels)
    busy_last = max(t for c, t in grants if c == 7)
    others_last = max(t for c, t in grants if c != 7)
    assert busy_last >= 10.0 + 1000.0  # 6 sends at 2 per 5 s need two more windows
    assert others_last < busy_last


async def test_a_channel_is_not_forgotten_while_a_caller_still_waits_for_it() -> None:
    """A holder cancelled mid-wait releases the channel lock before the waiter it woke runs;
    a prune at that moment used to drop the lock and window, so the next caller got a fresh
    pair and went out beside the waiter: two sends in a window that allows one."""
    time = FakeTime()
    blocked = asyncio.Event()
    first_sleep = True

    async def sleep(seconds: float) -> None:
        nonlocal first_sleep
        if first_sleep:  # the holder waits for the global bucket until cancelled
            first_sleep = False
            blocked.set()
            await asyncio.Event().wait()
        await time.sleep(seconds)

    limiter = SendLimiter(
        rate=10.0, channel_limit=1, channel_window=5.0, clock=time.clock, sleep=sleep
    )
    await limiter.acquire(None)  # spend the first token: the next acquire has to wait
    grants: list[float] = []

    async def send() -> None:
        await limiter.acquire(1)
        grants.append(time.clock())

    holder = asyncio.create_task(send())
    await blocked.wait()
    waiter = asyncio.create_task(send())
    await asyncio.sleep(0)  # the waiter queues on the channel lock
    holder.cancel()
    await asyncio.sleep(0)  # the holder unwinds: the lock is free, the waiter not yet running
    limiter._prune()  # what every 512th grant does
    late = asyncio.create_task(send())
    await asyncio.gather(waiter, late)
    assert len(grants) == 2
    assert max_in_any_window(grants, 5.0) == 1


async def test_a_pause_after_a_takeover_grants_nothing_until_it_ends() -> None:
    """A sender taking over from one killed mid-send waits out that one's second: in the two
    senders' combined log no one-second window holds more than Discord's 50."""
    time = FakeTime()
    previous = [time.now - 1.0 + i / 49 for i in range(49)]  # the dead sender's last second
    limiter = SendLimiter(clock=time.clock, sleep=time.sleep)
    limiter.pause(1.0)
    grants = [t for _, t in await run_acquires(limiter, time, [None] * 100)]
    assert min(grants) >= 1001.0
    assert max_in_any_window(previous + grants, 1.0) <= 50
    unpaused = SendLimiter(clock=FakeTime().clock, sleep=FakeTime().sleep)
    assert unpaused.last_granted_at == float("-inf")


async def test_settle_returns_a_window_after_the_last_grant() -> None:
    time = FakeTime()
    limiter = SendLimiter(clock=time.clock, sleep=time.sleep)
    await limiter.settle(1.0)
    assert time.now == 1000.0, "nothing granted yet: nothing to wait for"
    await limiter.acquire(7)
    granted = limiter.last_granted_at
    await limiter.settle(1.0)
    assert time.now == granted + 1.0
