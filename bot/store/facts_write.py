"""Writing a validated :class:`Pack` into the fact tables (the rows ``facts.save_pack`` puts
inside its one transaction)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from bot.datapack.models import (
    AwardEntry,
    Ceremony,
    Character,
    Figure,
    Pack,
    Person,
    Season,
    Show,
    Source,
    Text,
    Topic,
)
from bot.store.database import Connection

Row = tuple[Any, ...]


async def insert_pack(conn: Connection, pack: Pack) -> None:
    """Insert every fact of ``pack``, parents before children (the tables are empty)."""
    await _insert_sources(conn, pack.sources)
    await _insert_people(conn, pack.people)
    await _insert_show(conn, pack.show)
    await _insert_characters(conn, pack.characters)
    await _insert_ceremonies(conn, pack.ceremonies)
    await _insert_awards(conn, pack.awards)
    await _insert_seasons(conn, pack.seasons)
    await _insert_topics(conn, pack.topics)


def _en(text: Text | None) -> str | None:
    return None if text is None else text.en


def _ko(text: Text | None) -> str | None:
    return None if text is None else text.ko


def _json_list(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _links(owner_id: str, sources: Sequence[str]) -> Iterable[Row]:
    return ((owner_id, position, source_id) for position, source_id in enumerate(sources))


async def _insert_sources(conn: Connection, sources: Sequence[Source]) -> None:
    await conn.executemany(
        "INSERT INTO sources (id, position, outlet, outlet_ko, kind, title, url, date,"
        " date_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (s.id, i, s.outlet, s.outlet_ko, s.kind, s.title, s.url, _date(s.date), s.date_note)
            for i, s in enumerate(sources)
        ],
    )


async def _insert_people(conn: Connection, people: Sequence[Person]) -> None:
    await conn.executemany(
        "INSERT INTO people (id, position, name_en, name_ko, variants, roles)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (p.id, i, p.name.en, p.name.ko, _json_list(p.variants), _json_list(p.roles))
            for i, p in enumerate(people)
        ],
    )
    await conn.executemany(
        "INSERT INTO person_sources (person_id, position, source_id) VALUES (?, ?, ?)",
        [link for p in people for link in _links(p.id, p.sources)],
    )


async def _insert_show(conn: Connection, show: Show) -> None:
    work = show.source_work
    await conn.execute(
        "INSERT INTO show (id, title_en, title_ko, other_titles, premiere, episodes, platform,"
        " countries, network_note_en, network_note_ko, setting_en, setting_ko, director_id,"
        " writer_id, source_work_title_en, source_work_title_ko, source_work_author_id,"
        " source_work_artist_id, source_work_platform_en, source_work_platform_ko)"
        " VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            show.title.en,
            show.title.ko,
            _json_list(show.other_titles),
            _date(show.premiere),
            show.episodes,
            show.platform,
            show.countries,
            _en(show.network_note),
            _ko(show.network_note),
            _en(show.setting),
            _ko(show.setting),
            show.director,
            show.writer,
            work.title.en,
            work.title.ko,
            work.author,
            work.artist,
            work.platform.en,
            work.platform.ko,
        ),
    )
    await conn.executemany(
        "INSERT INTO show_sources (position, source_id) VALUES (?, ?)",
        list(enumerate(show.sources)),
    )
    await conn.executemany(
        "INSERT INTO source_work_sources (position, source_id) VALUES (?, ?)",
        list(enumerate(work.sources)),
    )
    await conn.executemany(
        "INSERT INTO production_companies (position, name_en, name_ko) VALUES (?, ?, ?)",
        [(i, company.en, company.ko) for i, company in enumerate(show.production_companies)],
    )
    await _insert_figures(conn, show.figures)


async def _insert_figures(conn: Connection, figures: Sequence[Figure]) -> None:
    await conn.executemany(
        "INSERT INTO figures (id, position, label_en, label_ko, value_en, value_ko, confidence)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (f.id, i, f.label.en, f.label.ko, f.value.en, f.value.ko, f.confidence)
            for i, f in enumerate(figures)
        ],
    )
    await conn.executemany(
        "INSERT INTO figure_sources (figure_id, position, source_id) VALUES (?, ?, ?)",
        [link for f in figures for link in _links(f.id, f.sources)],
    )


async def _insert_characters(conn: Connection, characters: Sequence[Character]) -> None:
    await conn.executemany(
        "INSERT INTO characters (id, position, name_en, name_ko, variants, titles,"
        " description_en, description_ko, played_by, billing, billing_order)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                c.id,
                i,
                c.name.en,
                c.name.ko,
                _json_list(c.variants),
                _json_list(c.titles),
                c.description.en,
                c.description.ko,
                c.played_by,
                c.billing,
                c.order,
            )
            for i, c in enumerate(characters)
        ],
    )
    await conn.executemany(
        "INSERT INTO character_sources (character_id, position, source_id) VALUES (?, ?, ?)",
        [link for c in characters for link in _links(c.id, c.sources)],
    )


async def _insert_ceremonies(conn: Connection, ceremonies: Sequence[Ceremony]) -> None:
    await conn.executemany(
        "INSERT INTO ceremonies (id, position, name_en, name_ko, edition, date, venue_en,"
        " venue_ko) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (c.id, i, c.name.en, c.name.ko, c.edition, _date(c.date), _en(c.venue), _ko(c.venue))
            for i, c in enumerate(ceremonies)
        ],
    )
    await conn.executemany(
        "INSERT INTO ceremony_sources (ceremony_id, position, source_id) VALUES (?, ?, ?)",
        [link for c in ceremonies for link in _links(c.id, c.sources)],
    )


async def _insert_awards(conn: Connection, awards: Sequence[AwardEntry]) -> None:
    await conn.executemany(
        "INSERT INTO award_entries (id, position, ceremony_id, category_en, category_ko,"
        " person_id, is_show, character_id, result, note_en, note_ko)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                a.id,
                i,
                a.ceremony,
                a.category.en,
                a.category.ko,
                a.person,
                int(a.show),
                a.character,
                a.result,
                _en(a.note),
                _ko(a.note),
            )
            for i, a in enumerate(awards)
        ],
    )
    await conn.executemany(
        "INSERT INTO award_entry_sources (award_entry_id, position, source_id) VALUES (?, ?, ?)",
        [link for a in awards for link in _links(a.id, a.sources)],
    )


async def _insert_seasons(conn: Connection, seasons: Sequence[Season]) -> None:
    await conn.executemany(
        "INSERT INTO seasons (number, position, episodes) VALUES (?, ?, ?)",
        [(s.number, i, s.episodes) for i, s in enumerate(seasons)],
    )
    events = [(season.number, i, e) for season in seasons for i, e in enumerate(season.events)]
    await conn.executemany(
        "INSERT INTO season_events (id, season_number, position, date, precision, date_note,"
        " summary_en, summary_ko, status, confidence, planned_what_en, planned_what_ko,"
        " planned_status, planned_by, quote_original, quote_en, quote_ko)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                e.id,
                number,
                i,
                _date(e.date),
                e.precision,
                e.date_note,
                e.summary.en,
                e.summary.ko,
                e.status,
                e.confidence,
                None if e.planned is None else e.planned.what.en,
                None if e.planned is None else e.planned.what.ko,
                None if e.planned is None else e.planned.status,
                None if e.planned is None else _date(e.planned.by),
                None if e.quote is None else e.quote.original,
                None if e.quote is None else e.quote.text.en,
                None if e.quote is None else e.quote.text.ko,
            )
            for number, i, e in events
        ],
    )
    await conn.executemany(
        "INSERT INTO season_event_sources (season_event_id, position, source_id) VALUES (?, ?, ?)",
        [link for _, _, e in events for link in _links(e.id, e.sources)],
    )


async def _insert_topics(conn: Connection, topics: Sequence[Topic]) -> None:
    await conn.executemany(
        "INSERT INTO topics (id, position, name_en, name_ko, description_en, description_ko)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (t.id, i, t.name.en, t.name.ko, t.description.en, t.description.ko)
            for i, t in enumerate(topics)
        ],
    )
