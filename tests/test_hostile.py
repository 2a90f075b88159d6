"""Hostile input at the library level: whatever comes in, the promises hold.

Properties, for any string (Hypothesis draws odd code points, control
characters, mixed scripts and English-like word salad): one result per
paragraph; probability in [0, 1]; ``spun`` in {True, False, None}; evidence
spans inside their paragraph and equal to the phrase; ``score_text`` spans
inside the text. Random bytes never crash :func:`spincheck.text.decode_bytes`.
A 100,000-word paragraph without a single break is scored (in bounded
windows) and returns one result. ``scripts/fuzz.py`` runs the same checks on
10,000 inputs, and through the command line; memory while streaming is
measured by ``scripts/bench.py``, not here.
"""

from __future__ import annotations

import dataclasses
import random
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spincheck import Detector, Result
from spincheck.detector import CONTEXT_P
from spincheck.text import decode_bytes, looks_binary

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import fuzz  # noqa: E402  (one set of promises for this test and the fuzzer)

# Characters that have broken text pipelines before: combining marks, zero-width and bidi
# controls, Python's extra line breaks (\x0b \x0c \x1c-\x1e \x85 \u2028 \u2029), BOM,
# noncharacters, letters whose case mapping changes length (İ, ß, ﬁ), non-ASCII digits.
ODD = (
    "\u0301\u0308\u200b\u200d\u2060\ufeff\u202e\u2066\u200f"
    "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00\x07\x7f\r"
    "\ufffe\uffff\U0010ffff\ue000\U0001f600\U0001f1fa"
    "\u0130\u00df\ufb01\ufb03\u03a3\u0149\u212a\u00a0\u3000"
    "\u2018\u2019\u201c\u201d`\u00b4\u0660\uff11\u00bd"
    "\u05d0\u0627\u4e2d\u0410\u03b1"
)
WORDS = (
    "the of and to a in is that for it was on with as he be by at this are said government top diplomat "
    "officials talks week capital minister central bank interest rates prices market percent year company "
    "U.S. didn't it's n't 's 1987 3.5 highest larger collectively overseas stated"
).split()

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
odd_text = st.text(st.sampled_from(ODD + " \n\t.,!?'\"-abcXYZ"), max_size=200)
word_salad = st.lists(
    st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS), st.sampled_from(list(ODD) + [".", ",", "\n", "\n\n"])),
    max_size=120,
).map(" ".join)
hostile = st.one_of(any_text, odd_text, word_salad)

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_result(result: Result, paragraph: str, threshold: float) -> None:
    assert fuzz.check_result(result, paragraph, threshold) == []


@SETTINGS
@given(text=hostile, explain=st.booleans())
def test_any_text_gives_valid_results(detector: Detector, text: str, explain: bool) -> None:
    doc = detector.score_text(text, explain=explain)
    end = 0
    for i, p in enumerate(doc.paragraphs):
        assert p.index == i
        assert end <= p.start < p.end <= len(text) and text[p.start : p.end] == p.text
        end = p.end
        check_result(p.result, p.text, detector.threshold)


@SETTINGS
@given(paragraphs=st.lists(hostile, max_size=6), explain=st.booleans())
def test_any_paragraphs_give_one_result_each(detector: Detector, paragraphs: list[str], explain: bool) -> None:
    results = detector.score_paragraphs(paragraphs, explain=explain)
    assert len(results) == len(paragraphs)
    for result, paragraph in zip(results, paragraphs):
        check_result(result, paragraph, detector.threshold)


def test_evidence_offsets_hold_around_odd_characters(detector: Detector) -> None:
    # Not left to chance: English-like paragraphs with odd characters spliced in, all explained,
    # so that the evidence checks above are exercised on spans next to them.
    rng = random.Random(0)
    paragraphs = []
    for _ in range(40):
        words = [rng.choice(WORDS) for _ in range(rng.randint(15, 80))]
        for _ in range(rng.randint(1, 8)):
            words.insert(rng.randrange(len(words)), rng.choice(ODD) * rng.randint(1, 3))
        paragraphs.append(" ".join(words))
    results = detector.score_paragraphs(paragraphs, explain=True)
    for result, paragraph in zip(results, paragraphs):
        check_result(result, paragraph, detector.threshold)
    assert sum(len(r.evidence) for r in results) > 20


def test_paragraphs_flagged_by_their_document_keep_the_promises(detector: Detector) -> None:
    # A paragraph flagged by its document's context is spun below the threshold: the
    # checks above must accept it, and only it.
    spun = (Path(__file__).resolve().parents[1] / "examples" / "spun.txt").read_text(encoding="utf-8")
    probs = sorted(p.result.probability for p in detector.score_text(spun).scored)
    assert len(probs) >= 3 and probs[0] >= CONTEXT_P
    strict = dataclasses.replace(detector, threshold=(probs[-2] + probs[-3]) / 2)  # two paragraphs at it
    doc = strict.score_text(spun)
    assert sum(p.result.by_context for p in doc.paragraphs) == len(probs) - 2
    for p in doc.paragraphs:
        check_result(p.result, p.text, strict.threshold)
    by_context = next(p for p in doc.paragraphs if p.result.by_context)
    wrong = dataclasses.replace(by_context.result, spun=False)  # by_context but not spun
    assert fuzz.check_result(wrong, by_context.text, strict.threshold)
    too_low = Result(CONTEXT_P / 2, True, None, (), 20, by_context=True)  # under the context band
    assert any("by_context" in problem for problem in fuzz.check_result(too_low, "", strict.threshold))


BOMS = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"]


def test_seeded_random_bytes_decode_without_crashing() -> None:
    for seed in range(500):
        rng = random.Random(seed)
        data = rng.choice(BOMS) + bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 2, 3, 64, 1000])))
        text, had_errors = decode_bytes(data)
        assert isinstance(text, str) and isinstance(had_errors, bool), seed
        assert "\r" not in text, seed  # CRLF and lone CR become LF
        assert isinstance(looks_binary(data), bool), seed


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300))
def test_any_bytes_decode_and_score(detector: Detector, data: bytes) -> None:
    text, _ = decode_bytes(data)
    doc = detector.score_text(text)
    for p in doc.paragraphs:
        check_result(p.result, p.text, detector.threshold)


def test_unbroken_100000_word_paragraph(detector: Detector) -> None:
    # No newline, no sentence or clause punctuation: nothing to split on but the window size.
    rng = random.Random(0)
    text = " ".join(rng.choice(WORDS).strip(".,") for _ in range(100_000))
    results = detector.score_paragraphs([text])
    assert len(results) == 1
    check_result(results[0], text, detector.threshold)
    assert results[0].spun is not None and results[0].words >= 99_000
