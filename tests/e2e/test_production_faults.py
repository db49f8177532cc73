"""Delivery on a bad day, through the double: refused channels, rate limits, server errors,
lost answers. One bad server never stops the others; permanent failures are reported with
their reason and flagged for the server's admins; nothing is posted twice. Then corrections
and retractions reach every copy that was delivered."""

from __future__ import annotations

from pathlib import Path

from discord_double import DiscordDouble
from discord_double.permissions import Permission

from bot.production import repo_ledger, repo_settings
from tests.e2e.production_helpers import (
    BOT_PERMISSIONS,
    MESSAGES_ROUTE,
    Newsroom,
    wait_for,
    wait_until_finished,
)


async def test_failures_are_contained_retried_or_reported_and_never_doubled(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(20)
    forbidden, gone, limited, flaky, broken, lost = servers[:6]
    fine = servers[6:]
    # 403: the bot may see the channel but not post (a real permission problem, 50013).
    double.set_bot_permissions(forbidden.channel, int(Permission.VIEW_CHANNEL))
    # 404: the channel was deleted after /setup (10003).
    double.remove_channel(gone.channel)
    # 429 once: discord.py waits and retries by itself.
    double.faults.rate_limit(MESSAGES_ROUTE, retry_after=0.2, channel=limited.channel)
    # 503 once: the worker retries after its backoff.
    double.faults.server_error(MESSAGES_ROUTE, 503, channel=flaky.channel)
    # 503 for good: three tries, then a permanent failure with the reason.
    double.faults.server_error(MESSAGES_ROUTE, 503, channel=broken.channel, times=None)
    # The post lands but the answer is lost (a timeout): the retry reuses the nonce.
    double.faults.drop_connection(MESSAGES_ROUTE, after_commit=True, channel=lost.channel)

    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, servers)
        published = await room.publish(await room.preview())
        counts = await wait_until_finished(db, 1)
        assert (counts.total, counts.delivered, counts.failed) == (20, 17, 3)
        for server in [limited, flaky, lost, *fine]:
            assert len(room.posts(server)) == 1, server.guild.name
        assert room.posts(forbidden) == [] and room.posts(broken) == []
        assert len(room.send_requests(forbidden)) == 1  # refused once, never again
        lost_nonces = {r.json["nonce"] for r in room.send_requests(lost)}
        assert len(room.send_requests(lost)) == 2 and len(lost_nonces) == 1
        assert len(room.send_requests(broken)) == 3

        report = await repo_ledger.delivery_report(db, 1)
        assert report is not None
        reasons = {f.guild_id: f.reason for f in report.failures}
        assert set(reasons) == {forbidden.guild.id, gone.guild.id, broken.guild.id}
        assert "Missing Permissions" in reasons[forbidden.guild.id]
        assert "Unknown Channel" in reasons[gone.guild.id]
        assert reasons[broken.guild.id].startswith("gave up after 3 attempts")
        for server in (forbidden, gone):
            settings = await repo_settings.get_guild_settings(db, server.guild.id)
            assert settings is not None and settings.needs_attention
        broken_settings = await repo_settings.get_guild_settings(db, broken.guild.id)
        assert broken_settings is not None and not broken_settings.needs_attention

        # The maintainer's report lists each failure with its reason.
        message_id = published.record.original_message_id
        assert message_id is not None
        await wait_for(
            lambda: "Delivery finished" in double.message(message_id).content,  # type: ignore[union-attr]
            what="the delivery report",
        )
        final = double.message(message_id)
        assert final is not None
        shown = "\n".join(f["value"] for f in final.embeds[0]["fields"])
        assert "Delivered 17 / 20 · 3 failed" in final.embeds[0]["description"]
        assert f"{forbidden.guild.name} ({forbidden.guild.id}): HTTP 403" in shown
        assert f"{gone.guild.name} ({gone.guild.id}): HTTP 404" in shown

        # A server needing attention gets nothing more until an admin fixes it; a server that
        # failed for other reasons gets the next update as usual.
        double.faults.clear()
        await room.publish(await room.preview(title="Second update"))
        second = await wait_until_finished(db, 2)
        assert second.total == 18
        assert len(room.send_requests(forbidden)) == 1
        assert [m.embeds[0]["title"] for m in room.posts(broken)] == ["Second update"]


