"""Cross-reference checks on a validated :class:`Pack`.

The models check each row on its own; this module checks the rows against each other:
ids are unique per kind, every source/person/character/ceremony id that a row names
exists, people are referenced in a role they have (a character is played by an actor), and
no row claims more confidence than the kinds of its sources carry (``official`` needs every
source to be an official statement; ``reported`` needs a press or official one).
Problems carry a :data:`Loc` so the loader can name the file, entry, field and line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.datapack.models import KIND_ALLOWS, Confidence, Pack, Role, Sourced, SourceKind
from bot.datapack.yaml_files import Loc


@dataclass(frozen=True)
class Problem:
    loc: Loc  # e.g. ('people', 3, 'sources', 0)
    message: str


def check_references(pack: Pack) -> list[Problem]:
    """Every cross-reference problem in ``pack``, in file order; empty when it is consistent."""
    problems: list[Problem] = []
    problems += _duplicates(pack)
    problems += _unknown_sources(pack)
    problems += _unknown_people_and_roles(pack)
    problems += _unknown_characters_and_ceremonies(pack)
    problems += _confidence_beyond_sources(pack)
    return problems


def _duplicates(pack: Pack) -> list[Problem]:
    kinds: list[tuple[str, list[tuple[Loc, str | int]]]] = [
        ("source id", [(("sources", i, "id"), s.id) for i, s in enumerate(pack.sources)]),
        ("person id", [(("people", i, "id"), p.id) for i, p in enumerate(pack.people)]),
        ("character id", [(("characters", i, "id"), c.id) for i, c in enumerate(pack.characters)]),
        ("ceremony id", [(("ceremonies", i, "id"), c.id) for i, c in enumerate(pack.ceremonies)]),
        ("award id", [(("awards", i, "id"), a.id) for i, a in enumerate(pack.awards)]),
        (
            "figure id",
            [(("show", "figures", i, "id"), f.id) for i, f in enumerate(pack.show.figures)],
        ),
        # Event ids are unique across all seasons: updates and links refer to them alone.
        (
            "event id",
            [
                (("seasons", si, "events", ei, "id"), event.id)
                for si, season in enumerate(pack.seasons)
                for ei, event in enumerate(season.events)
            ],
        ),
        ("topic id", [(("topics", i, "id"), t.id) for i, t in enumerate(pack.topics)]),
        # Two topics named alike would be two identical roles and options.
        (
            "topic name",
            [
                (("topics", i, "name", "en"), t.name.en.casefold())
                for i, t in enumerate(pack.topics)
            ],
        ),
        (
            "Korean topic name",
            [(("topics", i, "name", "ko"), t.name.ko) for i, t in enumerate(pack.topics)],
        ),
        (
            "season number",
            [(("seasons", i, "number"), s.number) for i, s in enumerate(pack.seasons)],
        ),
        (
            "billing order",
            [(("characters", i, "order"), c.order) for i, c in enumerate(pack.characters)],
        ),
    ]
    problems: list[Problem] = []
    for kind, entries in kinds:
        first_seen: dict[object, Loc] = {}
        for loc, value in entries:
            if value in first_seen:
                where = _short_loc(first_seen[value])
                problems.append(
                    Problem(loc, f"duplicate {kind} {value!r} (already used by {where})")
                )
            else:
                first_seen[value] = loc
    return problems


def _sourced_rows(pack: Pack) -> Iterable[tuple[Loc, Sourced]]:
    """Every row that names sources, with its position."""
    yield ("show",), pack.show
    yield ("show", "source_work"), pack.show.source_work
    for i, figure in enumerate(pack.show.figures):
        yield ("show", "figures", i), figure
    keyed_rows: list[tuple[str, Sequence[Sourced]]] = [
        ("people", pack.people),
        ("characters", pack.characters),
        ("ceremonies", pack.ceremonies),
        ("awards", pack.awards),
    ]
    for key, rows in keyed_rows:
        for i, row in enumerate(rows):
            yield (key, i), row
    for si, season in enumerate(pack.seasons):
        for ei, event in enumerate(season.events):
            yield ("seasons", si, "events", ei), event


def _unknown_sources(pack: Pack) -> list[Problem]:
    known = {source.id for source in pack.sources}
    return [
        Problem((*loc, "sources", i), f"unknown source id {source_id!r}")
        for loc, row in _sourced_rows(pack)
        for i, source_id in enumerate(row.sources)
        if source_id not in known
    ]


def _unknown_people_and_roles(pack: Pack) -> list[Problem]:
    roles = {person.id: set(person.roles) for person in pack.people}
    refs: list[tuple[Loc, str | None, Role | None]] = [
        (("show", "director"), pack.show.director, "director"),
        (("show", "writer"), pack.show.writer, "writer"),
        (("show", "source_work", "author"), pack.show.source_work.author, "author"),
        (("show", "source_work", "artist"), pack.show.source_work.artist, "artist"),
    ]
    refs += [
        (("characters", i, "played_by"), c.played_by, "actor")
        for i, c in enumerate(pack.characters)
    ]
    refs += [(("awards", i, "person"), a.person, None) for i, a in enumerate(pack.awards)]

    problems: list[Problem] = []
    for loc, person_id, needed_role in refs:
        if person_id is None:
            continue
        if person_id not in roles:
            problems.append(Problem(loc, f"unknown person id {person_id!r}"))
        elif needed_role is not None and needed_role not in roles[person_id]:
            problems.append(
                Problem(loc, f"person {person_id!r} does not have the role {needed_role!r}")
            )
    return problems


def _unknown_characters_and_ceremonies(pack: Pack) -> list[Problem]:
    played_by = {character.id: character.played_by for character in pack.characters}
    people = {person.id for person in pack.people}
    ceremonies = {ceremony.id for ceremony in pack.ceremonies}
    problems: list[Problem] = []
    for i, award in enumerate(pack.awards):
        if award.ceremony not in ceremonies:
            problems.append(
                Problem(("awards", i, "ceremony"), f"unknown ceremony id {award.ceremony!r}")
            )
        if award.character is None:
            continue
        actor = played_by.get(award.character)
        if actor is None:
            problems.append(
                Problem(("awards", i, "character"), f"unknown character id {award.character!r}")
            )
        # An unknown actor is already reported on the character itself: don't repeat it here.
        elif award.person is not None and actor != award.person and actor in people:
            problems.append(
                Problem(
                    ("awards", i, "character"),
                    f"character {award.character!r} is played by {actor!r}, "
                    f"not by the nominee {award.person!r}",
                )
            )
    return problems


_RANK: dict[Confidence, int] = {"unconfirmed": 0, "reported": 1, "official": 2}


def _confidence_beyond_sources(pack: Pack) -> list[Problem]:
    """Rows whose confidence label says more than their sources' kinds carry."""
    kinds = {source.id: source.kind for source in pack.sources}
    rows: list[tuple[Loc, Confidence, Sequence[str]]] = [
        (("show", "figures", i), f.confidence, f.sources) for i, f in enumerate(pack.show.figures)
    ]
    rows += [
        (("seasons", si, "events", ei), event.confidence, event.sources)
        for si, season in enumerate(pack.seasons)
        for ei, event in enumerate(season.events)
    ]
    problems: list[Problem] = []
    for loc, confidence, source_ids in rows:
        cited = [(sid, kinds[sid]) for sid in source_ids if sid in kinds]  # unknown: reported
        if not cited:
            continue
        message = _overclaim(confidence, cited)
        if message is not None:
            problems.append(Problem((*loc, "confidence"), message))
    return problems


def _overclaim(confidence: Confidence, cited: Sequence[tuple[str, SourceKind]]) -> str | None:
    if confidence == "official":
        others = [f"{sid!r} is {kind}" for sid, kind in cited if kind != "official"]
        if others:
            return (
                "'official' needs every source to be an official statement (kind: official), "
                f"but {', '.join(others)}: use 'reported', or cite Netflix's own statement"
            )
        return None
    firmest = max(_RANK[KIND_ALLOWS[kind]] for _, kind in cited)
    if _RANK[confidence] > firmest:
        listed = ", ".join(f"{sid!r} is {kind}" for sid, kind in cited)
        return (
            f"{confidence!r} needs a press or official source, but {listed}: "
            "use 'unconfirmed', or cite the original report"
        )
    return None


def _short_loc(loc: Loc) -> str:
    """('people', 0, 'id') -> 'people[0]': enough to find the first of two duplicates."""
    text = ""
    for step in loc[:-1]:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text
