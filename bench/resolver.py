"""Name resolver: accuracy on the labelled query set and latency per query, vs a naive baseline.

The baseline is what a bot would do without Korean-aware matching: ``rapidfuzz`` ``extractOne``
over the listed English names and variants, with a score cutoff. It can only answer "this one"
or "nothing", so it never asks when a name is ambiguous.

Run: ``.venv/bin/python -m bench.resolver`` (or ``python -m bench resolver``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process, utils

from bench.record import Figure, median, percentile
from bot.datapack.loader import load_pack
from bot.domain.names import entries_from_pack
from bot.domain.resolver import NameEntry, Resolution, Resolver

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "tests" / "data" / "resolver_queries.yaml"
SEEDS = ROOT / "seeds"
ROUNDS = 20
BASELINE_CUTOFF = 80.0  # WRatio score below which the baseline answers "nothing"
P99_TARGET_MS = 2.0
ACCURACY_TARGET = 98.0

Answer = tuple[str, list[str]]  # (outcome, candidate keys)


class Baseline:
    """``rapidfuzz.process.extractOne`` over every listed English name and variant."""

    def __init__(self, entries: list[NameEntry]) -> None:
        self.choices: list[str] = []
        self.keys: list[str] = []
        for entry in entries:
            for name in (entry.name_en, *entry.variants):
                self.choices.append(name)
                self.keys.append(entry.key)

    def answer(self, query: str) -> Answer:
        found = process.extractOne(
            query,
            self.choices,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            score_cutoff=BASELINE_CUTOFF,
        )
        if found is None:
            return "none", []
        return "unique", [self.keys[found[2]]]


def answer_of(resolution: Resolution) -> Answer:
    return resolution.outcome, [c.entry.key for c in resolution.candidates]


def judge(query: dict[str, Any], answer: Answer) -> tuple[bool, bool]:
    """(right, wrong unique): a unique answer naming the wrong entry is the costly mistake."""
    outcome, keys = answer
    best = keys[0] if outcome == "unique" else None
    if query["expect"] == "unique":
        right = best == query["key"]
    elif query["expect"] == "ambiguous":
        right = outcome == "ambiguous" and set(query["keys"]) <= set(keys)
    else:
        right = outcome == "none"
    return right, best is not None and not right


def score(queries: list[dict[str, Any]], answer: Callable[[str], Answer]) -> dict[str, Any]:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    wrong_unique = 0
    for query in queries:
        ok, wrong = judge(query, answer(query["q"]))
        total[query["cat"]] += 1
        right[query["cat"]] += ok
        wrong_unique += wrong
    return {
        "accuracy": 100 * sum(right.values()) / len(queries),
        "wrong_unique": wrong_unique,
        "by_category": {c: (right[c], total[c]) for c in sorted(total)},
    }


def latencies_ms(texts: list[str], call: Callable[[str], object], rounds: int) -> list[float]:
    for text in texts:  # warm-up: first calls fill lazily built tables
        call(text)
    samples: list[float] = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter_ns()
            call(text)
            samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def keystrokes(entries: list[NameEntry]) -> list[str]:
    """Every prefix a fan types on the way to each name, in English and in Hangul."""
    typed: list[str] = []
    for entry in entries:
        typed += [entry.name_en[:end] for end in range(1, len(entry.name_en) + 1)]
        typed += [entry.name_ko[:end] for end in range(1, len(entry.name_ko) + 1)]
    return typed


def run(rounds: int = ROUNDS) -> list[dict[str, Any]]:
    entries = entries_from_pack(load_pack(SEEDS))
    queries: list[dict[str, Any]] = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]
    texts = [q["q"] for q in queries]

    start = time.perf_counter_ns()
    resolver = Resolver(entries)
    build_ms = (time.perf_counter_ns() - start) / 1e6
    baseline = Baseline(entries)

    ours = score(queries, lambda q: answer_of(resolver.resolve(q)))
    naive = score(queries, baseline.answer)
    ours_ms = latencies_ms(texts, resolver.resolve, rounds)
    naive_ms = latencies_ms(texts, baseline.answer, rounds)
    suggest_ms = latencies_ms(keystrokes(entries), resolver.suggest, rounds)

    print(f"{len(queries)} labelled queries x {rounds} rounds; per category (ours / baseline):")
    for category, (right, total) in ours["by_category"].items():
        print(
            f"  {category:13} {right:>3}/{total:<3}  {naive['by_category'][category][0]:>3}/{total}"
        )

    beats = ours["accuracy"] > naive["accuracy"]
    figures = [
        Figure(
            "resolver accuracy",
            round(ours["accuracy"], 2),
            "%",
            f">= {ACCURACY_TARGET:g} % and > baseline",
            ours["accuracy"] >= ACCURACY_TARGET and beats,
            f"{len(queries)} labelled queries",
        ),
        Figure(
            "resolver wrong unique answers",
            ours["wrong_unique"],
            "queries",
            "0",
            ours["wrong_unique"] == 0,
        ),
        Figure("baseline accuracy", round(naive["accuracy"], 2), "%", note="rapidfuzz extractOne"),
        Figure("baseline wrong unique answers", naive["wrong_unique"], "queries"),
        Figure("resolve p50", round(median(ours_ms), 4), "ms"),
        Figure(
            "resolve p99",
            round(percentile(ours_ms, 99), 4),
            "ms",
            f"< {P99_TARGET_MS:g} ms",
            percentile(ours_ms, 99) < P99_TARGET_MS,
        ),
        Figure("baseline p50", round(median(naive_ms), 4), "ms"),
        Figure("baseline p99", round(percentile(naive_ms, 99), 4), "ms"),
        Figure("suggest p50 (per keystroke)", round(median(suggest_ms), 4), "ms"),
        Figure(
            "suggest p99 (per keystroke)",
            round(percentile(suggest_ms, 99), 4),
            "ms",
            f"< {P99_TARGET_MS:g} ms",
            percentile(suggest_ms, 99) < P99_TARGET_MS,
        ),
        Figure("resolver index build", round(build_ms, 3), "ms", note=f"{len(entries)} entries"),
    ]
    return [f.as_dict() for f in figures]


def main() -> None:
    for record in run():
        met = {True: "met", False: "MISSED", None: ""}[record["met"]]
        print(
            f"{record['name']:<30} {record['value']:>10} {record['unit']:<8} "
            f"{record['target']:<28} {met}"
        )


if __name__ == "__main__":
    main()
