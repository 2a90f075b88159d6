"""Stage 2: tokens -> stable 64-bit token and n-gram hashes, vectorised.

Hashes must be identical across processes, machines and Python versions, so
they come from a fixed function (FNV-1a over code points, finished with the
splitmix64 mixer), never from Python's salted ``hash()``. Token hashing works
on a whole batch at once: tokens become a fixed-width code-point matrix and the
FNV loop runs over columns, not over tokens.

A batch of paragraphs is laid out as one flat array::

    <s> <s> t1 t2 ... tn </s>  <s> <s> u1 ... um </s> ...

so that every real token and every ``</s>`` has two tokens of left context and
n-grams never cross paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Sequence

import numpy as np

__all__ = [
    "hash_tokens",
    "hash_distinct",
    "token_index",
    "combine",
    "Batch",
    "layout",
    "KeyIndex",
    "BOS",
    "EOS",
    "MAX_TOKEN_CHARS",
]

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_DOT = 46  # "." inside acronyms is skipped, so "u.s." hashes like "us"

# Longer tokens are hashed on their first MAX_TOKEN_CHARS code points (URLs,
# base64 runs); this bounds the work per token.
MAX_TOKEN_CHARS = 24
# A KeyIndex has at most 2**MAX_INDEX_BITS buckets (16 MB of int32), so tables
# beyond 4 M keys get longer buckets rather than a bigger index.
MAX_INDEX_BITS = 22
# Up to this many queries are searched by np.searchsorted: one call of about 1-6 us, where the
# bucket search's 20-odd array operations cost about 10 us however few the queries; at 32
# queries the binary search's cache misses in a table of millions of keys cost as much. A
# paragraph scored alone makes about 9 such small searches.
SMALL_SEARCH = 16


def _splitmix(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(30))
    h = h * _MIX1
    h = h ^ (h >> np.uint64(27))
    h = h * _MIX2
    return h ^ (h >> np.uint64(31))


def hash_tokens(tokens: list[str]) -> np.ndarray:
    """Stable uint64 hash of each token; equal strings give equal hashes.

    Each distinct token is hashed once: text repeats its words (a batch of
    news paragraphs has several tokens per distinct one), and finding the
    distinct ones with a dict costs less than hashing every repeat.
    """
    if not tokens:
        return np.empty(0, dtype=np.uint64)
    distinct, which = token_index(tokens)
    hashes = hash_distinct(distinct)
    return hashes if which is None else hashes[which]


def token_index(tokens: Sequence[str]) -> tuple[list[str], np.ndarray | None]:
    """The distinct tokens in order of first appearance, and each token's position among them
    (None when every token is distinct): what depends on a token alone is then computed once per
    distinct token and gathered."""
    distinct = list(dict.fromkeys(tokens))
    if len(distinct) == len(tokens):
        return distinct, None
    position = dict(zip(distinct, range(len(distinct))))
    return distinct, np.fromiter(map(position.__getitem__, tokens), dtype=np.intp, count=len(tokens))


def hash_distinct(tokens: list[str]) -> np.ndarray:
    """:func:`hash_tokens` of tokens known to be distinct."""
    if not tokens:
        return np.empty(0, dtype=np.uint64)
    matrix = np.array(tokens, dtype=f"<U{MAX_TOKEN_CHARS}")
    # Little-endian code points read as little-endian integers: a native uint32 view of them
    # would read each one byte-swapped on a big-endian machine (s390x), and every hash differ.
    codes = matrix.view("<u4").reshape(len(tokens), MAX_TOKEN_CHARS)
    width = _used_width(codes)
    h = np.full(len(tokens), _FNV_OFFSET, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(width):
            col = codes[:, j].astype(np.uint64)
            keep = (col != 0) & (col != _DOT)
            h = np.where(keep, (h ^ col) * _FNV_PRIME, h)
        return _splitmix(h)


def _used_width(codes: np.ndarray) -> int:
    nonzero = np.flatnonzero(codes.any(axis=0))
    return int(nonzero[-1]) + 1 if nonzero.size else 0


def combine(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Order-sensitive hash of a pair; ``combine(combine(a, b), c)`` hashes a trigram."""
    if isinstance(left, np.ndarray) and left.ndim:  # array arithmetic wraps silently: no errstate (1 us)
        return _splitmix(left * _GOLDEN + right)
    with np.errstate(over="ignore"):  # numpy warns of a scalar's overflow
        return _splitmix(left * _GOLDEN + right)


