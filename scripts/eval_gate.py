#!/usr/bin/env python3
"""Quality gate: the shipped model must not fall below pinned floors.

Usage::

    python scripts/eval_gate.py            # check; exit 1 if a metric falls below its floor
    python scripts/eval_gate.py --update   # re-pin floors from a fresh measurement
    python scripts/eval_gate.py --update --allow-lower   # ... even if some go down or are not measured

corpus/eval_baseline.json holds the floors (minimums) and ceilings (maximums)
measured by scripts/evaluate.py, a noise allowance ``epsilon``, and the
SHA-256 of every evaluation file, so a silent change of the data fails the gate
instead of moving the goalposts; ``LIMITS`` caps the false-positive rates at the
issue's 1 % whatever the pins. A missing baseline fails the check. The baseline
is written atomically.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import evaluate  # noqa: E402
from evaluate import DEFAULT_SEEDS  # noqa: E402
from script_args import check_seeds, load_detector  # noqa: E402

from spincheck.cli import write_atomically  # noqa: E402

BASELINE = ROOT / "corpus" / "eval_baseline.json"
DATA_FILES = ("heldout_synthetic.jsonl", "heldout_clean_speeches.jsonl")
EPSILON = 0.01
# metric path -> "floor" (higher is better) or "ceiling" (lower is better)
METRICS = {
    "synthetic.roc_auc": "floor",
    "synthetic.recall": "floor",
    "synthetic.precision": "floor",
    "synthetic_unknown_thesaurus.roc_auc": "floor",
    "evidence.flagged_paragraphs.covered_share": "floor",
    "evidence.flagged_paragraphs.suggestion_right_share": "floor",
    "speeches_fpr.fpr": "ceiling",
    "synthetic.fpr": "ceiling",
    "seeds.spun_flagged": "floor",
    "seeds.originals_flagged": "ceiling",
}


# Sections of the report that exist only where their data does.
OPTIONAL_SECTIONS = ("seeds",)
# Limits the detector's issue sets, whatever the pins and their allowance: a ceiling pinned at
# 0.6 % with an allowance of 0.01 would otherwise pass a false-positive rate of 1.59 %.
LIMITS = {"speeches_fpr.fpr": 0.01, "synthetic.fpr": 0.01}


def _get(report: dict, path: str):
    value = report
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def data_hashes(corpus: Path) -> dict[str, str]:
    return {name: hashlib.sha256((corpus / name).read_bytes()).hexdigest() for name in DATA_FILES}


def check(report: dict, baseline: dict, corpus: Path) -> list[str]:
    problems = []
    for name, digest in baseline.get("data_sha256", {}).items():
        actual = data_hashes(corpus).get(name)
        if actual != digest:
            problems.append(f"{name}: data changed (sha256 {actual} != pinned {digest})")
    eps = float(baseline.get("epsilon", EPSILON))
    for path, kind in METRICS.items():
        pinned = baseline.get("pinned", {}).get(path)
        value = _get(report, path)
        if pinned is None:
            continue
        if value is None:
            # a pinned figure that went missing fails, unless its whole section is optional and
            # absent (the seed figures need ../shared/seeds)
            if path.split(".")[0] in report or path.split(".")[0] not in OPTIONAL_SECTIONS:
                problems.append(f"{path} is missing from the report (pinned at {pinned})")
            continue
        if kind == "floor" and value < pinned - eps * (1 if pinned <= 1 else pinned):
            problems.append(f"{path} = {value} fell below its floor {pinned}")
        if kind == "ceiling" and value > pinned + eps * (1 if pinned <= 1 else max(pinned, 1)):
            problems.append(f"{path} = {value} rose above its ceiling {pinned}")
    for path, limit in LIMITS.items():
        value = _get(report, path)
        if value is not None and value > limit:
            problems.append(f"{path} = {value} is over its limit {limit}")
    return problems


def write_baseline(report: dict, corpus: Path, old: dict, allow_lower: bool) -> list[str]:
    pinned = {path: _get(report, path) for path in METRICS if _get(report, path) is not None}
    lowered = []
    for path, kind in METRICS.items():
        before, now = old.get("pinned", {}).get(path), pinned.get(path)
        if before is not None and now is None:  # not measured here (no ../shared/seeds): its pin would go
            lowered.append(f"{path}: {before} -> not measured (pass --seeds DIR)")
        if before is None or now is None:
            continue
        if (kind == "floor" and now < before) or (kind == "ceiling" and now > before):
            lowered.append(f"{path}: {before} -> {now}")
    if lowered and not allow_lower:
        return lowered
    baseline = {"epsilon": EPSILON, "data_sha256": data_hashes(corpus), "pinned": pinned, "model": report.get("model")}
    write_atomically(BASELINE, json.dumps(baseline, indent=2, sort_keys=True) + "\n")
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    parser.add_argument(
        "--seeds", type=Path, default=DEFAULT_SEEDS, help="the seed articles (default: ../shared/seeds, if present)"
    )
    parser.add_argument("--update", action="store_true", help="re-pin the baseline from this measurement")
    parser.add_argument(
        "--allow-lower", action="store_true", help="with --update: pin even figures that got worse or went unmeasured"
    )
    args = parser.parse_args(argv)
    check_seeds(parser, args.seeds, DEFAULT_SEEDS)

    old = json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}
    if not old and not args.update:  # nothing pinned would pass everything
        print(f"eval gate: FAILED: no baseline at {BASELINE} (pin one with --update)", file=sys.stderr)
        return 1
    report = evaluate.evaluate(load_detector(parser, args.model), ROOT / "corpus", args.seeds)
    if args.update:
        lowered = write_baseline(report, ROOT / "corpus", old, args.allow_lower)
        if lowered:
            print("refusing to lower floors without --allow-lower:\n  " + "\n  ".join(lowered), file=sys.stderr)
            return 1
        print(f"pinned {BASELINE}")
        return 0
    problems = check(report, old, ROOT / "corpus")
    for p in problems:
        print(f"eval gate: {p}", file=sys.stderr)
    print("eval gate: " + ("FAILED" if problems else "passed"))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
