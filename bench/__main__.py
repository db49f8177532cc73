"""Run every benchmark, print a table and write ``bench/results.json``.

``python -m bench`` runs all; ``python -m bench resolver latency`` runs the named ones.
Benchmarks never fail: they report figures and whether each met its target.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib
import inspect
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

SUITES = [
    "resolver",
    "devserver",
    "latency",
    "fanout",
    "deadline",
    "scale",
    "reload",
    "schedule",
    "processes",
    "store",
    "claims",
    "engines",
]
RESULTS = Path(__file__).with_name("results.json")


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def collect(name: str) -> list[dict[str, Any]]:
    module = importlib.import_module(f"bench.{name}")
    result = module.run()
    if inspect.isawaitable(result):
        result = asyncio.run(result)  # type: ignore[arg-type]
    records = [r if isinstance(r, dict) else r.as_dict() for r in result]
    for record in records:
        record.setdefault("suite", name)
    return records


def print_table(records: list[dict[str, Any]]) -> None:
    width = max((len(r["name"]) for r in records), default=10)
    for r in records:
        met = {True: "met", False: "MISSED", None: ""}[r.get("met")]
        value = r["value"]
        shown = f"{value:,.3f}" if isinstance(value, float) else f"{value:,}"
        print(f"{r['name']:<{width}}  {shown:>14} {r['unit']:<8} {r.get('target', ''):<14} {met}")
        if r.get("met") is False and r.get("note"):
            print(f"    ({r['note']})")  # why it missed, or what the figure included


def merge_results(suite: str, records: list[dict[str, Any]]) -> None:
    """Put `records` (of `suite`) into results.json, replacing figures of the same name."""
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    names = {r["name"] for r in records}
    kept = [r for r in previous.get("figures", []) if r.get("name") not in names]
    for record in records:
        record.setdefault("suite", suite)
    RESULTS.write_text(
        json.dumps({"machine": machine(), "figures": kept + records}, indent=2, ensure_ascii=False)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("suites", nargs="*", choices=[*SUITES, []], default=None)
    args = parser.parse_args(argv)
    chosen = args.suites or SUITES
    previous: dict[str, Any] = {}
    if RESULTS.exists() and args.suites:
        previous = json.loads(RESULTS.read_text())
    kept = [r for r in previous.get("figures", []) if r.get("suite") not in chosen]
    records: list[dict[str, Any]] = []
    for name in chosen:
        print(f"== {name}", flush=True)
        suite_records = collect(name)
        print_table(suite_records)
        records.extend(suite_records)
        # Written after every suite, so a run that fails late keeps what it measured.
        RESULTS.write_text(
            json.dumps(
                {"machine": machine(), "figures": kept + records}, indent=2, ensure_ascii=False
            )
        )
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
