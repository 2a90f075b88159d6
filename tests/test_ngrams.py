"""Stage 2: stable token and n-gram hashes and the flat batch layout (spincheck.ngrams)."""

from __future__ import annotations

import json
import random
import warnings

import numpy as np
import pytest

from spincheck.ngrams import BOS, EOS, MAX_TOKEN_CHARS, SMALL_SEARCH, KeyIndex, combine, hash_tokens, layout

MASK = (1 << 64) - 1

# Pinned values: the shipped reference tables and lexicon are keyed by these
# hashes, so any change to the hash function silently makes every lookup miss.
# If you change the function on purpose, rebuild models/ and update these.
PINNED = {
    "the": 0x901962260B6A34D5,
    "u.s.": 0x4CF4269DB2B76BB5,
    "us": 0x4CF4269DB2B76BB5,
    "<s>": 0x88D0D717B513A420,
    "</s>": 0x7B622D7F796C94CE,
    "naïve": 0x6D120FC9A80F667E,
    "日本": 0x0CF638A4BECA5ABF,
    ".": 0xF52A15E9A9B5E89B,
    ",": 0xADAE098E5582610C,
    "n't": 0x37D20998518921D7,
    "0000": 0xFF699DE7811161DF,
    # 24 code points, all hashed; and a longer token, hashed on those 24 alone
    "electroencephalographers": 0xAC88640B581219AD,
    "pneumonoultramicroscopicsilicovolcanoconiosis": 0xC7430BDC64B9BBAB,
}
PINNED_BIGRAM = (("the", "cat"), 0x1132E5A3D7C355F4)
PINNED_TRIGRAM = (("the", "black", "cat"), 0x9757FA921536AEB5)


def _splitmix(h: int) -> int:
    h ^= h >> 30
    h = (h * 0xBF58476D1CE4E5B9) & MASK
    h ^= h >> 27
    h = (h * 0x94D049BB133111EB) & MASK
    return h ^ (h >> 31)


def reference_hash(token: str) -> int:
    """The documented hash, written out plainly: FNV-1a over code points (dots skipped,
    first MAX_TOKEN_CHARS code points), finished with splitmix64."""
    h = 0xCBF29CE484222325
    for ch in token[:MAX_TOKEN_CHARS]:
        if ch == ".":
            continue
        h = ((h ^ ord(ch)) * 0x100000001B3) & MASK
    return _splitmix(h)


def reference_combine(a: int, b: int) -> int:
    return _splitmix((a * 0x9E3779B97F4A7C15 + b) & MASK)


def _h(*tokens: str) -> list[int]:
    return [int(x) for x in hash_tokens(list(tokens))]


def test_pinned_token_hashes() -> None:
    assert {t: h for t, h in zip(PINNED, _h(*PINNED))} == PINNED


def test_pinned_ngram_hashes() -> None:
    (a, b), expected = PINNED_BIGRAM
    assert int(combine(hash_tokens([a]), hash_tokens([b]))[0]) == expected
    (a, b, c), expected = PINNED_TRIGRAM
    tri = combine(combine(hash_tokens([a]), hash_tokens([b])), hash_tokens([c]))
    assert int(tri[0]) == expected


def test_markers_are_the_hashes_of_their_names() -> None:
    assert int(BOS) == PINNED["<s>"] and int(EOS) == PINNED["</s>"]
    assert BOS.dtype == np.uint64


def _random_tokens(rng: random.Random, n: int) -> list[str]:
    alphabet = "abcdefghijklmnopqrstuvwxyz'.-0éøßжд日本🙂"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(n)]


def test_hash_matches_plain_python_definition() -> None:
    tokens = _random_tokens(random.Random(0), 500) + list(PINNED)
    assert _h(*tokens) == [reference_hash(t) for t in tokens]
    a, b = hash_tokens(tokens[:250]), hash_tokens(tokens[250:500])
    assert [int(x) for x in combine(a, b)] == [reference_combine(int(x), int(y)) for x, y in zip(a, b)]


