"""Stage 3: clean-reference n-gram tables: build, look up, save, load, merge (spincheck.reference)."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from spincheck.lexicon import Lexicon
from spincheck.ngrams import BOS, KeyIndex, combine, hash_tokens
from spincheck.reference import QUANT, NgramTable, Reference, ReferenceBuilder, merge_references
from spincheck.vectors import WordVectors

CORPUS = [
    ["the", "cat", "sat", "."],
    ["the", "cat", "ran", "."],
    ["a", "dog", "sat", "."],
]
HALF_STEP = 0.5 / QUANT + 1e-6  # largest rounding error of a quantised log-probability


def h(*tokens: str) -> np.ndarray:
    return hash_tokens(list(tokens))


def bigram(a: str, b: str) -> np.ndarray:
    return combine(h(a), h(b))


def trigram(a: str, b: str, c: str) -> np.ndarray:
    return combine(combine(h(a), h(b)), h(c))


def build(corpus=CORPUS, **kwargs) -> Reference:
    builder = ReferenceBuilder()
    builder.add(corpus)
    return builder.build(**kwargs)


@pytest.fixture(scope="module")
def ref() -> Reference:
    return build(min_trigram_count=1)


def _tables(ref: Reference) -> dict[str, NgramTable]:
    return {"unigrams": ref.unigrams, "bigrams": ref.bigrams, "trigrams": ref.trigrams}


def test_tables_sorted_unique_and_sized(ref: Reference) -> None:
    for name, table in _tables(ref).items():
        assert table.keys.dtype == np.uint64
        assert np.all(table.keys[1:] > table.keys[:-1]), name  # sorted, no duplicates
        assert len(table.values) == len(table)
        assert ref.info[name] == len(table)
    assert ref.bigrams.values.dtype == np.uint8 and ref.unigrams.values.dtype == np.float32
    assert ref.info["tokens"] == 12 and ref.info["paragraphs"] == 3


def test_unigram_lookup(ref: Reference) -> None:
    found, logp = ref.unigrams.lookup(h("the", "cat", "dog", ".", "zebra", "<s>"))
    assert found.tolist() == [True, True, True, True, False, False]
    assert logp[4] == 0.0  # not found reads as 0, never garbage
    assert np.all(logp <= 0)
    # relative frequencies: "the" and "cat" twice, "dog" once, "." three times
    assert logp[0] == pytest.approx(logp[1])
    assert logp[0] - logp[2] == pytest.approx(math.log(2), abs=1e-5)
    assert logp[3] - logp[2] == pytest.approx(math.log(3), abs=1e-5)


def test_bigram_lookup_is_conditional_probability(ref: Reference) -> None:
    pairs = [("the", "cat"), ("cat", "sat"), ("cat", "ran"), ("dog", "sat"), ("cat", "the"), ("the", "dog")]
    keys = np.concatenate([bigram(a, b) for a, b in pairs])
    found, logp = ref.bigrams.lookup(keys)
    assert found.tolist() == [True, True, True, True, False, False]
    expected = [0.0, math.log(0.5), math.log(0.5), 0.0]  # P(cat | the) = 1, P(sat | cat) = 1/2, ...
    assert logp[:4] == pytest.approx(expected, abs=HALF_STEP)
    assert np.all(logp <= 0)


def test_trigram_lookup_and_paragraph_start(ref: Reference) -> None:
    keys = np.concatenate(
        [
            trigram("the", "cat", "sat"),
            trigram("<s>", "<s>", "the"),
            trigram("<s>", "<s>", "a"),
            trigram("a", "cat", "sat"),
        ]
    )
    found, logp = ref.trigrams.lookup(keys)
    assert found.tolist() == [True, True, True, False]
    assert logp[:3] == pytest.approx([math.log(1 / 2), math.log(2 / 3), math.log(1 / 3)], abs=HALF_STEP)


def test_min_trigram_count_drops_rare_trigrams() -> None:
    ref = build()  # default: trigrams seen at least twice
    found, _ = ref.trigrams.lookup(np.concatenate([trigram("<s>", "<s>", "the"), trigram("the", "cat", "sat")]))
    assert found.tolist() == [True, False]


def test_no_ngram_crosses_a_paragraph() -> None:
    ref = build(min_trigram_count=1)
    found, _ = ref.bigrams.lookup(np.concatenate([bigram(".", "the"), bigram(".", "a")]))
    assert not found.any()
    assert not ref.unigrams.lookup(np.array([BOS]))[0].any()


def test_adding_in_pieces_equals_adding_at_once() -> None:
    whole = build(CORPUS * 3, min_trigram_count=1)
    builder = ReferenceBuilder()
    for paragraph in CORPUS * 3:
        builder.add([paragraph])
    pieces = builder.build(min_trigram_count=1)
    for name, table in _tables(whole).items():
        other = _tables(pieces)[name]
        assert table.keys.tolist() == other.keys.tolist(), name
        assert table.values.tolist() == other.values.tolist(), name


def test_no_pruning_while_distinct_ngrams_fit_the_budget() -> None:
    """The budget counts distinct n-grams: one repeated in many batches is not many entries."""
    builder = ReferenceBuilder(max_entries=100)
    for i in range(200):  # 12 distinct bigrams and trigrams in all, each seen 200 times
        builder.add([["the", "cat", "sat"], ["a", "dog", "ran"]] + ([["zebras", "graze"]] if i == 100 else []))
    ref = builder.build(min_trigram_count=1)
    found, _ = ref.bigrams.lookup(np.concatenate([bigram("zebras", "graze"), bigram("the", "cat")]))
    assert found.tolist() == [True, True]


def test_pruning_keeps_frequent_ngrams_and_their_counts() -> None:
    builder = ReferenceBuilder(max_entries=20)
    for i in range(30):
        builder.add([["the", "cat", "sat"], [f"rare{i}", f"word{i}", "here"]])
    ref = builder.build(min_trigram_count=1)
    assert len(ref.bigrams) + len(ref.trigrams) < 30 * 7  # the singletons went
    found, logp = ref.bigrams.lookup(np.concatenate([bigram("the", "cat"), bigram("rare3", "word3")]))
    assert found.tolist() == [True, False]
    assert logp[0] == 0.0  # P(cat | the) = 30 / 30


def test_pruning_stays_within_the_budget_when_singletons_are_not_enough() -> None:
    """140 n-grams each seen twice fill a budget of 100: dropping singletons kept them all, and
    every later batch was pruned in turn, so "zebras graze", in each of 50 batches, was lost."""
    builder = ReferenceBuilder(max_entries=100)
    builder.add([[f"w{i}" for i in range(j, j + 6)] for j in range(0, 60, 6)] * 2)
    assert builder.bigrams.size + builder.trigrams.size <= 100
    for _ in range(50):
        builder.add([["zebras", "graze"]])
    found, logp = builder.build(min_trigram_count=1).bigrams.lookup(bigram("zebras", "graze"))
    assert found[0] and logp[0] == 0.0


def test_max_bigrams_keeps_the_most_frequent() -> None:
    corpus = [["the", "cat", "sat"]] * 5 + [["a", "dog", "ran"]]
    ref = build(corpus, max_bigrams=3)
    assert len(ref.bigrams) == 3
    found, _ = ref.bigrams.lookup(np.concatenate([bigram("the", "cat"), bigram("cat", "sat"), bigram("a", "dog")]))
    assert found.tolist() == [True, True, False]


def test_word_freqs_override_local_unigrams() -> None:
    ref = build(word_freqs={"cat": 0.01, "zebra": 0.001})
    found, logp = ref.unigrams.lookup(h("cat", "zebra", "dog"))
    assert found.tolist() == [True, True, True]
    assert logp[:2] == pytest.approx([math.log(0.01), math.log(0.001)], rel=1e-5)


def test_external_ngrams_fill_in_unseen_ones_and_blend_with_rare_local_ones() -> None:
    corpus = [["the", "cat", "sat"]] * 3 + [["a", "dog", "ran"]]
    local = build(corpus, min_trigram_count=1)
    keys = np.concatenate([trigram("the", "cat", "sat"), trigram("a", "dog", "ran"), trigram("a", "dog", "sat")])
    ext = build(
        corpus,
        min_trigram_count=1,
        external_ngrams={"trigrams": (keys, np.log([0.5, 0.25, 0.125])), "bigrams": (bigram("dog", "sat"), np.log([0.1]))},
    )
    found, logp = ext.trigrams.lookup(keys)
    _, local_lp = local.trigrams.lookup(keys)
    assert found.all()
    assert logp[0] == pytest.approx(local_lp[0], abs=HALF_STEP)  # seen 3 times here: the local estimate stands
    assert logp[1] == pytest.approx((local_lp[1] + 2 * math.log(0.25)) / 3, abs=HALF_STEP)  # seen once: blended
    assert logp[2] == pytest.approx(math.log(0.125), abs=HALF_STEP)  # unseen here: the external estimate
    found, logp = ext.bigrams.lookup(bigram("dog", "sat"))
    assert found.all() and logp[0] == pytest.approx(math.log(0.1), abs=HALF_STEP)


def test_external_bigram_sources_are_averaged() -> None:
    ref = build(
        external_bigrams=[("dog", "barked", 10)],
        external_unigram_counts={"dog": 100},
        external_ngrams={"bigrams": (bigram("dog", "barked"), np.log([0.4]))},
    )
    _, logp = ref.bigrams.lookup(bigram("dog", "barked"))
    assert logp[0] == pytest.approx((math.log(0.1) + math.log(0.4)) / 2, abs=HALF_STEP)


def test_empty_builder() -> None:
    ref = ReferenceBuilder().build()
    for table in _tables(ref).values():
        assert len(table) == 0
        found, logp = table.lookup(h("the"))
        assert not found.any() and logp.tolist() == [0.0]


def test_lookup_of_no_queries(ref: Reference) -> None:
    found, logp = ref.bigrams.lookup(np.empty(0, np.uint64))
    assert found.shape == (0,) and logp.shape == (0,)


# ---- save / load -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ref_with_vectors() -> Reference:
    keys = np.sort(h("cat", "dog", "sat"))
    matrix = np.eye(3, 4, dtype=np.float16)
    return build(min_trigram_count=1, vectors=WordVectors(keys, matrix), info={"corpus": "test"})


@pytest.mark.parametrize("mmap", [True, False])
def test_save_load_round_trip(ref_with_vectors: Reference, tmp_path, mmap: bool) -> None:
    written = ref_with_vectors.save(tmp_path)
    assert sorted(p.name for p in written) == sorted(Reference.FILES)
    loaded = Reference.load(tmp_path, mmap=mmap)
    assert loaded.info == ref_with_vectors.info
    for name, table in _tables(ref_with_vectors).items():
        other = _tables(loaded)[name]
        assert isinstance(other.keys, np.memmap) is mmap
        np.testing.assert_array_equal(other.keys, table.keys)
        np.testing.assert_array_equal(other.values, table.values)
        assert other.values.dtype == table.values.dtype
    np.testing.assert_array_equal(loaded.vectors.keys, ref_with_vectors.vectors.keys)
    np.testing.assert_array_equal(loaded.vectors.matrix, ref_with_vectors.vectors.matrix)
    queries = np.concatenate([h("the", "zebra"), bigram("cat", "sat"), trigram("the", "cat", "ran")])
    for name, table in _tables(ref_with_vectors).items():
        a, b = table.lookup(queries), _tables(loaded)[name].lookup(queries)
        assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()


def test_save_is_deterministic(ref_with_vectors: Reference, tmp_path) -> None:
    ref_with_vectors.save(tmp_path / "a")
    ref_with_vectors.save(tmp_path / "b")
    for name in Reference.FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_a_memory_mapped_reference_saved_back_in_place_keeps_its_tables(ref_with_vectors: Reference, tmp_path) -> None:
    """Saving truncated each file its own memory-mapped keys were read from: they came back zeros."""
    ref_with_vectors.save(tmp_path)
    loaded = Reference.load(tmp_path, mmap=True)
    loaded.save(tmp_path)
    again = Reference.load(tmp_path, mmap=False)
    for name, table in _tables(ref_with_vectors).items():
        np.testing.assert_array_equal(_tables(again)[name].keys, table.keys)
        np.testing.assert_array_equal(_tables(again)[name].values, table.values)
    np.testing.assert_array_equal(again.vectors.keys, ref_with_vectors.vectors.keys)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(Reference.FILES)  # no temporary files left


def test_tables_of_either_value_type_are_saved_as_log_probabilities(ref: Reference, tmp_path) -> None:
    """A table holds float log-probabilities or quantised bytes; each is stored as its file's type."""
    keys = np.sort(np.concatenate([bigram("the", "cat"), bigram("a", "dog")]))
    floats = NgramTable(keys, np.array([-0.7, -2.3], np.float32))
    quantised = NgramTable(keys, np.array([11, 37], np.uint8))
    Reference(quantised, floats, floats, ref.vectors, {}).save(tmp_path)
    loaded = Reference.load(tmp_path)
    assert loaded.bigrams.values.dtype == np.uint8 and loaded.unigrams.values.dtype == np.float32
    for table in (loaded.bigrams, loaded.trigrams):
        assert table.lookup(keys)[1] == pytest.approx([-0.7, -2.3], abs=HALF_STEP)
    assert loaded.unigrams.lookup(keys)[1].tolist() == quantised.lookup(keys)[1].tolist()


