"""New facts reaching a running bot: from the commit of a seed (another connection, as
``python -m bot seed`` in another process) to the moment the bot's index serves it.

The bot's watcher (``bot.facts_reload.FactsWatcher``, polling once a second) runs as in the
bot; the seeds alternate between ``seeds/`` and a copy with one changed description, so every
seed is a real change. Figures: seed → served p50/p99 (target p99 < 2 s: one poll interval
plus the rebuild), and the rebuild itself (load from SQLite + build the index), median.

Run: ``python -m bench.reload``.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from bench.record import Figure, median, percentile
from bot.datapack.loader import load_pack
from bot.facts_reload import FactsWatcher
from bot.i18n.catalogue import Catalogue
from bot.services import FactIndex, Services
from bot.settings import Settings
from bot.store.database import Database
from bot.store.facts import load_seeded_pack, save_pack
from bot.store.migrate import migrate

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ROUNDS = 12
POLL_INTERVAL = 1.0  # as in the bot (Services.facts_poll_interval)
TARGET_P99 = 2.0


def edited_seeds(work: Path) -> Path:
    copy = work / "seeds-edited"
    shutil.copytree(SEEDS, copy)
    path = copy / "characters.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("high-flying proctology fellow", "benchmark fellow", 1))
    return copy


async def measure(work: Path) -> list[Figure]:
    database = work / "bench.sqlite3"
    packs = [load_pack(SEEDS), load_pack(edited_seeds(work))]
    async with await Database.open(database) as db, await Database.open(database) as seeder:
        await migrate(db, backup_dir=work / "backups")
        await save_pack(db, packs[0])
        pack, digest = await load_seeded_pack(db)
        settings = Settings(discord_token="x", database_path=database, _env_file=None)
        services = Services(
            settings=settings, db=db, texts=Catalogue.load(), facts=FactIndex.build(pack, digest)
        )
        watcher = FactsWatcher(services, interval=POLL_INTERVAL)
        task = asyncio.create_task(watcher.run())
        lags: list[float] = []
        rebuilds: list[float] = []
        try:
            for round_ in range(ROUNDS):
                # Seeds land at any moment relative to the poll: spread them over the interval.
                await asyncio.sleep(POLL_INTERVAL * ((round_ * 7) % ROUNDS) / ROUNDS)
                report = await save_pack(seeder, packs[(round_ + 1) % 2])
                committed = time.perf_counter()
                # Looking every 2 ms is the measurement (the bot sets no event to wait on).
                while services.facts.pack_hash != report.pack_hash:  # noqa: ASYNC110
                    await asyncio.sleep(0.002)
                lags.append(time.perf_counter() - committed)
            for _ in range(ROUNDS):
                started = time.perf_counter()
                pack, digest = await load_seeded_pack(db)
                await asyncio.to_thread(FactIndex.build, pack, digest)
                rebuilds.append(time.perf_counter() - started)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    p99 = percentile(lags, 99)
    return [
        Figure(
            "reload: seed commit → served, p50",
            median(lags),
            "s",
            note=f"{ROUNDS} seeds, watcher polling every {POLL_INTERVAL:g} s",
        ),
        Figure(
            "reload: seed commit → served, p99",
            p99,
            "s",
            target=f"< {TARGET_P99:g} s",
            met=p99 < TARGET_P99,
        ),
        Figure("reload: load + rebuild the index, median", median(rebuilds) * 1000, "ms"),
    ]


async def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        return await measure(Path(tmp))


if __name__ == "__main__":
    for figure in asyncio.run(run()):
        print(f"{figure.name}: {figure.value:.3f} {figure.unit} {figure.target}")
