#!/usr/bin/env python3
"""Build the shipped held-out evaluation sets in corpus/ (public-domain text only).

Usage::

    python scripts/make_heldout.py --data ../shared/data --out corpus/ --seed 7

Both sets come from the US presidential speeches (State of the Union,
inaugural addresses: public domain), a source and genre never used for the
reference statistics or for training:

- ``heldout_synthetic.jsonl``: paragraphs, each either clean (label 0) or spun
  (label 1) by the synthetic spinner using ONLY the lexicon's held-out
  lemma-pair groups (substitutions never seen in training), at mixed rates;
  spun records list their ``replacements`` as ``[start, end, original,
  replacement]`` (offsets into the spun text) for evidence scoring.
- ``heldout_clean_speeches.jsonl``: other clean paragraphs of the same
  speeches (label 0), to measure the false-positive rate on another genre.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Iterable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import corpora  # noqa: E402
from script_args import DATA_HELP, check_data, positive_int, seed  # noqa: E402

from spincheck.lexicon import Lexicon  # noqa: E402
from spincheck.spinner import Spinner  # noqa: E402
from spincheck.text import tokenize  # noqa: E402

MIN_WORDS = 20
SEED = 7
SYNTHETIC = 1200
CLEAN = 1500


def speech_paragraphs(data: Path, rng: np.random.Generator) -> list[tuple[str, str]]:
    """(id, text) of every speech paragraph of MIN_WORDS or more, in an order drawn from ``rng``.

    The sets take consecutive slices of this order, so they never share a
    paragraph; ``scripts/eval_foreign_thesaurus.py`` takes the slice after them.
    """
    paragraphs = []
    for doc in corpora.iter_documents(data):
        if doc["source"] in corpora.HELDOUT_SOURCES:
            for k, p in enumerate(doc["paragraphs"]):
                if len(tokenize(p)) >= MIN_WORDS:
                    paragraphs.append((f"{doc['id']}#{k}", p))
    return [paragraphs[i] for i in rng.permutation(len(paragraphs))]


def spun_records(paragraphs: list[tuple[str, str]], spinner: Spinner, rng: np.random.Generator) -> list[dict]:
    """Every other paragraph spun (label 1, with its replacements), the rest clean (label 0)."""
    records = []
    for n, (pid, text) in enumerate(paragraphs):
        record = {"id": pid, "text": text, "label": 0}
        if n % 2 == 1:
            spun = spinner.spin(text, rng)
            if spun.replacements:
                record = {
                    "id": pid,
                    "text": spun.text,
                    "label": 1,
                    "rate": round(spun.rate, 3),
                    "replacements": [[r.start, r.end, r.original, r.replacement] for r in spun.replacements],
                }
        records.append(record)
    return records


def write_jsonl(path: Path, records: Iterable[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=corpora.DEFAULT_DATA, help=DATA_HELP)
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "corpus",
        help="directory for the two sets (default: corpus/, the committed ones)",
    )
    parser.add_argument("--seed", type=seed, default=SEED, help=f"seed of the shuffle and the spins (default {SEED})")
    parser.add_argument(
        "--synthetic",
        type=positive_int,
        default=SYNTHETIC,
        help=f"paragraphs in the synthetic set (default {SYNTHETIC})",
    )
    parser.add_argument(
        "--clean", type=positive_int, default=CLEAN, help=f"paragraphs in the clean speeches set (default {CLEAN})"
    )
    parser.add_argument(
        "--lexicon",
        type=Path,
        default=ROOT / "models",
        help="directory with the lexicon.npz to spin with (default: models/)",
    )
    args = parser.parse_args(argv)
    check_data(parser, args.data)
    if not (args.lexicon / "lexicon.npz").is_file():
        parser.error(f"--lexicon {args.lexicon} holds no lexicon.npz")
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out {args.out} exists and is not a directory")
    rng = np.random.default_rng(args.seed)
    paragraphs = speech_paragraphs(args.data, rng)
    synthetic = paragraphs[: args.synthetic]
    clean = paragraphs[args.synthetic : args.synthetic + args.clean]
    # the lexicon alone: the classifier may be out of date while the model is rebuilt
    spinner = Spinner(Lexicon.load(args.lexicon), split="heldout")
    args.out.mkdir(parents=True, exist_ok=True)
    write_jsonl(args.out / "heldout_synthetic.jsonl", spun_records(synthetic, spinner, rng))
    write_jsonl(args.out / "heldout_clean_speeches.jsonl", ({"id": pid, "text": text, "label": 0} for pid, text in clean))
    print(f"wrote {len(synthetic)} synthetic and {len(clean)} clean paragraphs to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
