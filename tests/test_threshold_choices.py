"""Recall at a fixed false-positive rate (scripts/threshold_choices.py), as compare_seeds reports it.

Models are compared where the hidden test holds FPR, so the threshold must
come from the clean scores given, and paragraphs too short to score must not
count as misses on one side only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import threshold_choices  # noqa: E402

from spincheck import Detector  # noqa: E402


def _spun_rows() -> list[dict]:
    text = (ROOT / "examples" / "spun.txt").read_text(encoding="utf-8")
    return [{"text": p, "label": 1} for p in text.split("\n\n") if p.strip()]


def test_threshold_comes_from_the_clean_scores_given(detector: Detector) -> None:
    rows = [r for r in _spun_rows() if len(r["text"].split()) >= 20]
    probs = np.array([r.probability for r in detector.score_paragraphs([r["text"] for r in rows])])
    # clean scores placed so that 1 % of them sits above every spun paragraph, 2 % above none
    clean = np.r_[np.full(99, 0.0), np.full(1, 1.0)]
    assert threshold_choices.recall_at_fpr(detector, clean, rows, fprs=(0.01,)) == {"0.01": 1.0}
    clean_high = np.r_[np.full(98, 0.0), np.full(2, probs.max() + 1e-3)]
    assert threshold_choices.recall_at_fpr(detector, clean_high, rows, fprs=(0.01,)) == {"0.01": 0.0}


def test_unscored_spun_paragraphs_are_left_out(detector: Detector) -> None:
    rows = [r for r in _spun_rows() if len(r["text"].split()) >= 20]
    clean = np.zeros(100)
    with_short = rows + [{"text": "Too short to score.", "label": 1}, {"text": "a clean row", "label": 0}]
    assert threshold_choices.recall_at_fpr(detector, clean, with_short) == threshold_choices.recall_at_fpr(
        detector, clean, rows
    )


def test_dev_paragraphs_keep_their_source(tmp_path: Path, detector: Detector) -> None:
    records = [
        {"id": "a/1", "source": "bbc", "text": "First paragraph of the news.\n\nSecond one."},
        {"id": "b/1", "source": "webtext", "text": "A forum post."},
    ]
    (tmp_path / "dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    sources, texts = threshold_choices.dev_paragraphs(tmp_path)
    assert list(zip(sources, texts)) == [
        ("bbc", "First paragraph of the news."),
        ("bbc", "Second one."),
        ("webtext", "A forum post."),
    ]
    # all three are too short to score, so none is a clean score to set a threshold on
    scored_sources, probs = threshold_choices.dev_scores(detector, tmp_path)
    assert scored_sources.size == 0 and probs.size == 0
