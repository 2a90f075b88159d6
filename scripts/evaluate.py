#!/usr/bin/env python3
"""Measure the shipped (or any) model: detection quality and evidence quality.

Usage::

    python scripts/evaluate.py [--model DIR] [--json FILE]

Reports, at the model's threshold:
- ``synthetic``: corpus/heldout_synthetic.jsonl (speeches spun with held-out
  lemma pairs): precision, recall, F1, ROC-AUC, FPR, and recall by spin rate;
- ``synthetic_unknown_thesaurus``: the same paragraphs scored with the
  detector's lexicon cut to the training groups, so none of the spinner's
  substitutions can be swapped back (a spinner whose thesaurus we lack);
- ``speeches_fpr``: corpus/heldout_clean_speeches.jsonl (another genre);
- ``evidence``: on spun paragraphs with known replacements, the share of
  replaced words inside an evidence span (flagged paragraphs, and all spun
  paragraphs with ``explain``), how often the suggestion is the original, and
  how many evidence spans are on real replacements;
- ``seeds``: the labelled seed set (scripts/seed_devset.py), when
  ../shared/seeds exists: spun paragraphs of 004 flagged, originals flagged,
  and the evidence measured as above against the words the real spinner
  replaced (found by aligning 004 with 000).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from script_args import check_output_dir, check_seeds, load_detector  # noqa: E402

from spincheck import Detector  # noqa: E402
from spincheck.lexicon import Lexicon  # noqa: E402
from spincheck.metrics import evidence_quality, metrics_at  # noqa: E402

CORPUS = ROOT / "corpus"
DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _scores(det: Detector, rows: list[dict], **kw) -> tuple[np.ndarray, np.ndarray, list]:
    results = det.score_paragraphs([r["text"] for r in rows], **kw)
    y = np.array([r["label"] for r in rows])
    p = np.array([res.probability for res in results])
    return y, p, results


def recall_by_rate(rows: list[dict], p: np.ndarray, threshold: float) -> dict:
    """Recall of the spun rows by their spin rate: light (under 25 %), medium, heavy (over 50 %)."""
    y = np.array([r["label"] for r in rows])
    rates = np.array([r.get("rate", 0.0) for r in rows])
    by_rate = {}
    for lo, hi in ((0.0, 0.25), (0.25, 0.5), (0.5, 1.01)):
        m = (y == 1) & (rates >= lo) & (rates < hi)
        if m.any():
            recall = round(float(np.mean(p[m] >= threshold)), 4)
            by_rate[f"{lo:.2f}-{min(hi, 1.0):.2f}"] = {"n": int(m.sum()), "recall": recall}
    return by_rate


def rows_evidence(rows: list[dict], results: list) -> dict:
    """``metrics.evidence_quality`` of labelled rows with ``replacements`` and their results."""
    return evidence_quality([r.get("replacements", []) for r in rows], [res.evidence for res in results])


def cut_lexicon(lexicon: Lexicon, split: str = "train") -> Lexicon:
    """``lexicon`` without the candidates outside ``split``'s groups, as if built without them.

    Not ``batch_features(..., split=...)``, which tries a phrase's first FEATURE_CANDIDATES
    candidates of the whole lexicon and then drops those outside the split: a phrase whose first
    ones are held-out was tried with fewer candidates, or none, where a lexicon without the
    held-out pairs lists its next ones, on clean paragraphs as on spun ones.
    """
    keep = Lexicon.in_split(lexicon.cand_group, split)
    kept_before = np.concatenate(([0], np.cumsum(keep)))
    return dataclasses.replace(
        lexicon,
        offsets=kept_before[lexicon.offsets].astype(np.int64),
        cand_phrase=lexicon.cand_phrase[keep],
        cand_group=lexicon.cand_group[keep],
        info=dict(lexicon.info),
    )


def unknown_thesaurus(det: Detector, rows: list[dict]) -> np.ndarray:
    """Paragraph probabilities with the lexicon cut to the training groups, scored as ``det``
    scores (a paragraph of over MAX_UNIT_TOKENS tokens in windows)."""
    cut = dataclasses.replace(det.model, lexicon=cut_lexicon(det.model.lexicon))
    return _scores(dataclasses.replace(det, model=cut), rows)[1]


def evaluate(det: Detector, corpus: Path = CORPUS, seeds: Path | None = None) -> dict:
    model = det.path.resolve()
    shown = model.relative_to(ROOT) if model.is_relative_to(ROOT) else model
    out: dict = {"model": str(shown), "threshold": det.threshold}
    rows = read_jsonl(corpus / "heldout_synthetic.jsonl")
    y, p, results = _scores(det, rows)
    out["synthetic"] = metrics_at(y, p, det.threshold)
    out["synthetic"]["recall_by_spin_rate"] = recall_by_rate(rows, p, det.threshold)
    out["synthetic_unknown_thesaurus"] = metrics_at(y, unknown_thesaurus(det, rows), det.threshold)
    spun_rows = [r for r in rows if r["label"] == 1]
    flagged = [(r, res) for r, res in zip(rows, results) if r["label"] == 1 and res.spun]
    explained = det.score_paragraphs([r["text"] for r in spun_rows], explain=True)
    out["evidence"] = {
        "flagged_paragraphs": rows_evidence([r for r, _ in flagged], [res for _, res in flagged]),
        "all_spun_paragraphs_explained": rows_evidence(spun_rows, explained),
    }
    clean = read_jsonl(corpus / "heldout_clean_speeches.jsonl")
    _, pc, _ = _scores(det, clean)
    out["speeches_fpr"] = {"n": len(clean), "fpr": round(float(np.mean(pc >= det.threshold)), 4)}
    if seeds is not None and seeds.is_dir():
        import seed_devset

        srows = seed_devset.build(seeds)
        ys, ps, sres = _scores(det, srows)
        spun_ok = [res for r, res in zip(srows, sres) if r["label"] == 1 and res.spun]
        offsets_ok = all(
            r["text"][e.start : e.end] == e.phrase for r, res in zip(srows, sres) if res.spun for e in res.evidence
        )
        out["seeds"] = {
            "spun": int(ys.sum()),
            "spun_flagged": int(np.sum((ys == 1) & (ps >= det.threshold))),
            "originals": int((ys == 0).sum()),
            "originals_flagged": int(np.sum((ys == 0) & (ps >= det.threshold))),
            "flagged_with_evidence": sum(1 for res in spun_ok if res.evidence),
            "evidence_offsets_ok": offsets_ok,
            "roc_auc": metrics_at(ys, ps, det.threshold)["roc_auc"],
        }
        # the real spinner's own replacements, found by aligning 004 with 000
        seed_spun = [r for r in srows if r["label"] == 1]
        seed_flagged = [(r, res) for r, res in zip(srows, sres) if r["label"] == 1 and res.spun]
        out["seeds"]["evidence"] = {
            "flagged_paragraphs": rows_evidence([r for r, _ in seed_flagged], [res for _, res in seed_flagged]),
            "all_spun_paragraphs_explained": rows_evidence(
                seed_spun, det.score_paragraphs([r["text"] for r in seed_spun], explain=True)
            ),
        }
    return out


def print_report(report: dict, path: Path | None = None) -> None:
    """Print ``report`` as indented JSON, and write it to ``path`` too when given."""
    text = json.dumps(report, indent=2)
    print(text)
    if path:
        path.write_text(text + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    parser.add_argument(
        "--seeds", type=Path, default=DEFAULT_SEEDS, help="the seed articles (default: ../shared/seeds, if present)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the report here")
    args = parser.parse_args(argv)
    check_seeds(parser, args.seeds, DEFAULT_SEEDS)
    check_output_dir(parser, "--json", args.json)
    print_report(evaluate(load_detector(parser, args.model), seeds=args.seeds), args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
