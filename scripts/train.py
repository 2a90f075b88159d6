#!/usr/bin/env python3
"""Build the shipped model in models/ from ../shared/data, reproducibly.

Usage (from the repository root, with the build extras installed)::

    pip install -e ".[build]"
    python scripts/train.py --data ../shared/data --out models --seed 0

Steps, each the same code ``spincheck train`` runs:
1. export the corpora into ref / train / dev / genre splits (scripts/corpora.py);
2. build the synonym lexicon from WordNet (scripts/build_lexicon.py);
3. count the reference statistics on the ``ref`` split (+ wordfreq, wordsegment and the
   n-grams of the CMU Sphinx language models in pocketsphinx and SpeechRecognition);
4. train the token and paragraph models on ``train`` and its synthetic spins,
   pick the threshold on ``dev``, and write models/ atomically with its card.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import build_lexicon  # noqa: E402
import corpora  # noqa: E402
from script_args import DATA_HELP, check_data  # noqa: E402

from spincheck.training import (  # noqa: E402
    TrainingError,
    _created,
    build_card,
    build_reference,
    check_out,
    check_writable,
    external_statistics,
    iter_jsonl_paragraphs,
    sha256_inputs,
    train_classifier,
    write_model,
)

# Bigrams and trigrams of the corpus kept, each, before the Sphinx models' n-grams are blended in
# (the shipped tables hold 3.19 M bigrams and 2.61 M trigrams; models/ stays under its 80 MB budget).
MAX_NGRAMS = 3_000_000


def count_reference(texts, info: dict, progress: bool = False):
    """The shipped reference's counting: the corpus pruned to MAX_NGRAMS, plus wordfreq, wordsegment and the
    Sphinx language models (external_statistics)."""
    return build_reference(
        texts,
        external=external_statistics(),
        max_bigrams=MAX_NGRAMS,
        max_trigrams=MAX_NGRAMS,
        info=info,
        progress=progress,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=corpora.DEFAULT_DATA, help=DATA_HELP)
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "models",
        help="model directory to write (default: models/, the shipped model)",
    )
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="scratch directory (not committed)")
    parser.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    parser.add_argument(
        "--max-train",
        type=int,
        default=30000,
        help="training paragraphs to use (default: 30000, as for the shipped model: all of the train split's 23,000)",
    )
    args = parser.parse_args(argv)
    if args.max_train < 1 or not 0 <= args.seed < 2**32:
        parser.error("--max-train must be at least 1, and --seed from 0 to 4294967295")
    check_data(parser, args.data)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # fixed card date: reproducible bytes
    try:  # before the two minutes of counting and training, not after them
        check_out(args.out)
        check_writable(args.out)
        _created()  # one set by hand that is no time
    except TrainingError as exc:
        print(f"train.py: error: {exc}", file=sys.stderr)
        return 2
    t0 = time.time()
    split_dir = args.work / "corpora"
    counts = corpora.export(split_dir, args.data)
    print(f"[{time.time() - t0:6.1f}s] exported corpora: {counts}", flush=True)
    lexicon = build_lexicon.build(args.data / "nltk_data")
    print(f"[{time.time() - t0:6.1f}s] lexicon: {lexicon.info['phrases']} phrases", flush=True)

    def ref_texts():
        return iter_jsonl_paragraphs(split_dir / "ref.jsonl")

    reference = count_reference(
        ref_texts,
        info={"corpus": "ref split of scripts/corpora.py over shared/data (see corpus/README.md)"},
        progress=sys.stderr.isatty(),
    )
    print(f"[{time.time() - t0:6.1f}s] reference: {reference.info}", flush=True)
    import numpy as np

    train = list(iter_jsonl_paragraphs(split_dir / "train.jsonl"))
    rng = np.random.default_rng(args.seed)
    train = [train[i] for i in rng.permutation(len(train))[: args.max_train]]
    dev = list(iter_jsonl_paragraphs(split_dir / "dev.jsonl"))
    try:
        result = train_classifier(train, dev, reference, lexicon, seed=args.seed, progress=sys.stderr.isatty())
    except TrainingError as exc:
        print(f"train.py: error: {exc}", file=sys.stderr)
        return 2
    print(f"[{time.time() - t0:6.1f}s] threshold {result.threshold:.4f}, dev metrics {result.metrics}", flush=True)
    card = build_card(
        result,
        reference,
        lexicon,
        command="python scripts/train.py " + shlex.join(argv if argv is not None else sys.argv[1:]),
        seed=args.seed,
        # the corpora read and WordNet (the lexicon), not every file beside them (treebank is never read)
        training_inputs_sha256=sha256_inputs(
            sorted(corpora.input_files(args.data) + [args.data / "nltk_data" / "corpora" / "wordnet.zip"])
        ),
        corpus_splits=counts,
    )
    write_model(args.out, reference, lexicon, result.classifier, card, keep=["__init__.py"])
    print(f"[{time.time() - t0:6.1f}s] wrote {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
