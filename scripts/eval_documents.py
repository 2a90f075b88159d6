#!/usr/bin/env python3
"""Measure the document context: paragraphs judged alone against judged with their document.

Usage (from the repository root, with the build extras installed)::

    python scripts/eval_documents.py                 # the shipped model
    python scripts/eval_documents.py --model DIR --json out.json

``score_text``, ``score_documents`` and ``spincheck score`` flag a paragraph
under the threshold when enough of its document is flagged (see
``spincheck.detector.context_flags``). This script measures what that does,
on documents of three paragraphs or more that training never saw:

- clean: the ``dev`` documents of ``scripts/corpora.py`` (news, and the other
  genres apart) and every State of the Union and inaugural address; the
  false-positive rate per paragraph;
- partly spun: every dev document with each paragraph spun with chance 0.6
  (held-out synonym pairs, one spin rate per document, as a content farm
  runs its spinner); recall on the spun paragraphs, and how often the
  unspun paragraphs of those documents are flagged;
- wholly spun: the same documents with every paragraph spun, as when a
  whole page or paper goes through a spinner; recall;
- the seed articles 000 (original) and 004 (its partly spun copy), scored as
  whole texts, when ``../shared/seeds`` is there.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import corpora  # noqa: E402
import seed_devset  # noqa: E402
from script_args import DATA_HELP, SEEDS_HELP, check_data, check_output_dir, check_seeds, load_detector, share  # noqa: E402

from spincheck import Detector  # noqa: E402
from spincheck.detector import CONTEXT_P, context_flags, document_meets_rule  # noqa: E402
from spincheck.spinner import Spinner  # noqa: E402

NEWS = ("reuters21578", "bbc", "abc")
SPUN_SHARE = 0.6
SEED = 11


def _flags(det: Detector, docs: list[list[str]], floor: float) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per document: scored?, flagged alone, flagged with the document context."""
    out = []
    for paras in docs:
        results = det.score_paragraphs(paras)
        scored = np.array([r.spun is not None for r in results])
        alone = np.array([bool(r.spun) for r in results])
        context = alone | np.array(context_flags(results, det.threshold, floor))
        out.append((scored, alone, context))
    return out


def _documents_meeting_rule(flags: list) -> int:
    """Clean documents judged spun by the rule: enough paragraphs alone at the threshold."""
    return sum(1 for scored, alone, _ in flags if document_meets_rule(int(alone.sum()), int(scored.sum())))


def _rate(flags: list, which: int, mask: list[np.ndarray] | None = None) -> float:
    hits = total = 0
    for k, (scored, *judged) in enumerate(flags):
        keep = scored if mask is None else scored & mask[k]
        hits += int(judged[which][keep].sum())
        total += int(keep.sum())
    return hits / max(total, 1)


def _spin_documents(spinner: Spinner, docs: list[list[str]], share: float) -> tuple[list[list[str]], list[np.ndarray]]:
    """Spin each paragraph of ``docs`` with chance ``share`` (one spin rate per document): the
    documents, and which of their paragraphs the spinner changed (one with nothing to swap comes
    back as it was, and is no spun paragraph to find)."""
    rng = np.random.default_rng(SEED)
    spun_docs, labels = [], []
    for paras in docs:
        rate = rng.uniform(0.1, 0.75)
        chosen = rng.random(len(paras)) < share
        spins = [spinner.spin(p, rng, rate=rate) if pick else None for p, pick in zip(paras, chosen)]
        spun_docs.append([p if spin is None else spin.text for p, spin in zip(paras, spins)])
        labels.append(np.array([spin is not None and bool(spin.replacements) for spin in spins], dtype=bool))
    return spun_docs, labels


def _spun_documents(det: Detector, spinner: Spinner, docs: list[list[str]], share: float, floor: float) -> dict:
    """Spin each paragraph of ``docs`` with chance ``share`` (one spin rate per document) and measure."""
    spun_docs, labels = _spin_documents(spinner, docs, share)
    flags = _flags(det, spun_docs, floor)
    unspun = [~lab for lab in labels]
    return {
        "documents": len(spun_docs),
        "recall_alone": _rate(flags, 0, labels),
        "recall_with_context": _rate(flags, 1, labels),
        "unspun_flagged_alone": _rate(flags, 0, unspun),
        "unspun_flagged_with_context": _rate(flags, 1, unspun),
    }


