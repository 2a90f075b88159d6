"""What scripts/evaluate.py measures: the "unknown thesaurus" figure is the detector's own
scoring with a lexicon that lacks the spinner's pairs, not a detector that tries fewer
candidates than its lexicon lists, nor one that scores long paragraphs whole."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import evaluate  # noqa: E402

from spincheck import Detector  # noqa: E402
from spincheck.features import FEATURE_CANDIDATES  # noqa: E402
from spincheck.lexicon import Lexicon  # noqa: E402


def test_the_cut_lexicon_lists_the_training_candidates_after_held_out_ones() -> None:
    held_out = [("large", 80), ("vast", 81), ("huge", 82), ("great", 83)]
    assert len(held_out) >= FEATURE_CANDIDATES  # the training candidate comes after every tried slot
    lexicon = Lexicon.from_pairs({"big": [*held_out, ("enormous", 5)], "small": [("little", 90)]})
    assert not Lexicon.in_split(np.array([g for _, g in held_out]), "train").any()
    cut = evaluate.cut_lexicon(lexicon)
    assert cut.thesaurus == {"big": [("enormous", 5)], "small": []}
    assert lexicon.thesaurus["big"][-1] == ("enormous", 5)  # the lexicon cut from is left as it was


def test_unknown_thesaurus_scores_a_long_paragraph_as_the_detector_does(detector: Detector, article: str) -> None:
    # every candidate in a training group: cutting the held-out ones changes nothing
    lexicon = dataclasses.replace(detector.model.lexicon, cand_group=np.zeros_like(detector.model.lexicon.cand_group))
    det = dataclasses.replace(detector, model=dataclasses.replace(detector.model, lexicon=lexicon))
    paragraphs = [p for p in article.split("\n\n") if p.strip()]
    long = " ".join(paragraphs * 3)  # over MAX_UNIT_TOKENS tokens: the detector scores it in windows (the
    # whole of it, scored at once, gave 1e-6 where the detector gives 0.05)
    rows = [{"text": t, "label": 1} for t in [long, *paragraphs]]
    expected = [r.probability for r in det.score_paragraphs([r["text"] for r in rows])]
    np.testing.assert_allclose(evaluate.unknown_thesaurus(det, rows), expected, rtol=0, atol=1e-9)
