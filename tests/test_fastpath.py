"""The fast paths give the answers of the simple ones.

- A batch equals the paragraphs scored one by one, on a few hundred mixed
  paragraphs (clean, spun, short, windowed, not English, odd characters), and
  so does any other cut of the same paragraphs into batches (``score_many``).
- Memory-mapped model tables hold and look up exactly what in-memory ones do,
  and a detector on either scores alike.
- Scoring is deterministic: the same paragraphs twice, or with a second
  detector, give identical results (not merely close ones).

Probabilities of a batch and of one paragraph may differ by float noise
(matrix products round differently with the number of rows; differences of
2e-9 have been seen), so batch comparisons allow 1e-6, as
``tests/test_detector.py`` does; repeated runs must be bit-identical.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from helpers import paragraphs_of, same_result

from spincheck import Detector
from spincheck.model import load_model_dir
from spincheck.ngrams import hash_tokens
from spincheck.reference import Reference

ODD = ["\u200b", "\u0301", "\u00a0", "\u2019", "\ufeff", "\u0130", "\ufb01", "\U0001f600", "\x00"]
NOT_ENGLISH = [
    "Le gouvernement a annoncé lundi que les négociations avec les syndicats reprendraient la semaine prochaine.",
    "Правительство объявило в понедельник, что переговоры с профсоюзами возобновятся на следующей неделе.",
    "Region | 2021 | 2022 | Change\nNorth | 1,204 | 1,377 | +14%\nSouth | 988 | 1,002 | +1%",
]


def sentences_of(paragraphs: list[str]) -> list[str]:
    out = []
    for p in paragraphs:
        out += [s.strip() + "." for s in p.replace("\n", " ").split(". ") if s.strip()]
    return out


@pytest.fixture(scope="module")
def mixed(article: str, spun_article: str) -> list[str]:
    """About 300 paragraphs: article paragraphs, clean and spun, recombined and roughed up."""
    clean, spun = paragraphs_of(article), paragraphs_of(spun_article)
    sentences = sentences_of(clean) + sentences_of(spun)
    rng = random.Random(0)
    out = clean + spun + NOT_ENGLISH + ["", " ", "Too short to judge.", "Advertisement"]
    out.append(" ".join(clean + spun + clean))  # one paragraph long enough for several windows, whatever the draws
    while len(out) < 300:
        roll = rng.random()
        if roll < 0.6:
            text = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 6)))
        elif roll < 0.75:  # odd characters inside
            words = rng.choice(sentences + clean + spun).split(" ")
            for _ in range(rng.randint(1, 4)):
                words.insert(rng.randint(0, len(words)), rng.choice(ODD))
            text = " ".join(words)
        elif roll < 0.85:  # headline-short
            text = " ".join(rng.choice(sentences).split()[: rng.randint(1, 11)])
        elif roll < 0.95:  # long: scored in several windows
            text = " ".join(rng.choice(spun + clean) for _ in range(rng.randint(4, 8)))
        else:
            text = rng.choice(NOT_ENGLISH)
        out.append(text)
    rng.shuffle(out)
    return out


def test_mixed_set_covers_every_path(detector: Detector, mixed: list[str]) -> None:
    results = detector.score_paragraphs(mixed)
    reasons = {r.reason for r in results}
    assert {None, "empty", "too short", "not English"} <= reasons
    assert any(r.spun for r in results) and any(r.spun is False for r in results)
    assert any(len(p.split()) > 400 for p in mixed)  # windowed


def test_batch_equals_one_by_one(detector: Detector, mixed: list[str]) -> None:
    batch = detector.score_paragraphs(mixed)
    alone = [detector.score_paragraphs([p])[0] for p in mixed]
    mismatched = [
        (i, batch[i].probability, alone[i].probability)
        for i in range(len(mixed))
        if not same_result(batch[i], alone[i])
    ]
    assert mismatched == []


def test_batch_equals_one_by_one_with_evidence(detector: Detector, mixed: list[str]) -> None:
    some = mixed[:60]
    batch = detector.score_paragraphs(some, explain=True)
    alone = [detector.score_paragraphs([p], explain=True)[0] for p in some]
    assert [i for i, (a, b) in enumerate(zip(batch, alone)) if not same_result(a, b)] == []
    assert any(r.evidence for r in batch)


@pytest.mark.parametrize("batch_size", [7, 64])
def test_any_cut_into_batches_gives_the_same(detector: Detector, mixed: list[str], batch_size: int) -> None:
    whole = detector.score_paragraphs(mixed)
    cut = list(detector.score_many(mixed, batch_size=batch_size))
    assert len(cut) == len(mixed)
    assert [i for i, (a, b) in enumerate(zip(whole, cut)) if not same_result(a, b)] == []


def test_scoring_twice_is_identical(detector: Detector, mixed: list[str]) -> None:
    first = detector.score_paragraphs(mixed, explain=True)
    second = detector.score_paragraphs(mixed, explain=True)
    assert first == second  # dataclass equality: every float bit for bit


def test_a_second_detector_scores_identically(detector: Detector, mixed: list[str]) -> None:
    other = Detector.load(detector.path)
    assert other.score_paragraphs(mixed) == detector.score_paragraphs(mixed)


# ---- memory-mapped tables -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def references(shipped_model_dir) -> tuple[Reference, Reference]:
    return Reference.load(shipped_model_dir, mmap=True), Reference.load(shipped_model_dir, mmap=False)


def test_mmap_tables_are_mapped_and_in_memory_ones_are_not(references) -> None:
    mapped, loaded = references
    assert isinstance(mapped.bigrams.keys, np.memmap) and isinstance(mapped.vectors.matrix, np.memmap)
    assert not isinstance(loaded.bigrams.keys, np.memmap) and not isinstance(loaded.vectors.matrix, np.memmap)


def test_mmap_tables_equal_in_memory_ones(references) -> None:
    mapped, loaded = references
    for name in ("unigrams", "bigrams", "trigrams"):
        a, b = getattr(mapped, name), getattr(loaded, name)
        assert a.keys.dtype == b.keys.dtype and np.array_equal(a.keys, b.keys), name
        assert a.values.dtype == b.values.dtype and np.array_equal(a.values, b.values), name
    assert np.array_equal(mapped.vectors.keys, loaded.vectors.keys)
    assert np.array_equal(mapped.vectors.matrix, loaded.vectors.matrix)
    assert mapped.info == loaded.info


def test_mmap_lookups_equal_in_memory_ones(references) -> None:
    mapped, loaded = references
    rng = np.random.default_rng(0)
    words = hash_tokens("the of said diplomat spincheck zzqx u.s. n't . , 0".split())
    for name in ("unigrams", "bigrams", "trigrams"):
        a, b = getattr(mapped, name), getattr(loaded, name)
        present = np.asarray(b.keys[:: max(1, len(b.keys) // 5000)])
        queries = np.concatenate([present, words, rng.integers(0, 2**63, 5000, dtype=np.uint64), present[::-1]])
        found_a, lp_a = a.lookup(queries)
        found_b, lp_b = b.lookup(queries)
        assert found_b[: present.size].all(), name  # keys present in the table are found
        assert np.array_equal(found_a, found_b) and np.array_equal(lp_a, lp_b), name
    ids = np.concatenate([np.asarray(loaded.vectors.keys[::50]), words])
    fa, va = mapped.vectors.lookup(ids)
    fb, vb = loaded.vectors.lookup(ids)
    assert np.array_equal(fa, fb) and np.array_equal(va, vb)


def test_detector_on_in_memory_tables_scores_like_mmap(detector: Detector, mixed: list[str]) -> None:
    in_memory = Detector(
        model=load_model_dir(detector.path, mmap=False), threshold=detector.threshold, min_words=detector.min_words
    )
    assert in_memory.score_paragraphs(mixed, explain=True) == detector.score_paragraphs(mixed, explain=True)