def _recall_row(name: str, figures: dict) -> str:
    return (
        f"| {name} documents ({figures['documents']}): recall | {figures['recall_alone']:.3f} "
        f"| {figures['recall_with_context']:.3f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, help="model directory (default: the shipped model)")
    parser.add_argument("--data", type=Path, default=corpora.DEFAULT_DATA, help=DATA_HELP)
    parser.add_argument("--seeds", type=Path, default=seed_devset.DEFAULT_SEEDS, help=SEEDS_HELP)
    parser.add_argument(
        "--context-floor",
        type=share,
        default=CONTEXT_P,
        help=f"probability from which the rule flags a spun document's other paragraphs (default {CONTEXT_P})",
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    check_seeds(parser, args.seeds, seed_devset.DEFAULT_SEEDS)
    check_data(parser, args.data)
    check_output_dir(parser, "--json", args.json)
    det = load_detector(parser, args.model)
    floor = args.context_floor
    groups: dict[str, list[list[str]]] = {"dev news": [], "dev other genres": [], "speeches": []}
    for doc in corpora.iter_documents(args.data):
        if len(doc["paragraphs"]) < 3:
            continue
        if doc["source"] in corpora.HELDOUT_SOURCES:
            groups["speeches"].append(doc["paragraphs"])
        elif doc["split"] == "dev":
            groups["dev news" if doc["source"] in NEWS else "dev other genres"].append(doc["paragraphs"])
    report: dict = {
        "model": str(det.path),
        "threshold": det.threshold,
        "context_floor": args.context_floor,
        "clean_fpr": {},
    }
    rows = []
    for name, docs in groups.items():
        flags = _flags(det, docs, args.context_floor)
        alone, context = _rate(flags, 0), _rate(flags, 1)
        n = sum(int(s.sum()) for s, _, _ in flags)
        meeting = _documents_meeting_rule(flags)
        changed = sum(1 for _, a, c in flags if (c & ~a).any())
        report["clean_fpr"][name] = {
            "documents": len(docs),
            "paragraphs": n,
            "alone": alone,
            "with_context": context,
            "documents_meeting_rule": meeting,
            "documents_with_paragraphs_flagged_by_context": changed,
        }
        rows.append(f"| {name}: clean FPR ({len(docs)} documents, {n} paragraphs) | {alone:.2%} | {context:.2%} |")
        rows.append(f"| {name}: documents the rule judges spun / with paragraphs it flags | | {meeting} / {changed} |")

    spinner = Spinner(det.model.lexicon, split="heldout")
    dev_docs = groups["dev news"] + groups["dev other genres"]
    part = _spun_documents(det, spinner, dev_docs, SPUN_SHARE, args.context_floor)
    report["partly_spun"] = part
    rows.append(_recall_row("partly spun", part))
    rows.append(
        f"| partly spun documents: their unspun paragraphs flagged | {part['unspun_flagged_alone']:.2%} "
        f"| {part['unspun_flagged_with_context']:.2%} |"
    )
    whole = _spun_documents(det, spinner, dev_docs, 1.0, args.context_floor)
    del whole["unspun_flagged_alone"], whole["unspun_flagged_with_context"]
    report["wholly_spun"] = whole
    rows.append(_recall_row("wholly spun", whole))
    if args.seeds.is_dir():
        files = {f.name[:3]: f for f in args.seeds.glob("*.txt")}
        seeds = {}
        for key in ("000", "004"):
            if key in files:
                text = files[key].read_text(encoding="utf-8")
                # the text's paragraphs as score_text splits them, judged with this run's floor
                [(scored, alone, context)] = _flags(det, [[p.text for p in det.score_text(text).paragraphs]], floor)
                seeds[key] = {
                    "scored": int(scored.sum()),
                    "flagged_alone": int(alone.sum()),
                    "flagged_with_context": int(context.sum()),
                }
                rows.append(
                    f"| seed {key} as a whole text: paragraphs flagged (of {seeds[key]['scored']} scored) "
                    f"| {seeds[key]['flagged_alone']} | {seeds[key]['flagged_with_context']} |"
                )
        report["seeds"] = seeds
    print(f"model {det.path}, threshold {det.threshold:.4f}, context floor {args.context_floor}\n")
    print("| measure | paragraphs alone | with document context |\n|---|---|---|")
    print("\n".join(rows))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
