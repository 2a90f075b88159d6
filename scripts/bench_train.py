#!/usr/bin/env python3
"""Time ``spincheck train`` on real corpora: wall time, peak memory, and what the model flags.

Usage (from the repository root, with ``pip install -e ".[build]"``)::

    python scripts/bench_train.py abc        # retrain on the ABC corpus only (~0.66 M words)
    python scripts/bench_train.py 10m        # retrain on ~10 M words (all clean corpora, repeated to 10 M)
    python scripts/bench_train.py abc --json out.json

Each run exports the corpus to JSONL in a scratch directory, runs
``python -m spincheck train --clean FILE --out DIR --seed 0`` in a child
process (so its peak RSS is measured alone), then scores the seed articles
000 (original) and 004 (partly spun copy) with the new model.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import corpora  # noqa: E402
import seed_devset  # noqa: E402
from script_args import DATA_HELP, SEEDS_HELP, check_data, check_output_dir, check_seeds, seed  # noqa: E402


def export(kind: str, out: Path, data: Path) -> int:
    """Write the corpus as JSONL documents; return its word count."""
    words = 0
    target = 10_000_000 if kind == "10m" else None
    docs = [d for d in corpora.iter_documents(data) if kind == "10m" or d["source"] == "abc"]
    if kind == "10m":
        docs = [d for d in docs if d["source"] not in corpora.HELDOUT_SOURCES]
    with open(out, "w", encoding="utf-8") as f:
        copy = 0
        while True:
            for d in docs:
                text = "\n\n".join(d["paragraphs"])
                f.write(json.dumps({"id": f"{d['id']}#{copy}", "text": text}) + "\n")
                words += len(text.split())
                if target and words >= target:
                    return words
            if not target:
                return words
            copy += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "kind", choices=["abc", "10m"], help="ABC news only, or all clean corpora repeated to 10 M words"
    )
    parser.add_argument("--data", type=Path, default=corpora.DEFAULT_DATA, help=DATA_HELP)
    parser.add_argument("--seeds", type=Path, default=seed_devset.DEFAULT_SEEDS, help=SEEDS_HELP)
    parser.add_argument("--seed", type=seed, default=0, help="training seed passed to spincheck train (default 0)")
    parser.add_argument(
        "--reference",
        choices=["merge", "replace"],
        default="merge",
        help="passed to spincheck train (default merge). The shipped reference already holds most ABC "
        "documents, so 'abc' with merge scores partly familiar held-out text; replace avoids that",
    )
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    check_data(parser, args.data)
    check_seeds(parser, args.seeds, seed_devset.DEFAULT_SEEDS)
    check_output_dir(parser, "--json", args.json)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / f"{args.kind}.jsonl"
        words = export(args.kind, corpus, args.data)
        model = Path(tmp) / "model"
        cmd = [sys.executable, "-m", "spincheck", "train", "--clean", str(corpus), "--out", str(model), "--seed", str(args.seed), "--reference", args.reference]
        t0 = time.time()
        # the checkout's spincheck, as this process imports it, not whichever copy is installed
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        wall = time.time() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        from spincheck import Detector

        det = Detector.load(model)
        rows = seed_devset.build(args.seeds) if args.seeds.is_dir() else []
        res = det.score_paragraphs([r["text"] for r in rows])
        flagged_004 = sum(1 for r, x in zip(rows, res) if r["id"].startswith("004") and r["label"] == 1 and x.spun)
        flagged_000 = sum(1 for r, x in zip(rows, res) if r["id"].startswith("000") and x.spun)
        card = json.loads((model / "card.json").read_text(encoding="utf-8"))
        report = {
            "corpus": args.kind,
            "reference": args.reference,
            "words": words,
            "wall_seconds": round(wall, 1),
            "peak_rss_mb": round(peak_mb, 1),
            "threshold": card["threshold"],
            "heldout_metrics": {k: v for k, v in card["heldout_metrics"].items() if k != "unknown_thesaurus"},
            "seed_004_spun_flagged": flagged_004,
            "seed_004_spun": sum(1 for r in rows if r["id"].startswith("004") and r["label"] == 1),
            "seed_000_flagged": flagged_000,
        }
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
