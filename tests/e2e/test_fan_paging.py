"""Answers longer than one message, with a data pack bigger than the real one: the whole cast
and the awards page by page with ◀ n/N ▶, also when the answer comes from a 'did you mean'
button. The extra rows are synthetic (a bigger fandom's pack), written next to a copy of seeds/."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from discord_double import DiscordDouble, InteractionResult
from discord_double.models import Guild, Message

from bot.i18n.catalogue import lang_for
from tests.e2e.fan_helpers import all_text, button, buttons, custom_ids, shown

REPO = Path(__file__).resolve().parents[2]
EXTRA_CHARACTERS = 36
EXTRA_AWARDS = 70
FAMILY = ["가", "나", "다", "라", "마", "바"]
GIVEN = ["은", "준", "서", "민", "하", "윤"]
FAMILY_EN = ["Ga", "Na", "Da", "Ra", "Ma", "Ba"]
GIVEN_EN = ["Eun", "Jun", "Seo", "Min", "Ha", "Yun"]


def _name(index: int, offset: int) -> dict[str, str]:
    a, b, c = index % 6, (index // 6) % 6, (index + offset) % 6
    return {
        "en": f"{FAMILY_EN[a]} {GIVEN_EN[b]}-{GIVEN_EN[c].lower()}",
        "ko": f"{FAMILY[a]}{GIVEN[b]}{GIVEN[c]}",
    }


def _rewrite(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def bigger_pack(directory: Path) -> Path:
    """seeds/ plus many supporting characters (their actors) and many award entries."""
    shutil.copytree(REPO / "seeds", directory)
    source = yaml.safe_load((directory / "sources.yaml").read_text(encoding="utf-8"))
    source_id = source["sources"][0]["id"]

    def add_people(data: dict[str, Any]) -> None:
        for i in range(EXTRA_CHARACTERS):
            data["people"].append(
                {"id": f"extra-actor-{i}", "name": _name(i, 1), "roles": ["actor"],
                 "sources": [source_id]}
            )  # fmt: skip

    def add_characters(data: dict[str, Any]) -> None:
        start = max(c["order"] for c in data["characters"]) + 1
        for i in range(EXTRA_CHARACTERS):
            data["characters"].append(
                {
                    "id": f"extra-character-{i}",
                    "name": _name(i, 3),
                    "description": {
                        "en": f"Extra character {i}, a resident who is on call most nights "
                        "and knows every corner of the trauma bay, the helipad and the ward.",
                        "ko": f"추가 인물 {i}. 거의 매일 밤 당직을 서며 외상 소생실과 헬기장, "
                        "병동의 구석구석을 아는 전공의. 환자가 들어오면 누구보다 먼저 뛰어가고, "
                        "수술이 끝나면 보호자에게 가장 늦게까지 설명하는 사람이다.",
                    },
                    "played_by": f"extra-actor-{i}",
                    "billing": "supporting" if i % 2 else "cameo",
                    "order": start + i,
                    "sources": [source_id],
                }
            )

    def add_awards(data: dict[str, Any]) -> None:
        ceremonies = [c["id"] for c in data["ceremonies"]]
        for i in range(EXTRA_AWARDS):
            data["awards"].append(
                {
                    "id": f"extra-award-{i}",
                    "ceremony": ceremonies[i % len(ceremonies)],
                    "category": {"en": f"Special Category {i}", "ko": f"특별 부문 {i}"},
                    "person": "kim-jae-won",
                    "result": "nominated",
                    "note": {
                        "en": f"Won by another drama's ensemble cast in round {i} of the vote",
                        "ko": f"수상작: 다른 드라마의 앙상블 출연진 전원, 시청자 투표와 "
                        f"심사위원 평가를 합산한 {i}차 결과",
                    },
                    "sources": [source_id],
                }
            )

    _rewrite(directory / "people.yaml", add_people)
    _rewrite(directory / "characters.yaml", add_characters)
    _rewrite(directory / "awards.yaml", add_awards)
    return directory


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return bigger_pack(tmp_path / "seeds")


async def read_every_page(
    double: DiscordDouble, first: InteractionResult | Message, locale: str
) -> list[dict[str, Any]]:
    """Click ▶ until it is disabled; the embeds of every page, in order."""
    message = first.message if isinstance(first, InteractionResult) else first
    assert message is not None
    pages = [message.embeds[0]]
    count = len(pages)
    total = None
    while True:
        marker = [b for b in buttons(message) if "/" in str(b.get("label"))]
        assert marker and marker[0]["disabled"], "no page marker"
        number, total = (int(x) for x in str(marker[0]["label"]).split("/"))
        assert number == count
        forward = button(message, "▶")
        if forward["disabled"]:
            break
        turned = await double.click(message, forward["custom_id"], locale=locale)
        assert turned.response_type == 7
        message = turned.message
        assert message is not None
        pages.append(message.embeds[0])
        count += 1
    assert total == len(pages) >= 2
    return pages


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_the_whole_cast_pages_through_in_billing_order(
    double: DiscordDouble, tmp_path: Path, seeds: Path, locale: str
) -> None:
    from tests.e2e.golden import golden_settings, start_golden

    guild: Guild = double.add_guild("Big fandom")
    double.add_channel(guild, "general")
    settings = golden_settings(double, tmp_path / "big.sqlite3", seeds_dir=seeds)
    async with start_golden(double, settings) as bot:
        lang = lang_for(locale)
        texts, catalog = bot.services.texts, bot.services.facts.catalog
        first = await double.invoke("cast", {}, guild=guild, locale=locale)
        assert not first.ephemeral
        assert button(first.message, "◀")["disabled"] is True
        pages = await read_every_page(double, first, locale)
    for number, page in enumerate(pages, start=1):
        label = texts.t(lang, "common.page", page=number, pages=len(pages))
        assert page["footer"]["text"].endswith(label)
    text = all_text(pages)
    names = [c.name.ko if lang == "ko" else c.name.en for c in catalog.cast]
    assert len(names) == 10 + EXTRA_CHARACTERS
    # English lines read "**Baek Kang-hyuk (백강혁)**, played by …"; Korean "**백강혁**(주지훈 분)".
    starts = [f"**{name}**(" if lang == "ko" else f"**{name} (" for name in names]
    positions = [text.index(start) for start in starts]
    assert positions == sorted(positions)  # billing order, across pages


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_awards_page_through_and_a_picked_name_gets_pages_too(
    double: DiscordDouble, tmp_path: Path, seeds: Path, locale: str
) -> None:
    from tests.e2e.golden import golden_settings, start_golden

    guild: Guild = double.add_guild("Big fandom")
    double.add_channel(guild, "general")
    settings = golden_settings(double, tmp_path / "big.sqlite3", seeds_dir=seeds)
    async with start_golden(double, settings) as bot:
        texts, lang = bot.services.texts, lang_for(locale)
        everything = await double.invoke("awards", {}, guild=guild, locale=locale)
        pages = await read_every_page(double, everything, locale)
        text = all_text(pages)
        for i in range(EXTRA_AWARDS):
            category = f"Special Category {i}" if lang == "en" else f"특별 부문 {i}"
            assert text.count(f"**{category}**") == 1, category
        nominations = len(bot.services.facts.pack.awards)  # a win is also a nomination
        tally = texts.plural(lang, "awards.tally.nominations", nominations)
        assert tally in pages[0]["description"]

        prompt = await double.invoke("awards", {"who": "Jae-won"}, guild=guild, locale=locale)
        click = await double.click(
            shown(prompt), "gh:awards:pick:person:kim-jae-won:-:all", locale=locale
        )
        (answer,) = await click.wait_for_followups(1)
        assert not answer.ephemeral
        picked_pages = await read_every_page(double, answer, locale)
        direct = await double.invoke(
            "awards", {"who": "person:kim-jae-won"}, guild=guild, locale=locale
        )
        assert picked_pages == await read_every_page(double, direct, locale)


async def test_a_button_naming_someone_gone_after_a_data_update_answers_politely(
    double: DiscordDouble, tmp_path: Path, seeds: Path
) -> None:
    from tests.e2e.golden import golden_settings, start_golden

    guild: Guild = double.add_guild("Big fandom")
    double.add_channel(guild, "general")
    bigger = golden_settings(double, tmp_path / "big.sqlite3", seeds_dir=seeds)
    async with start_golden(double, bigger):
        prompt = await double.invoke("cast", {"name": "Ga"}, guild=guild)
    gone = [i for i in custom_ids(prompt.message) if ":character:extra-character-" in i]
    assert gone, custom_ids(prompt.message)
    real = golden_settings(double, tmp_path / "real.sqlite3")  # the real pack: extras are gone
    async with start_golden(double, real) as bot:
        click = await double.click(shown(prompt), gone[0])
        expected = bot.services.texts.t("en", "error.bad_input")
    assert click.ephemeral
    assert click.content == expected
