"""Sources read as sources: 'Outlet, date', each page once, non-news named as what it is."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.datapack.models import Source
from bot.i18n.catalogue import Catalogue
from bot.render.common import SOURCE_SEP, source_label, source_links, unique_sources


class KindedSource(Source):
    """A source as the data pack describes it once every source has a ``kind``."""

    kind: str = "press"


@pytest.fixture(scope="module")
def texts() -> Catalogue:
    return Catalogue.load()


def _source(ident: str, url: str, **extra: object) -> Source:
    fields: dict[str, object] = {
        "id": ident,
        "outlet": "Soompi",
        "title": "A headline",
        "url": url,
        "date": dt.date(2025, 3, 2),
    }
    fields.update(extra)
    return KindedSource.model_validate(fields)


def test_a_label_is_outlet_comma_date_in_each_language(texts: Catalogue) -> None:
    source = _source("a", "https://example.com/a")
    assert source_label(source, "en", texts) == "Soompi, 2 March 2025"
    assert source_label(source, "ko", texts) == "Soompi, 2025년 3월 2일"


@pytest.mark.parametrize(
    ("kind", "en", "ko"),
    [
        ("forum", "Soompi, 2 March 2025 (forum post)", "Soompi, 2025년 3월 2일 (커뮤니티 글)"),
        ("repost", "Soompi, 2 March 2025 (repost)", "Soompi, 2025년 3월 2일 (재게재)"),
        ("press", "Soompi, 2 March 2025", "Soompi, 2025년 3월 2일"),
    ],
)
def test_forums_and_reposts_are_named_as_what_they_are(
    texts: Catalogue, kind: str, en: str, ko: str
) -> None:
    source = _source("a", "https://example.com/a", kind=kind)
    assert source_label(source, "en", texts) == en
    assert source_label(source, "ko", texts) == ko


def test_the_same_page_is_listed_once(texts: Catalogue) -> None:
    first = _source("a", "https://example.com/a")
    again = _source("b", "https://example.com/a/")
    other = _source("c", "https://example.com/c", title="Another headline")
    assert unique_sources([first, again, other]) == [first, other]
    text = source_links([first, again, other], "en", texts, 1024)
    assert text.count("](") == 2
    assert SOURCE_SEP in text