async def test_admins_are_told_once_on_their_next_command_and_fans_never(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    double.set_bot_permissions(server.channel, int(Permission.VIEW_CHANNEL))
    async with room.start() as bot:
        await room.subscribe(bot.services.db, [server])
        await room.publish(await room.preview())
        await wait_until_finished(bot.services.db, 1)

        fan_show = await double.invoke("show", guild=server.guild, user=server.fan)
        admin_show = await double.invoke("show", guild=server.guild, user=server.admin)
        (notice,) = await admin_show.wait_for_followups(1)
        assert notice.ephemeral
        assert "Production updates stopped reaching this server" in notice.content
        assert "Missing Permissions" in notice.content
        assert fan_show.followups == []  # the fan was not told, and did not use the notice up

        again = await double.invoke("show", guild=server.guild, user=server.admin)

        # /setup check explains, and resumes posts once the permissions are fixed.
        check = await double.invoke("setup check", guild=server.guild, user=server.admin)
        assert again.followups == []  # told once
        text = check.embeds[0]["description"]
        assert "Discord refused the last post here" in text
        assert "Give the bot's role Send Messages" in text
        double.set_bot_permissions(server.channel, BOT_PERMISSIONS)
        fixed = await double.invoke("setup check", guild=server.guild, user=server.admin)
        assert "The problem is fixed" in fixed.embeds[0]["description"]
        await room.publish(await room.preview(title="After the fix"))
        await wait_until_finished(bot.services.db, 2)
        assert [m.embeds[0]["title"] for m in room.posts(server)] == ["After the fix"]


async def test_corrections_and_retractions_reach_every_copy(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(10) + room.add_servers(2, kind="announcement")
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, servers)
        await room.publish(await room.preview(title="Filming starts in May"))
        await wait_until_finished(db, 1)
        first_ids = {s.guild.id: room.posts(s)[0].id for s in servers}

        edited = await room.correct({"id": 1, "title": "Filming starts in June"})
        assert "Update #1 corrected: 12 copies will be edited" in (edited.content or "")
        await wait_until_finished(db, 1)
        for server in servers:
            (post,) = room.posts(server)
            assert post.id == first_ids[server.guild.id]  # the same message, edited in place
            assert post.embeds[0]["title"] == "Filming starts in June"
            assert "Corrected" in post.embeds[0]["description"]
        await wait_for(
            lambda: "Delivery finished" in (edited.content or ""), what="the edit's report"
        )

        retracted = await room.retract({"id": 1, "reason": "the source withdrew the story"})
        assert "12 copies will read 'Retracted: the source withdrew the story'" in (
            retracted.content or ""
        )
        await wait_until_finished(db, 1)
        for server in servers:
            (post,) = room.posts(server)  # never deleted, never posted again
            assert post.id == first_ids[server.guild.id]
            assert post.content == "**Retracted:** the source withdrew the story"
            assert post.embeds == [] and post.components == []
            assert post.mention_roles == []

        again = await room.invoke("production retract", {"id": 1, "reason": "twice"})
        assert again.content == "Update #1 was already retracted; nothing changed."
        edit_after = await room.invoke("production edit", {"id": 1, "title": "Back"})
        assert edit_after.content == "Update #1 was already retracted; nothing changed."
        unknown = await room.invoke("production edit", {"id": 7, "title": "x"})
        assert unknown.content == "There is no update #7."
        fans = await double.invoke("updates", guild=servers[0].guild, user=servers[0].fan)
        assert "Filming starts" not in fans.all_text