def test_shipped_reference_tables_are_sorted(reference: Reference) -> None:
    for name, table in _tables(reference).items():
        keys = np.asarray(table.keys)
        assert np.all(keys[1:] > keys[:-1]), name
        assert len(table) == reference.info[name]
    assert np.all(np.asarray(reference.unigrams.values) <= 0)
    found, _ = reference.unigrams.lookup(h("the", "of", "and", "said"))
    assert found.all()


# ---- merge -----------------------------------------------------------------------------------


def test_merge_references() -> None:
    base = build([["the", "cat", "sat"]] * 2, min_trigram_count=1, info={"corpus": "base"})
    extra = build([["the", "cat", "ran"], ["a", "dog", "sat"]], min_trigram_count=1, info={"corpus": "extra"})
    merged = merge_references(base, extra)
    for name, table in _tables(merged).items():
        keys = table.keys
        assert np.all(keys[1:] > keys[:-1]), name
        union = np.union1d(_tables(base)[name].keys, _tables(extra)[name].keys)
        assert keys.tolist() == union.tolist(), name
        assert table.values.dtype == _tables(base)[name].values.dtype
        assert merged.info[name] == len(table)
    # a bigram in both is the mean of the two; one in only one keeps its value
    both = bigram("the", "cat")
    only_extra = bigram("cat", "ran")
    for key in (both, only_extra):
        in_base = base.bigrams.lookup(key)
        in_extra = extra.bigrams.lookup(key)
        values = [lp[0] for found, lp in (in_base, in_extra) if found[0]]
        assert merged.bigrams.lookup(key)[1][0] == pytest.approx(np.mean(values), abs=HALF_STEP)
    found, logp = merged.unigrams.lookup(h("cat"))
    expected = np.mean([base.unigrams.lookup(h("cat"))[1][0], extra.unigrams.lookup(h("cat"))[1][0]])
    assert found[0] and logp[0] == pytest.approx(expected, abs=1e-5)
    assert merged.info["tokens"] == base.info["tokens"] + extra.info["tokens"]
    assert merged.info["paragraphs"] == base.info["paragraphs"] + extra.info["paragraphs"]


