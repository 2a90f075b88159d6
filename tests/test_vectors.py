"""Reference word vectors: the co-occurrence counts they are built from (spincheck.vectors)."""

from __future__ import annotations

import numpy as np
import pytest

from spincheck.ngrams import hash_tokens, layout
from spincheck.vectors import WINDOW, VectorBuilder

WORDS = list("abcdefg")  # "e" is in the vocabulary but not in the text
# "b" and "c" are 4 slots apart in the flat batch, but in two paragraphs; in the third,
# "a" and "f" are 6 tokens apart, one more than the window
PARAGRAPHS = [["a", "b"], ["c", "d"], ["a", "g", "g", "g", "g", "g", "f"]]


@pytest.fixture
def builder() -> VectorBuilder:
    vb = VectorBuilder(hash_tokens(WORDS))
    vb.add_batch(layout(PARAGRAPHS))
    return vb


def pair_counts(vb: VectorBuilder) -> dict[tuple[str, str], int]:
    """The counted pairs as ``{(word, context word): count}``."""
    names = {int(h): w for h, w in zip(hash_tokens(WORDS).tolist(), WORDS)}
    v = len(vb.vocab)
    [(keys, counts)] = vb.parts
    return {
        (names[int(vb.vocab[k // v])], names[int(vb.vocab[k % v])]): c for k, c in zip(keys.tolist(), counts.tolist())
    }


def test_pairs_are_counted_within_a_paragraph_and_the_window(builder: VectorBuilder) -> None:
    assert WINDOW == 5  # the counts below are worked out for 5 tokens each side
    # each pair of tokens of one paragraph at most WINDOW apart, once each way: "a" sees all five
    # "g"s (the last one 5 away) but not "f", and the ten pairs of "g"s count 20. Pairs across
    # paragraphs ("b c", "d a") would mix unrelated texts; a window one short would count "a g" 4 times.
    assert pair_counts(builder) == {
        ("a", "b"): 1,
        ("b", "a"): 1,
        ("c", "d"): 1,
        ("d", "c"): 1,
        ("a", "g"): 5,
        ("g", "a"): 5,
        ("g", "f"): 5,
        ("f", "g"): 5,
        ("g", "g"): 20,
    }


def test_pairs_seen_exactly_min_count_times_are_kept(builder: VectorBuilder) -> None:
    pytest.importorskip("scipy")  # building vectors is training's work (the train extra)
    vectors = builder.build(dim=2, min_count=5)
    # "a g" and "g f", seen 5 times, give "a" and "f" their vectors; "g g" alone would leave no word any
    names = {int(h): w for h, w in zip(hash_tokens(WORDS).tolist(), WORDS)}
    assert sorted(names[int(k)] for k in vectors.keys) == ["a", "f", "g"]
    assert vectors.matrix.shape == (3, 2)
    assert np.allclose(np.linalg.norm(vectors.matrix.astype(np.float32), axis=1), 1.0, atol=1e-3)


@pytest.mark.parametrize("paragraphs", [[], [["hello", "."]], [[".", "."]]])
def test_a_corpus_too_small_for_any_pair_gives_no_vectors(paragraphs: list[list[str]]) -> None:
    """A one-word or punctuation-only corpus has no co-occurrences: no vectors, not a traceback."""
    pytest.importorskip("scipy")
    vb = VectorBuilder(hash_tokens([t for p in paragraphs for t in p if t != "."]))
    vb.add_batch(layout(paragraphs))
    vectors = vb.build(dim=4)
    assert len(vectors.keys) == 0 and vectors.matrix.shape[0] == 0
