#!/usr/bin/env python3
"""Write the casing table of a model's lexicon: how WordNet 3.0 writes the suggestions it stores
in lower case ("uk" -> "UK", "britain" -> "Britain"), as ``casing.npz`` beside its ``lexicon.npz``.

Usage::

    python scripts/build_casing.py --nltk-data ../shared/data/nltk_data --model models

scripts/build_lexicon.py and scripts/train.py write the same table with every lexicon they build;
this script adds it to a model built before that, such as the shipped one, whose card.json
predates the file and so does not list it (the table can only change the case of a suggestion,
never its words or any score; see spincheck.lexicon.read_casing). A model whose card lists the
file already is refused: its card would no longer match.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from build_lexicon import _load_exceptions, casing_table  # noqa: E402
from script_args import add_nltk_data  # noqa: E402

from spincheck.lexicon import Lexicon, write_casing  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_nltk_data(parser, ROOT)
    parser.add_argument(
        "--model", type=Path, default=ROOT / "models", help="directory holding lexicon.npz (default: models)"
    )
    args = parser.parse_args(argv)
    wordnet = args.nltk_data / "corpora" / "wordnet.zip"
    if not wordnet.is_file():
        parser.error(f"{args.nltk_data} holds no corpora/wordnet.zip (see ../shared/data/README.md)")
    if not (args.model / Lexicon.FILE).is_file():
        parser.error(f"--model {args.model} holds no {Lexicon.FILE}")
    card = args.model / "card.json"
    try:
        listed = card.is_file() and Lexicon.CASING_FILE in json.loads(card.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError):
        parser.error(f"{card} is not a model card")
    if listed:
        parser.error(f"{card} lists {Lexicon.CASING_FILE}, which it would no longer match (retrain instead)")

    import nltk

    nltk.data.path.insert(0, str(args.nltk_data))
    from nltk.corpus import wordnet as wn

    lexicon = Lexicon.load(args.model)
    candidates = {lexicon.phrase_texts[p] for p in set(lexicon.cand_phrase.tolist())}
    with zipfile.ZipFile(wordnet) as zf:
        exc = _load_exceptions(zf)
    table = casing_table(wn, exc, candidates)
    path = args.model / Lexicon.CASING_FILE
    write_casing(path, table)
    print(f"wrote {path}: {len(table)} of the lexicon's {len(candidates)} candidate phrases written with capitals")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