@dataclass(frozen=True)
class KeyIndex:
    """Finds hashes in a sorted uint64 key table, a whole batch at a time.

    Hashes are uniform, so their top ``bits`` bits split the table into
    buckets of one or two keys on average; ``starts`` holds where each bucket
    begins. A query jumps to its bucket and needs ``steps`` (about 4) rounds of
    binary search, vectorised over the batch, instead of ~20 over the whole
    table: fewer cache misses and no sorting of the queries. Built in one pass
    over the keys (about 10 ms per million), so it is made at load time rather
    than stored with the model.
    """

    keys: np.ndarray  # sorted uint64, a plain ndarray (a view when the table is memory-mapped)
    starts: np.ndarray  # (2**bits,) index of the first key of each bucket
    shift: np.uint64  # 64 - bits
    steps: int  # rounds of binary search that cover the largest bucket

    @classmethod
    def build(cls, keys: np.ndarray) -> "KeyIndex":
        keys = np.asarray(keys, dtype=np.uint64)  # a memmap becomes an ndarray view, still mapped
        bits = min(max(len(keys).bit_length() - 1, 1), MAX_INDEX_BITS)
        shift = np.uint64(64 - bits)
        # Counting every bucket at once takes about 40 MB of temporaries for the bigram table,
        # which glibc then keeps in the process's heap (about 40 MB of its private memory). A
        # build a slice of buckets at a time avoids that, but scoring measured 10 % slower with
        # it: the hot path's large temporaries then came from fresh mmaps, page faults and all,
        # instead of from that kept heap (bench.py; MALLOC_TOP_PAD_ restored the speed).
        # The shifted keys are below 2**bits, so their uint64 bits read as intp are the same
        # numbers: a view, not another copy of the table (25 MB more, and 40 % of the build).
        counts = np.bincount((keys >> shift).view(np.intp), minlength=1 << bits)
        starts = np.zeros(1 << bits, np.int32 if len(keys) < 2**31 else np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        return cls(keys, starts, shift, int(counts.max()).bit_length())

    def search(self, queries: np.ndarray) -> np.ndarray:
        """``np.searchsorted(keys, queries)`` for queries of any shape and order."""
        flat = np.asarray(queries, dtype=np.uint64).ravel()
        n = len(self.keys)
        if n == 0:
            return np.zeros(np.shape(queries), np.intp)
        if flat.size <= SMALL_SEARCH:
            return np.searchsorted(self.keys, flat).reshape(np.shape(queries))
        # pos: the last key known to be < query (start - 1 at first). A gather
        # past the end reads the last key; a query above every key then ends
        # past the end, which the final minimum undoes.
        pos = self.starts[(flat >> self.shift).astype(np.intp)].astype(np.intp)
        pos -= 1
        step = 1 << (self.steps - 1)
        while step:
            # the step added times the comparison, not copied where it holds (np.copyto(where=)): that
            # branches on each query's comparison, a coin flip; the search takes a seventh less time
            pos += (self.keys.take(pos + step, mode="clip") < flat) * step
            step >>= 1
        pos += 1
        np.minimum(pos, n, out=pos)
        return pos.reshape(np.shape(queries))

    def find(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(found, index)`` of each query; ``index`` is a valid index (meaningless) where not found."""
        queries = np.asarray(queries, dtype=np.uint64)
        if len(self.keys) == 0:
            return np.zeros(queries.shape, bool), np.zeros(queries.shape, np.intp)
        idx = self.search(queries)
        np.minimum(idx, len(self.keys) - 1, out=idx)
        return self.keys[idx] == queries, idx


BOS = hash_tokens(["<s>"])[0]
EOS = hash_tokens(["</s>"])[0]


@dataclass
class Batch:
    """Token hashes of many paragraphs in one flat array (see module docstring).

    ``ids``: hash of every slot; ``para``: paragraph index of every slot;
    ``is_token``: slot holds a real token; ``starts``: slot index of the first
    token of each paragraph; ``lengths``: real tokens per paragraph.
    """

    ids: np.ndarray
    para: np.ndarray
    is_token: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray
    capital: np.ndarray  # token began with a capital letter (False for markers or when unknown)

    @property
    def is_target(self) -> np.ndarray:
        """Slots predicted by the language model: tokens and end markers."""
        return self.ids != BOS


def layout(
    token_lists: Sequence[Sequence[str]],
    capitals: list[np.ndarray] | None = None,
    ids: list[np.ndarray] | None = None,
) -> Batch:
    """Lay out tokenised paragraphs as one flat hashed array.

    ``capitals`` (one bool array per paragraph, from
    :func:`spincheck.text.tokenize_cased`) marks capitalised tokens; ``ids``,
    when given, are the paragraphs' token hashes (:func:`hash_tokens`), computed
    by the caller.
    """
    lengths = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=len(token_lists))
    if lengths.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return Batch(np.empty(0, np.uint64), empty, np.empty(0, bool), empty, empty, np.empty(0, bool))
    n_tokens = int(lengths.sum())
    if ids is None:
        token_ids = hash_tokens(list(chain.from_iterable(token_lists)))
    else:
        token_ids = np.concatenate(ids) if n_tokens else np.empty(0, np.uint64)
    slot_len = lengths + 3
    total = int(slot_len.sum())
    para_start = np.concatenate(([0], np.cumsum(slot_len)[:-1])).astype(np.int64)
    slot_ids = np.empty(total, dtype=np.uint64)
    is_token = np.zeros(total, dtype=bool)
    para = np.repeat(np.arange(len(token_lists), dtype=np.int64), slot_len)
    # BOS at offsets 0 and 1 of each paragraph, EOS at the end, tokens between.
    slot_ids[para_start] = BOS
    slot_ids[para_start + 1] = BOS
    slot_ids[para_start + slot_len - 1] = EOS
    starts = para_start + 2
    capital = np.zeros(total, dtype=bool)
    if n_tokens:
        token_slots = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(n_tokens)
        slot_ids[token_slots] = token_ids
        is_token[token_slots] = True
        if capitals is not None:
            capital[token_slots] = np.concatenate([np.asarray(c, dtype=bool) for c in capitals])
    return Batch(ids=slot_ids, para=para, is_token=is_token, starts=starts, lengths=lengths, capital=capital)
