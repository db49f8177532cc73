"""The whole bot on PostgreSQL (DATABASE_URL), through the double: a fan's command answered
from facts seeded into PostgreSQL, and a publish that reaches every server exactly once.

The store's own suites run on both engines; this checks that the pieces meet on PostgreSQL
the way they do on SQLite (migrations at start, seeding, the snapshot the facts are read
from, the outbox and its worker)."""

from __future__ import annotations

from pathlib import Path

from discord_double import DiscordDouble

from tests.e2e.production_helpers import Newsroom, wait_until_finished


async def test_fans_and_the_newsroom_work_on_postgresql(
    double: DiscordDouble, tmp_path: Path, postgres_url: str
) -> None:
    room = Newsroom.build(double, tmp_path)
    english = room.add_servers(5)
    korean = room.add_servers(3)
    async with room.start(database_url=postgres_url) as bot:
        db = bot.services.db
        assert db.dialect == "postgresql"
        assert not room.database.exists(), "nothing was written to the SQLite file"
        fan_server = english[0]
        answer = await double.invoke(
            "cast",
            {"name": "Baek Kang-hyuk"},
            guild=fan_server.guild,
            channel=fan_server.channel,
            user=double.add_member(fan_server.guild, "fan"),
        )
        assert answer.embeds and "Ju Ji-hoon" in str(answer.embeds[0])

        await room.subscribe(db, english)
        await room.subscribe(db, korean, language="ko")
        preview = await room.preview(title_ko="시즌 2 촬영 시작", body_ko="첫 대본 리딩을 했어요.")
        published = await room.publish(preview)
        assert "Published as update #1" in (published.content or "")
        counts = await wait_until_finished(db, 1)
        assert (counts.total, counts.delivered, counts.failed) == (8, 8, 0)
        for server in english + korean:
            assert len(room.posts(server)) == 1
        assert all(room.posts(s)[0].embeds[0]["title"] == "시즌 2 촬영 시작" for s in korean)
        assert double.rate_limited_count == 0