def test_combine_of_scalars_and_of_arrays_agree_without_warnings() -> None:
    """Arrays skip the errstate that scalars need (numpy warns of a scalar's overflow only)."""
    a, b = hash_tokens(["government", "said", "<s>"]), hash_tokens(["officials", "on", "the"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pairs = combine(a, b)
        assert [int(combine(x, y)) for x, y in zip(a, b)] == [int(x) for x in pairs]
        assert int(combine(a[:1].reshape(()), b[0])) == int(pairs[0])  # a 0-d array and a scalar
    assert [int(x) for x in pairs] == [reference_combine(int(x), int(y)) for x, y in zip(a, b)]


def test_hash_of_a_token_does_not_depend_on_its_batch() -> None:
    tokens = ["a", "much-longer-token-than-the-others", "b", "日本", "x" * 40]
    together = _h(*tokens)
    alone = [_h(t)[0] for t in tokens]
    assert together == alone


def test_hash_stable_across_processes(run_python) -> None:
    """Python's hash() is salted per process; ours must not be."""
    tokens = ["the", "u.s.", "naïve", "日本", "n't", "spincheck"]
    code = (
        "import json, sys\n"
        "from spincheck.ngrams import hash_tokens, combine\n"
        f"t = {tokens!a}\n"  # escaped: a command line in a non-UTF-8 locale cannot carry "日本"
        "h = hash_tokens(t)\n"
        "print(json.dumps({'tokens': [int(x) for x in h], 'pairs': [int(x) for x in combine(h[:-1], h[1:])],"
        " 'salted': hash('spincheck')}))\n"
    )
    runs = [json.loads(run_python(code, env={"PYTHONHASHSEED": s})) for s in ("1", "987654")]
    assert runs[0]["salted"] != runs[1]["salted"]  # the processes really were salted differently
    h = hash_tokens(tokens)
    expected = {"tokens": [int(x) for x in h], "pairs": [int(x) for x in combine(h[:-1], h[1:])]}
    for run in runs:
        assert {k: run[k] for k in expected} == expected


def test_acronym_dots_are_ignored_but_other_characters_are_not() -> None:
    assert _h("u.s.")[0] == _h("us")[0]
    assert _h("u.k.")[0] != _h("us")[0]
    assert _h("co-op")[0] != _h("coop")[0]


def test_no_collisions_among_many_distinct_tokens() -> None:
    tokens = sorted({t.replace(".", "") for t in _random_tokens(random.Random(1), 20_000)})
    assert len(set(_h(*tokens))) == len(tokens)


def test_long_tokens_hash_on_their_prefix() -> None:
    prefix = "x" * MAX_TOKEN_CHARS
    assert _h(prefix + "a")[0] == _h(prefix + "b")[0]
    assert _h(prefix[:-1] + "a")[0] != _h(prefix[:-1] + "b")[0]


def test_combine_is_order_sensitive() -> None:
    a, b = hash_tokens(["new"]), hash_tokens(["york"])
    assert combine(a, b)[0] != combine(b, a)[0]


def test_hash_no_tokens() -> None:
    assert hash_tokens([]).shape == (0,) and hash_tokens([]).dtype == np.uint64


def test_layout_of_no_paragraphs() -> None:
    batch = layout([])
    assert batch.ids.size == 0 and batch.starts.size == 0 and batch.lengths.size == 0


# ---- layout ----------------------------------------------------------------------------------

PARAGRAPHS = [["the", "cat", "sat", "."], [], ["a"], ["dogs", "bark", ",", "cats", "mew", "."]]


def test_layout_slots() -> None:
    batch = layout(PARAGRAPHS)
    n = sum(len(p) + 3 for p in PARAGRAPHS)
    for name in ("ids", "para", "is_token"):
        assert getattr(batch, name).shape == (n,)
    assert batch.lengths.tolist() == [len(p) for p in PARAGRAPHS]
    assert batch.ids.dtype == np.uint64
    slot = 0
    for i, tokens in enumerate(PARAGRAPHS):
        start = int(batch.starts[i])
        assert start == slot + 2
        # two BOS of left context, the tokens, one EOS
        assert batch.ids[start - 2] == BOS and batch.ids[start - 1] == BOS
        assert batch.ids[start : start + len(tokens)].tolist() == hash_tokens(tokens).tolist()
        assert batch.ids[start + len(tokens)] == EOS
        assert batch.para[slot : start + len(tokens) + 1].tolist() == [i] * (len(tokens) + 3)
        assert batch.is_token[slot : start + len(tokens) + 1].tolist() == [False, False] + [True] * len(tokens) + [
            False
        ]
        slot = start + len(tokens) + 1
    assert slot == n


def test_layout_targets_and_ngrams() -> None:
    batch = layout(PARAGRAPHS)
    # every token and every end marker is a target; their n-grams never cross paragraphs
    assert (batch.is_target == (batch.is_token | (batch.ids == EOS))).all()
    for j in np.flatnonzero(batch.is_target):
        assert batch.para[j - 2] == batch.para[j]


def test_layout_of_batch_equals_layout_of_each_paragraph() -> None:
    batch = layout(PARAGRAPHS)
    for i, tokens in enumerate(PARAGRAPHS):
        alone = layout([tokens])
        mine = batch.para == i
        assert batch.ids[mine].tolist() == alone.ids.tolist()
        assert batch.is_token[mine].tolist() == alone.is_token.tolist()


def test_layout_of_given_hashes_equals_layout_of_tokens() -> None:
    # the detector hashes a group's tokens once and passes each paragraph's hashes to layout
    paragraphs = [*PARAGRAPHS, [], ["only"]]
    ids = [hash_tokens(tokens) for tokens in paragraphs]
    given, hashed = layout(paragraphs, ids=ids), layout(paragraphs)
    for name in ("ids", "para", "is_token", "starts", "lengths", "capital"):
        assert np.array_equal(getattr(given, name), getattr(hashed, name)), name
    assert layout([[], []], ids=[ids[-2], ids[-2]]).ids.tolist() == layout([[], []]).ids.tolist()


@pytest.mark.parametrize("n_tokens", [0, 1, 2, 3, 50])
def test_layout_sizes(n_tokens: int) -> None:
    batch = layout([["w"] * n_tokens])
    assert batch.ids.size == n_tokens + 3
    assert int(batch.is_token.sum()) == n_tokens


# ---- KeyIndex: the bucketed search must answer exactly what np.searchsorted does ----------------
TOP = np.uint64(2**64 - 1)


def _edge_keys(rng: np.random.Generator, n: int) -> np.ndarray:
    """Sorted unique keys with extremes and runs at bucket boundaries (for any bucket width)."""
    boundaries = np.array([1 << b for b in range(1, 64)], dtype=np.uint64)
    extra = np.concatenate(
        [boundaries, boundaries - np.uint64(1), [np.uint64(0), np.uint64(1), TOP - np.uint64(1), TOP]]
    )
    keys = np.concatenate([rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True), extra])
    return np.unique(keys)


def _edge_queries(rng: np.random.Generator, keys: np.ndarray) -> np.ndarray:
    one = np.uint64(1)
    present = keys[rng.integers(0, max(len(keys), 1), 2000)] if len(keys) else np.empty(0, np.uint64)
    near = np.concatenate([present - one, present + one]) if len(keys) else np.empty(0, np.uint64)
    boundaries = np.array([1 << b for b in range(64)], dtype=np.uint64)
    fixed = np.concatenate([boundaries, boundaries - one, [np.uint64(0), TOP, TOP - one]])
    rand = rng.integers(0, 2**64 - 1, 3000, dtype=np.uint64, endpoint=True)
    return np.concatenate([present, near, fixed, rand])


@pytest.mark.parametrize("n", [1, 2, 3, 7, 100, 5000, 70_000])
def test_key_index_search_equals_searchsorted(n: int) -> None:
    rng = np.random.default_rng(n)
    keys = _edge_keys(rng, n)
    for table in (keys, keys[:n], keys[-n:], keys[: max(n // 3, 1)]):
        index = KeyIndex.build(table)
        queries = _edge_queries(rng, table)
        assert np.array_equal(index.search(queries), np.searchsorted(table, queries))
        found, idx = index.find(queries)
        expected = np.minimum(np.searchsorted(table, queries), len(table) - 1)
        assert np.array_equal(idx, expected)
        assert np.array_equal(found, table[expected] == queries)
        assert found[: min(2000, len(queries))].all()  # keys present are found


def test_key_index_on_crowded_buckets() -> None:
    """Keys that share their top bits (a skewed table) still give searchsorted's answer."""
    rng = np.random.default_rng(1)
    keys = np.unique(
        np.concatenate([rng.integers(0, 5000, 3000, dtype=np.uint64), [TOP - np.uint64(i) for i in range(50)]])
    )
    index = KeyIndex.build(keys)
    assert index.steps >= 11  # 3000 keys in the first bucket
    queries = np.concatenate([np.arange(0, 5100, dtype=np.uint64), TOP - np.arange(60, dtype=np.uint64)])
    assert np.array_equal(index.search(queries), np.searchsorted(keys, queries))


def test_key_index_small_searches_equal_searchsorted() -> None:
    """Up to SMALL_SEARCH queries take np.searchsorted, more the bucket search: both answer alike."""
    rng = np.random.default_rng(3)
    keys = _edge_keys(rng, 5000)
    index = KeyIndex.build(keys)
    pool = _edge_queries(rng, keys)
    for n in range(1, SMALL_SEARCH + 3):
        for _ in range(20):
            queries = pool[rng.integers(0, pool.size, n)]
            assert np.array_equal(index.search(queries), np.searchsorted(keys, queries))
    queries = pool[:SMALL_SEARCH].reshape(2, -1)
    assert np.array_equal(index.search(queries), np.searchsorted(keys, queries))


def test_key_index_empty_table_and_query_shapes() -> None:
    empty = KeyIndex.build(np.empty(0, np.uint64))
    queries = np.array([[0, 5], [TOP, 1]], dtype=np.uint64)
    assert np.array_equal(empty.search(queries), np.zeros((2, 2), np.intp))
    found, idx = empty.find(queries)
    assert found.shape == (2, 2) and not found.any() and not idx.any()
    keys = np.array([1, 5, TOP], dtype=np.uint64)
    index = KeyIndex.build(keys)
    assert np.array_equal(index.search(queries), np.searchsorted(keys, queries))
    assert index.find(queries)[0].tolist() == [[False, True], [True, True]]
    assert index.search(np.empty((0, 3), np.uint64)).shape == (0, 3)


def test_key_index_works_on_memory_mapped_keys(tmp_path) -> None:
    rng = np.random.default_rng(2)
    keys = _edge_keys(rng, 20_000)
    np.save(tmp_path / "keys.npy", keys)
    mapped = np.load(tmp_path / "keys.npy", mmap_mode="r")
    index = KeyIndex.build(mapped)
    assert not isinstance(index.keys, np.memmap) and np.shares_memory(index.keys, mapped)
    queries = _edge_queries(rng, keys)
    assert np.array_equal(index.search(queries), np.searchsorted(keys, queries))


def test_hash_tokens_with_repeats_equals_hashing_one_by_one() -> None:
    """Distinct tokens are hashed once; repeats must get the same hash, in input order."""
    rng = random.Random(3)
    vocab = ["the", "u.s.", "us", "naïve", ".", ",", "n't", "x" * (MAX_TOKEN_CHARS + 5), "日本", "a\x00b", "\ud800"]
    tokens = [rng.choice(vocab) for _ in range(500)]
    one_by_one = [int(hash_tokens([t])[0]) for t in tokens]
    assert [int(h) for h in hash_tokens(tokens)] == one_by_one
    assert [int(h) for h in hash_tokens(vocab)] == [int(hash_tokens([t])[0]) for t in vocab]


def test_hash_does_not_depend_on_the_machines_byte_order(monkeypatch) -> None:
    """On a big-endian machine a native uint32 is big-endian; the code points are stored
    little-endian (``<U``), so reading them as native integers would byte-swap each one.
    Emulated here by making the module's native uint32 big-endian."""
    from types import SimpleNamespace

    from spincheck import ngrams

    tokens = list(PINNED)
    big_endian_numpy = SimpleNamespace(**{**vars(np), "uint32": np.dtype(">u4")})
    monkeypatch.setattr(ngrams, "np", big_endian_numpy)
    assert _h(*tokens) == list(PINNED.values())
