"""The /show answer: the overview card's facts with the people resolved."""

from __future__ import annotations

from dataclasses import dataclass

from bot.datapack.models import Figure, Person, Show
from bot.domain.catalog import Catalog


@dataclass(frozen=True, slots=True)
class ShowAnswer:
    show: Show
    author: Person
    artist: Person | None
    director: Person
    writer: Person
    figures: tuple[Figure, ...]
    source_ids: tuple[str, ...]  # the show's own sources, then the source work's, then figures'


def show_answer(catalog: Catalog) -> ShowAnswer:
    show = catalog.show
    work = show.source_work
    ids = list(show.sources) + list(work.sources)
    ids += [source_id for figure in show.figures for source_id in figure.sources]
    return ShowAnswer(
        show=show,
        author=catalog.person(work.author),
        artist=catalog.person(work.artist) if work.artist else None,
        director=catalog.person(show.director),
        writer=catalog.person(show.writer),
        figures=tuple(show.figures),
        source_ids=tuple(dict.fromkeys(ids)),
    )
