"""What other thresholds would flag: the table under "Choosing another threshold" in the README.

The shipped threshold keeps the false-positive rate on the clean paragraphs of
the dev split at 0.8 %, pooled over its seven genres. This script scores the
dev split again and, for that threshold and for the ones that would keep the
pooled rate at 1 % or the rate on dev news (Reuters, BBC and ABC) at 0.8 % or
1 %, prints what each one flags: dev FPR pooled, on news and by genre,
held-out recall and FPR, clean speeches, the seed copy and, with
``--foreign``, spins made with Moby Thesaurus II.

Usage (from the repository root, with ``pip install -e ".[build]"``)::

    python scripts/threshold_choices.py [--model models] [--foreign] [--json out.json]

``scripts/compare_seeds.py`` uses :func:`recall_at_fpr` to compare
models at the same dev-news FPR: two models' thresholds, each picked on the
pooled genres, can hold news at different rates.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import corpora  # noqa: E402
import evaluate  # noqa: E402
from script_args import DATA_HELP, check_data, check_output_dir, load_detector  # noqa: E402

from spincheck import Detector  # noqa: E402
from spincheck.lexicon import Lexicon  # noqa: E402
from spincheck.metrics import threshold_for_fpr  # noqa: E402
from spincheck.spinner import Spinner  # noqa: E402
from spincheck.text import split_paragraphs  # noqa: E402

NEWS_SOURCES = ("reuters21578", "bbc", "abc")
# (label, genres whose FPR is held, FPR)
POLICIES = (
    ("pooled dev FPR 1 %", None, 0.01),
    ("dev news FPR 0.8 %", NEWS_SOURCES, 0.008),
    ("dev news FPR 1 %", NEWS_SOURCES, 0.01),
)


def dev_paragraphs(split_dir: Path) -> tuple[list[str], list[str]]:
    """Source and text of every paragraph of the dev split."""
    sources, texts = [], []
    for record in evaluate.read_jsonl(split_dir / "dev.jsonl"):
        for span in split_paragraphs(record["text"]):
            sources.append(record["source"])
            texts.append(record["text"][span.start : span.end])
    return sources, texts


def dev_scores(det: Detector, split_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """Source and spin probability of every clean dev paragraph the detector scores."""
    sources, texts = dev_paragraphs(split_dir)
    results = det.score_paragraphs(texts)
    scored = np.array([r.spun is not None for r in results], dtype=bool)
    probs = np.array([r.probability for r in results], dtype=float)
    return np.array(sources)[scored], probs[scored]


def dev_spins(lexicon: Lexicon, split_dir: Path, seed: int = 0) -> list[dict]:
    """The dev paragraphs spun with the held-out synonym pairs, as training spins its dev set."""
    spinner = Spinner(lexicon, split="heldout")
    rng = np.random.default_rng(seed)
    rows = []
    for source, text in zip(*dev_paragraphs(split_dir)):
        spun = spinner.spin(text, rng)
        if spun.replacements:
            rows.append({"source": source, "text": spun.text, "label": 1})
    return rows


def recall_at_fpr(det: Detector, clean_probs: np.ndarray, rows: list[dict], fprs=(0.005, 0.01)) -> dict[str, float]:
    """Recall on the spun ``rows`` at the thresholds that hold ``clean_probs`` at each FPR in ``fprs``.

    Rows too short to score are left out, as :func:`dev_scores` leaves out clean ones.
    """
    _, p, results = evaluate._scores(det, [r for r in rows if r["label"] == 1])
    p = p[[r.spun is not None for r in results]]
    return {f"{fpr:g}": float(np.mean(p >= threshold_for_fpr(clean_probs, fpr))) for fpr in fprs}


def printed_threshold(threshold: float) -> float:
    """``threshold`` rounded up to the 4 digits printed, so that the value a reader passes to
    ``--threshold`` flags no more than the policy allows (rounded to the nearest, the pooled 1 % one,
    0.957846, was printed 0.9578, which flagged one clean dev paragraph more than its figures)."""
    return math.ceil(round(threshold * 10**4, 6)) / 10**4


def flagged_share(probs: np.ndarray, threshold: float) -> float | None:
    return float(np.mean(probs >= threshold)) if probs.size else None


def choices(det: Detector, split_dir: Path, data: Path, foreign: bool) -> list[dict]:
    """One row of figures for each threshold: the shipped one and those of ``POLICIES``."""
    sources, dev = dev_scores(det, split_dir)
    news = dev[np.isin(sources, NEWS_SOURCES)]
    held = evaluate.read_jsonl(evaluate.CORPUS / "heldout_synthetic.jsonl")
    y_held, p_held, _ = evaluate._scores(det, held)
    _, p_speech, _ = evaluate._scores(det, evaluate.read_jsonl(evaluate.CORPUS / "heldout_clean_speeches.jsonl"))
    seeds = data.parent / "seeds"
    y_seed = p_seed = None
    if seeds.is_dir():
        import seed_devset

        y_seed, p_seed, _ = evaluate._scores(det, seed_devset.build(seeds))
    y_moby = p_moby = None
    if foreign:
        import eval_foreign_thesaurus as moby

        rows = moby.foreign_set(data, moby.moby_lexicon(moby.moby_words(), "frequency"))
        y_moby, p_moby, _ = evaluate._scores(det, rows)
    thresholds = [("shipped: pooled dev FPR 0.8 %", det.threshold)]
    for label, genres, fpr in POLICIES:
        held_clean = dev if genres is None else dev[np.isin(sources, genres)]
        thresholds.append((label, printed_threshold(threshold_for_fpr(held_clean, fpr))))
    out = []
    for label, t in thresholds:
        row = {
            "threshold": round(t, 4),
            "chosen for": label,
            "dev FPR pooled": flagged_share(dev, t),
            "dev FPR news": flagged_share(news, t),
            "dev FPR by source": {s: flagged_share(dev[sources == s], t) for s in sorted(set(sources))},
            "held-out recall": flagged_share(p_held[y_held == 1], t),
            "held-out FPR": flagged_share(p_held[y_held == 0], t),
            "clean speeches FPR": flagged_share(p_speech, t),
        }
        if p_moby is not None:
            row["Moby (frequency) recall"] = flagged_share(p_moby[y_moby == 1], t)
        if p_seed is not None:
            row["seed copy flagged (of 15)"] = int(np.sum(p_seed[y_seed == 1] >= t))
            row["seed originals flagged"] = int(np.sum(p_seed[y_seed == 0] >= t))
        out.append(row)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "models", help="model directory (default: models/)")
    parser.add_argument("--data", type=Path, default=corpora.DEFAULT_DATA, help=DATA_HELP)
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="scratch directory (not committed)")
    parser.add_argument("--foreign", action="store_true", help="also measure on spins made with Moby Thesaurus II")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON")
    args = parser.parse_args(argv)
    detector = load_detector(parser, args.model)
    check_output_dir(parser, "--json", args.json)
    split_dir = args.work / "corpora"
    if not (split_dir / "dev.jsonl").is_file():
        check_data(parser, args.data)
        print(f"exporting corpora to {split_dir} ...", file=sys.stderr, flush=True)
        corpora.export(split_dir, args.data)
    rows = choices(detector, split_dir, args.data, args.foreign)
    for row in rows:
        print(f"{row['threshold']:.4f}  {row['chosen for']}")
        for key, value in row.items():
            if key in ("threshold", "chosen for"):
                continue
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v:.2%}" for k, v in value.items() if v is not None)
            elif isinstance(value, float):
                value = f"{value:.2%}" if "FPR" in key else f"{value:.3f}"
            print(f"    {key}: {value}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
