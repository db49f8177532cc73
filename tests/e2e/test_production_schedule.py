"""Scheduled posts and corrections, through the double, in English and Korean.

/production post (or edit) with ``at:`` shows a preview that says when (in KST and, through
Discord's timestamps, in the reader's time) with a Schedule button; nothing is sent before
that time; at it, every subscribed server gets the post once, through the usual outbox.
Scheduled posts are listed, moved and cancelled; bad times are refused with a short answer.
The kill -9 test runs the first bot as its own process (as in test_production_recovery).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from discord_double import DiscordDouble
from discord_double.backend import RecordedRequest

from bot.production import repo_schedule
from bot.production.models import LocalizedText, UpdateDraft
from bot.production.runtime import DeliveryOptions
from bot.production.schedule import Confirmed
from bot.runner import open_services
from tests.e2e.production_helpers import (
    MESSAGES_ROUTE,
    FanServer,
    Newsroom,
    fast_delivery,
    outcome,
    wait_for,
    wait_until_finished,
)
from tests.e2e.test_production_recovery import bot_process_env

SEOUL = ZoneInfo("Asia/Seoul")
EDIT_ROUTE = "PATCH /channels/{channel_id}/messages/{message_id}"


def kst(at: float) -> str:
    """``at`` as a maintainer in Seoul types it: '2026-12-06 14:51:07'."""
    return dt.datetime.fromtimestamp(at, SEOUL).strftime("%Y-%m-%d %H:%M:%S")


def in_seconds(seconds: float) -> float:
    """A whole second ``seconds`` or a little more from now (``at:`` has second precision)."""
    return float(int(time.time() + seconds) + 1)


def button_labels(result: Any) -> list[str]:
    assert result.message is not None
    return [str(c["label"]) for c in result.message.iter_components() if "custom_id" in c]


def sent_at(request: RecordedRequest) -> float:
    """The wall-clock time the double received ``request`` (it records monotonic time)."""
    return time.time() - (time.monotonic() - request.started)


def rearm_only(room: Newsroom) -> DeliveryOptions:
    """Delivery options whose scheduler never polls in a test's time: a schedule added or
    moved in this process must wake it by itself (and does so at the exact time)."""
    options = fast_delivery(room.clock)
    options.schedule_poll_interval = 600.0
    return options


def first_sends(room: Newsroom, servers: list[FanServer]) -> list[float]:
    return [sent_at(room.send_requests(s)[0]) for s in servers if room.send_requests(s)]


async def schedule(
    room: Newsroom, command: str = "production post", **options: Any
) -> tuple[str, list[Any], Any]:
    """The command with ``at:``, then its Schedule button: (preview text, its embeds, the
    confirmation)."""
    if command == "production post":
        options.setdefault("title", "Season 2 teaser at 8 pm")
        options.setdefault("body", "Netflix shows the first teaser tonight.")
    locale = options.pop("locale", "en-US")
    if command == "production post":  # the form, filled in, answers with the preview
        preview = await room.preview(locale=locale, **options)
    else:
        preview = await room.invoke(command, options, locale=locale)
    assert preview.message is not None, preview
    shown = (preview.content or "", list(preview.embeds))
    confirmed = await room.press(preview, "schedule", locale=locale)
    return (*shown, confirmed)


async def test_a_scheduled_post_goes_out_at_its_time_once_per_server(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(4)
    async with room.start(rearm_only(room)) as bot:
        await room.subscribe(bot.services.db, servers)
        due = in_seconds(3.0)
        preview = await room.preview(title="Season 2 teaser", body="Tonight.", at=kst(due))
        text = preview.content or ""
        stamp = int(due)
        when = dt.datetime.fromtimestamp(due, SEOUL)
        clock = f"{when:%H:%M:%S}" if when.second else f"{when:%H:%M}"  # seconds only if any
        assert f"Scheduled for **{when.day} December 2026 {clock} KST**" in text, text
        assert f"<t:{stamp}:F> in your time, <t:{stamp}:R>" in text
        assert "(4 subscribed servers now)" in text and "nothing has been sent" in text
        assert button_labels(preview) == ["Schedule", "Cancel"]
        assert preview.embeds[0]["title"] == "Season 2 teaser"

        confirmed, again = await asyncio.gather(
            room.press(preview, "schedule"), room.press(preview, "schedule")
        )  # a double click stores one schedule
        assert (confirmed.content or "").startswith("✅ Scheduled as #1.")
        assert confirmed.message is not None and not confirmed.message.components
        assert "already scheduled as #1; nothing changed" in outcome(again)

        await asyncio.sleep(max(due - time.time() - 0.4, 0))
        assert double.requests_to(MESSAGES_ROUTE) == [], "sent before its time"
        await wait_for(lambda: all(room.posts(s) for s in servers), 10.0, "the scheduled post")
        starts = first_sends(room, servers)
        assert min(starts) >= due - 0.05 and max(starts) <= due + 2.0, (due, starts)
        await wait_until_finished(bot.services.db, 1)
        await asyncio.sleep(1.0)  # a second firing would have sent by now
        for server in servers:
            assert len(room.posts(server)) == 1 and len(room.send_requests(server)) == 1
            assert "Season 2 teaser" in str(room.posts(server)[0].embeds)

        listed = await room.invoke("production scheduled")
        assert "Nothing is scheduled" in str(listed.embeds)
        status = await room.invoke("production status", {"id": 1})
        assert "Season 2 teaser" in (status.content or "")


async def test_in_korean_the_preview_list_and_changes_speak_korean(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(2)
    async with room.start(rearm_only(room)) as bot:
        await room.subscribe(bot.services.db, servers, language="ko")
        due = time.time() + 3600.0
        preview = await room.preview(
            title="Teaser", body="Tonight.", title_ko="티저", body_ko="오늘 밤.", at=kst(due),
            locale="ko",
        )  # fmt: skip
        when = dt.datetime.fromtimestamp(due, SEOUL)
        text = preview.content or ""
        clock = f"{when:%H:%M:%S}" if when.second else f"{when:%H:%M}"  # seconds only if any
        assert f"**2026년 12월 {when.day}일 {clock} KST**에 예약" in text, text
        assert f"내 시간으로 <t:{int(due)}:F>" in text
        assert button_labels(preview) == ["예약", "취소"]
        confirmed = await room.press(preview, "schedule", locale="ko")
        assert outcome(confirmed).startswith("✅ 예약 #1로 저장했어요."), outcome(confirmed)

        listed = await room.invoke("production scheduled", locale="ko")
        body = listed.embeds[0]
        assert body["title"] == "예약된 소식"
        assert "`#1`" in body["description"] and "새 소식" in body["description"]
        assert "티저" in body["description"]

        soon = in_seconds(2.0)
        moved = await room.invoke("production reschedule", {"id": 1, "at": kst(soon)}, locale="ko")
        assert "예약 #1의 시각을 옮겼어요." in (moved.content or "")
        await wait_for(lambda: all(room.posts(s) for s in servers), 10.0, "the moved post")
        assert min(first_sends(room, servers)) >= soon - 0.05
        assert "티저" in str(room.posts(servers[0])[0].embeds)
        late = await room.invoke("production unschedule", {"id": 1}, locale="ko")
        assert "이미 소식 #1로 게시됐어요" in (late.content or ""), late.content
        unknown = await room.invoke("production unschedule", {"id": 9}, locale="ko")
        assert "예약 #9는 없어요" in (unknown.content or ""), unknown.content


async def test_list_reschedule_and_cancel(double: DiscordDouble, tmp_path: Path) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(2)
    async with room.start() as bot:
        await room.subscribe(bot.services.db, servers)
        later = time.time() + 7200.0
        await schedule(room, title="First", at=kst(later + 60))
        await schedule(room, title="Second", at=kst(later), timezone="KST")
        listed = await room.invoke("production scheduled")
        description = listed.embeds[0]["description"]
        assert description.index("Second") < description.index("First")  # soonest first
        assert "new post" in description and f"<t:{int(later)}:R>" in description

        outsider = double.add_member(room.desk, "outsider")
        for command, options in (
            ("production scheduled", {}),
            ("production unschedule", {"id": 2}),
            ("production reschedule", {"id": 2, "at": kst(later)}),
            # a bad time from an outsider is refused as an outsider, not parsed for them
            ("production edit", {"id": 1, "title": "X", "at": "next friday"}),
            ("production post", {"title": "X", "at": "next friday"}),
        ):
            refused = await room.invoke(command, options, user=outsider)
            assert "Only the bot's maintainers can do this." in (refused.content or "")
        cancelled = await room.invoke("production unschedule", {"id": 2})
        assert "Cancelled #2: it will not be sent" in (cancelled.content or "")
        soon = in_seconds(2.0)
        utc = dt.datetime.fromtimestamp(soon, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        moved = await room.invoke("production reschedule", {"id": 1, "at": utc, "timezone": "UTC"})
        assert "#1 moved" in (moved.content or "") and " UTC**" in (moved.content or "")
        await wait_for(lambda: all(room.posts(s) for s in servers), 10.0, "the moved post")
        await asyncio.sleep(0.5)
        assert [len(room.posts(s)) for s in servers] == [1, 1]
        assert "First" in str(room.posts(servers[0])[0].embeds)

        again = await room.invoke("production unschedule", {"id": 2})
        assert "#2 was cancelled; nothing changed" in (again.content or "")
        gone = await room.invoke("production reschedule", {"id": 1, "at": kst(later)})
        assert "#1 already went out (update #1)" in (gone.content or "")
        # Cancel on a preview: nothing is stored as due.
        preview = await room.preview(title="Never", body="Not sent.", at=kst(later))
        dropped = await room.press(preview, "discard")
        assert "nothing was scheduled" in outcome(dropped)
        assert await repo_schedule.pending_schedules(bot.services.db, 10) == []


async def test_a_scheduled_correction_edits_every_copy_at_its_time(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(3)
    async with room.start() as bot:
        await room.subscribe(bot.services.db, servers)
        await room.publish(await room.preview(title="Teaser at 8 pm"))
        await wait_until_finished(bot.services.db, 1)
        due = in_seconds(2.5)
        text, embeds, confirmed = await schedule(
            room, "production edit", id=1, title="Teaser at 9 pm", at=kst(due)
        )
        assert "correction to update #1" in text
        assert embeds[0]["title"] == "Teaser at 9 pm"
        assert outcome(confirmed).startswith("✅ Scheduled as #1.")
        await asyncio.sleep(max(due - time.time() - 0.4, 0))
        assert double.requests_to(EDIT_ROUTE) == [], "corrected before its time"
        await wait_for(
            lambda: len(double.requests_to(EDIT_ROUTE)) >= len(servers), 10.0, "the edits"
        )
        edits = double.requests_to(EDIT_ROUTE)
        assert min(sent_at(r) for r in edits) >= due - 0.05
        await wait_until_finished(bot.services.db, 1)
        await asyncio.sleep(0.5)
        assert len(double.requests_to(EDIT_ROUTE)) == len(servers)  # once per copy
        for server in servers:
            (post,) = room.posts(server)
            assert "Teaser at 9 pm" in str(post.embeds)


async def test_a_correction_due_after_a_retraction_is_not_applied(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(1)
    async with room.start() as bot:
        await room.subscribe(bot.services.db, servers)
        await room.publish(await room.preview(title="Teaser at 8 pm"))
        await wait_until_finished(bot.services.db, 1)
        due = in_seconds(2.0)
        await schedule(room, "production edit", id=1, title="Teaser at 9 pm", at=kst(due))
        await room.retract({"id": 1, "reason": "Wrong date"})
        await asyncio.sleep(due - time.time() + 0.5)
        listed = await room.invoke("production scheduled")
        assert "not applied, the update was retracted first" in str(listed.embeds)
        assert "Teaser at 9 pm" not in str(room.posts(servers[0])[0].embeds)


async def test_a_scheduled_post_without_korean_never_reaches_korean_servers_unasked(
    double: DiscordDouble, tmp_path: Path
) -> None:
    """A schedule carries no language choice: at its time an English-only post is held back
    rather than sent in English to servers that chose Korean, and the list says why."""
    room = Newsroom.build(double, tmp_path)
    english, korean = room.add_servers(1), room.add_servers(1)
    async with room.start(rearm_only(room)) as bot:
        await room.subscribe(bot.services.db, english)
        await room.subscribe(bot.services.db, korean, language="ko")
        due = in_seconds(2.0)
        await schedule(room, title="English only", at=kst(due))
        await asyncio.sleep(due - time.time() + 1.0)
        assert room.posts(english[0]) == [] and room.posts(korean[0]) == []
        listed = await room.invoke("production scheduled")
        assert "no text in a language some subscribed servers chose" in str(listed.embeds)
        listed_ko = await room.invoke("production scheduled", locale="ko")
        assert "고른 언어의 글이 없어서 보내지 않았어요" in str(listed_ko.embeds)


async def test_bad_times_are_refused_in_both_languages(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    async with room.start() as bot:
        cases = [
            ({"at": "2026-01-01 09:00"}, "en-US", "That time has already passed."),
            ({"at": "next friday"}, "en-US", "`at` must be a date and time like"),
            ({"at": "20:00", "timezone": "Mars/Olympus"}, "en-US", "timezone `Mars/Olympus`"),
            ({"at": "2028-06-01 20:00"}, "en-US", "more than a year away"),
            ({"at": "2027-03-14 02:30", "timezone": "America/New_York"}, "en-US", "skip it"),
            ({"at": "2026-01-01 09:00"}, "ko", "이미 지난 시각이에요."),
            ({"at": "크리스마스"}, "ko", "`시각`은 `2026-12-24 20:00` 같은"),
            ({"at": "20:00", "timezone": "화성"}, "ko", "`화성`은 모르는 시간대예요."),
        ]
        for options, locale, expected in cases:
            answer = await room.invoke(
                "production post", {"title": "T", "body": "B", **options}, locale=locale
            )
            assert answer.ephemeral and expected in (answer.content or ""), (options, answer)
            assert answer.message is None or not answer.message.components
        count = await bot.services.db.fetch_value("SELECT COUNT(*) FROM production_schedules")
        assert count == 0


async def test_a_bot_killed_before_the_time_and_restarted_posts_on_time_once(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(5)
    settings = room.settings()
    due = in_seconds(8.0)
    async with open_services(settings) as services:
        await room.subscribe(services.db, servers)
        draft = UpdateDraft(
            title=LocalizedText("Season 2 confirmed"),
            body=LocalizedText("Netflix confirmed the second season."),
            confidence="official",
        )
        await repo_schedule.create_draft(
            services.db, token="schedule-crash-1", kind="post", author_id=1, draft=draft,
            due_at=due, timezone="Asia/Seoul", now=time.time(),
        )  # fmt: skip
        assert isinstance(
            await repo_schedule.confirm(services.db, "schedule-crash-1", time.time()), Confirmed
        )

    log_path = tmp_path / "first-bot.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=tmp_path, env=bot_process_env(settings), stdout=log, stderr=log,
        )  # fmt: skip
        try:
            await wait_for(
                lambda: b"scheduled posts: 1 waiting" in log_path.read_bytes(),
                within=20.0,
                what="the first bot's scheduler to start (see first-bot.log)",
            )
            await asyncio.sleep(0.5)
            assert time.time() < due - 2.0, "the first bot took too long to start"
        finally:
            process.kill()  # SIGKILL before the time: nothing handed back, nothing sent
            await process.wait()
    assert double.requests_to(MESSAGES_ROUTE) == []

    async with room.start() as bot:
        await wait_for(lambda: all(room.posts(s) for s in servers), 15.0, "the scheduled post")
        await wait_until_finished(bot.services.db, 1)
        await asyncio.sleep(1.0)
        starts = first_sends(room, servers)
        assert min(starts) >= due - 0.05 and max(starts) <= due + 2.0, (due, starts)
        for server in servers:
            assert len(room.posts(server)) == 1 and len(room.send_requests(server)) == 1
        state = await bot.services.db.fetch_value(
            "SELECT state FROM production_schedules WHERE token = 'schedule-crash-1'"
        )
        assert state == "published"


async def test_a_post_that_fell_due_while_the_bot_was_down_goes_out_at_start_once(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(3)
    due = in_seconds(1.0)
    async with open_services(room.settings()) as services:
        await room.subscribe(services.db, servers)
        draft = UpdateDraft(
            title=LocalizedText("Missed time"),
            body=LocalizedText("Still news."),
            confidence="reported",
        )
        await repo_schedule.create_draft(
            services.db, token="schedule-down-1", kind="post", author_id=1, draft=draft,
            due_at=due, timezone="Asia/Seoul", now=time.time(),
        )  # fmt: skip
        await repo_schedule.confirm(services.db, "schedule-down-1", time.time())
    await asyncio.sleep(due - time.time() + 1.0)  # nobody is running at its time
    started = time.time()
    async with room.start() as bot:
        await wait_for(lambda: all(room.posts(s) for s in servers), 10.0, "the missed post")
        assert min(first_sends(room, servers)) - started < 5.0
        await wait_until_finished(bot.services.db, 1)
        await asyncio.sleep(0.5)
    assert [len(room.posts(s)) for s in servers] == [1, 1, 1]
