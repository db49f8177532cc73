"""Pydantic models for the data pack (``seeds/*.yaml``).

Every fact row names at least one source id; cross-references (source ids, person ids,
character ids, ceremony ids) are checked by ``bot.datapack.references.check_references``,
which ``bot.datapack.loader.load_pack`` runs after the rows validate.
Nothing here knows about Discord or SQLite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Confidence = Literal["official", "reported", "unconfirmed"]
"""official: Netflix or the studio said it; reported: a named outlet reported it;
unconfirmed: a single weak source, a characterisation, or a claim that conflicts."""

SourceKind = Literal["official", "press", "aggregator", "forum"]
"""What a source page is (see seeds/sources.yaml): Netflix's or the studio's own statement,
a news outlet's article, a repost or relay of others' reports, or a community-board post."""

# The firmest confidence a row may claim from one source of each kind; a row may claim what
# its firmest source allows, and 'official' only when every source is official.
KIND_ALLOWS: Final[Mapping[SourceKind, Confidence]] = {
    "official": "official",
    "press": "reported",
    "aggregator": "unconfirmed",
    "forum": "unconfirmed",
}

Billing = Literal["main", "supporting", "cameo"]
Result = Literal["won", "nominated"]
DatePrecision = Literal["day", "month", "year"]
SeasonStatus = Literal[
    "released",
    "hoped_for",  # people involved say they want it / it was planned with sequels in mind
    "under_review",  # the platform says a sequel is being considered
    "in_talks",  # reported negotiations
    "renewed",  # greenlit (official only when Netflix or the studio says so)
    "pre_production",
    "filming",
    "post_production",
    "cancelled",
]
Role = Literal["actor", "director", "writer", "author", "artist", "producer", "executive"]

SQLITE_INT_MIN = -(2**63)
SQLITE_INT_MAX = 2**63 - 1
# Every integer goes into a SQLite INTEGER column (64-bit): bound it here so an oversized
# number is a pack error naming its field, not a failed INSERT while seeding.
Int64 = Annotated[int, Field(ge=SQLITE_INT_MIN, le=SQLITE_INT_MAX)]
PositiveInt64 = Annotated[int, Field(gt=0, le=SQLITE_INT_MAX)]

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Model(BaseModel):
    """Strict base: unknown keys are errors, so a typo in a field name is caught."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Model):
    """A short text in both languages."""

    en: NonEmpty
    ko: NonEmpty


class Sourced(Model):
    sources: list[Id] = Field(min_length=1)


class Source(Model):
    id: Id
    outlet: NonEmpty
    outlet_ko: NonEmpty | None = None  # the outlet's Korean name, where one exists
    kind: SourceKind
    title: NonEmpty
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    date: dt.date | None = None
    date_note: str | None = None  # e.g. "inferred from the article text"

    @property
    def official(self) -> bool:
        """The page carries Netflix's or the studio's own statement."""
        return self.kind == "official"

    def outlet_in(self, lang: Literal["en", "ko"]) -> str:
        """The outlet's name as a reader of ``lang`` knows it."""
        if lang == "ko" and self.outlet_ko is not None:
            return self.outlet_ko
        return self.outlet


class Figure(Sourced):
    """A headline figure such as viewing numbers or chart positions."""

    id: Id
    label: Text
    value: Text
    confidence: Confidence = "reported"


class SourceWork(Sourced):
    title: Text
    author: Id  # person id
    artist: Id | None = None  # person id (webtoon)
    platform: Text


class Show(Sourced):
    title: Text
    other_titles: list[str] = []
    premiere: dt.date
    episodes: PositiveInt64
    platform: NonEmpty
    countries: Int64 | None = None
    network_note: Text | None = None
    setting: Text | None = None
    source_work: SourceWork
    director: Id
    writer: Id
    production_companies: list[Text] = Field(min_length=1)
    figures: list[Figure] = []


class Person(Sourced):
    id: Id
    name: Text  # name.en is the primary romanization, name.ko the Hangul
    variants: list[str] = []  # other spellings seen in the press
    roles: list[Role] = Field(min_length=1)


class Character(Sourced):
    id: Id
    name: Text
    variants: list[str] = []
    titles: list[str] = []  # how fans address them: "Dr.", "Nurse", "교수", "장관" ...
    description: Text
    played_by: Id  # person id
    billing: Billing
    order: Int64  # billing order within the whole cast, 1 = first


class Ceremony(Sourced):
    id: Id
    name: Text  # e.g. "Baeksang Arts Awards" / "백상예술대상"
    edition: PositiveInt64
    date: dt.date
    venue: Text | None = None


class AwardEntry(Sourced):
    id: Id
    ceremony: Id
    category: Text
    person: Id | None = None  # nominee person; None when the show itself is the nominee
    show: bool = False  # the show (or its makers) is the nominee
    character: Id | None = None
    result: Result
    note: Text | None = None  # e.g. who won the category instead

    @model_validator(mode="after")
    def _has_nominee(self) -> AwardEntry:
        if self.person is None and not self.show:
            raise ValueError("an award entry needs a nominee: set 'person' or 'show: true'")
        return self


class PlannedMilestone(Model):
    """A plan stated in an event ("filming targeted for summer 2026")."""

    what: Text
    status: SeasonStatus  # the status the season would reach
    by: dt.date  # the last day the plan covers; after it, the plan is stale


class Quote(Model):
    """Words quoted in an event: ``text`` in the language ``original`` is verbatim, the other
    language is our translation (and the bot says so)."""

    original: Literal["en", "ko"]
    text: Text


class SeasonEvent(Sourced):
    id: Id
    date: dt.date
    precision: DatePrecision = "day"
    date_note: str | None = None
    summary: Text
    status: SeasonStatus
    confidence: Confidence
    planned: PlannedMilestone | None = None
    quote: Quote | None = None  # the source's own words, e.g. Netflix's statement


class Season(Model):
    number: PositiveInt64
    episodes: Int64 | None = None
    events: list[SeasonEvent] = Field(min_length=1)


# A topic's name is a role name and a select option's label in Discord (100 characters at
# most there); its description is the option's description (100). Kept shorter on purpose.
TOPIC_NAME_MAX: Final = 40
TOPIC_DESCRIPTION_MAX: Final = 100
# One select lists every topic plus "none" (Discord allows 25 options), and a server may get a
# role per topic: a handful is the point.
TOPICS_MAX: Final = 20
TopicName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TOPIC_NAME_MAX)
]
TopicDescription = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TOPIC_DESCRIPTION_MAX)
]


class TopicText(Model):
    en: TopicName
    ko: TopicName


class TopicDescriptionText(Model):
    en: TopicDescription
    ko: TopicDescription


class Topic(Model):
    """What an update is about, and what a fan chooses to be pinged for (seeds/topics.yaml).

    Not a fact: it has no sources. The first topic is the default of ``/production post``.
    """

    id: Id
    name: TopicText
    description: TopicDescriptionText


class Pack(Model):
    """The whole data pack (``load_pack`` cross-checks it; a bare ``Pack(...)`` is not)."""

    show: Show
    sources: list[Source]
    people: list[Person]
    characters: list[Character]
    ceremonies: list[Ceremony]
    awards: list[AwardEntry]
    seasons: list[Season]
    topics: list[Topic] = Field(min_length=1, max_length=TOPICS_MAX)
