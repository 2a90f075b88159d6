"""Recall at a fixed false-positive rate (scripts/threshold_choices.py), as compare_seeds reports it.

Models are compared where the hidden test holds FPR, so the threshold must
come from the clean scores given, and paragraphs too short to score must not
count as misses on one side only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

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


def test_a_threshold_is_printed_as_one_that_keeps_its_rate(monkeypatch, tmp_path: Path) -> None:
    """The printed threshold is the one its figures are measured at, and flags no more than the
    policy allows: rounded to the nearest 4 digits, the README's pooled 1 % threshold (0.957846)
    was printed 0.9578, which flagged a clean dev paragraph more than its figures said."""
    dev = np.r_[np.full(197, 0.1), 0.95783, 0.95785, 0.99]  # 1 % of 200: two may be flagged
    monkeypatch.setattr(threshold_choices, "dev_scores", lambda det, split_dir: (np.full(dev.size, "bbc"), dev))
    monkeypatch.setattr(threshold_choices.evaluate, "read_jsonl", lambda path: [])
    monkeypatch.setattr(threshold_choices.evaluate, "_scores", lambda det, rows: (np.zeros(1), np.zeros(1), []))
    rows = threshold_choices.choices(SimpleNamespace(threshold=0.963177), tmp_path, tmp_path / "data", foreign=False)
    for row in rows[1:]:
        assert row["dev FPR pooled"] == threshold_choices.flagged_share(dev, row["threshold"]) <= 0.01
        assert row["threshold"] == round(row["threshold"], 4)