def test_merge_chooses_vectors() -> None:
    v1 = WordVectors(np.sort(h("cat")), np.ones((1, 2), np.float16))
    v2 = WordVectors(np.sort(h("dog", "cat")), np.ones((2, 2), np.float16))
    base, extra = build(vectors=v1), build(vectors=v2)
    assert merge_references(base, extra).vectors is v1
    assert merge_references(base, extra, use_extra_vectors=True).vectors is v2


@pytest.mark.parametrize(
    "make",
    [
        lambda: NgramTable(np.sort(h("a", "b", "c")), np.zeros(3, np.float32)),
        lambda: WordVectors(np.sort(h("a", "b")), np.ones((2, 4), np.float16)),
        lambda: Lexicon.from_pairs({"big": [("large", 1)], "said": [("stated", 2)]}),
    ],
    ids=["NgramTable", "WordVectors", "Lexicon"],
)
def test_a_lookup_index_is_built_once_when_threads_ask_for_it_at_once(make, monkeypatch) -> None:
    """Threads sharing a cold detector ask for each index at once: one builds it, the others wait
    (Python 3.12's cached_property has no lock: 16 threads made about 30 builds and kept 670-780 MB
    instead of 210 MB). The first build is held until the second thread has had time to start one."""
    owner = make()
    entered, release, second = threading.Event(), threading.Event(), threading.Event()
    builds: list[int] = []
    build = KeyIndex.build.__func__

    def held(cls, keys):
        builds.append(len(keys))
        if len(builds) == 1:
            entered.set()
            release.wait(5)
        else:
            second.set()
        return build(cls, keys)

    monkeypatch.setattr(KeyIndex, "build", classmethod(held))
    got: list[KeyIndex] = []
    threads = [threading.Thread(target=lambda: got.append(owner.index)) for _ in range(2)]
    threads[0].start()
    assert entered.wait(5)
    threads[1].start()
    second.wait(0.3)  # without the lock, the second thread builds its own index now
    release.set()
    for thread in threads:
        thread.join(5)
    assert len(builds) == 1
    assert len(got) == 2 and got[0] is got[1]
