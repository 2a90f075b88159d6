"""Stage 3: clean-reference n-gram statistics: build, save, load, look up.

The reference is what "familiar English" means to spincheck. It stores, for
unigrams, bigrams and trigrams seen in clean text, a log-probability:
``log P(w)`` for unigrams, ``log P(w | a)`` for bigrams and ``log P(w | a b)``
for trigrams. Keys are the stable n-gram hashes from :mod:`spincheck.ngrams`,
kept sorted so that a whole batch is looked up at once (see ``KeyIndex``).
Bigram and trigram log-probabilities are quantised to 1/16 nat in a ``uint8``
(9 bytes an entry with the key), unigram ones kept as ``float32``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np

from ._lazy import cached_property
from ._npz import load_npy, save_npy
from .ngrams import Batch, KeyIndex, combine, hash_tokens, layout
from .vectors import FILES as VECTOR_FILES
from .vectors import WordVectors

__all__ = ["NgramTable", "Reference", "ReferenceBuilder", "merge_references", "QUANT"]

QUANT = 16.0  # quantisation steps per nat for bigram/trigram log-probabilities
_MAX_Q = 255


@dataclass
class NgramTable:
    """Sorted uint64 keys with one log-probability per key."""

    keys: np.ndarray
    values: np.ndarray  # float32 log-probs, or uint8 quantised (-logp * QUANT)

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    @cached_property
    def index(self) -> KeyIndex:
        return KeyIndex.build(self.keys)

    def lookup(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(found, logp)`` for each query hash; ``logp`` is 0 where not found."""
        if len(self.keys) == 0 or queries.size == 0:
            return np.zeros(queries.shape, bool), np.zeros(queries.shape, np.float32)
        found, idx = self.index.find(queries)
        raw = np.asarray(self.values)[idx]
        if raw.dtype == np.uint8:
            logp = raw.astype(np.float32) * np.float32(-1.0 / QUANT)
        else:
            logp = raw.astype(np.float32, copy=False)
        logp = np.where(found, logp, np.float32(0.0))
        return found, logp


@dataclass
class Reference:
    """Unigram, bigram and trigram tables plus their provenance."""

    unigrams: NgramTable
    bigrams: NgramTable
    trigrams: NgramTable
    vectors: WordVectors
    info: dict = field(default_factory=dict)

    FILES = (
        "unigram_keys.npy",
        "unigram_logp.npy",
        "bigram_keys.npy",
        "bigram_q.npy",
        "trigram_keys.npy",
        "trigram_q.npy",
        "reference.json",
        *VECTOR_FILES,
    )

    @property
    def tokens(self) -> float:
        """Running words the tables were counted from (1e6 for a reference that does not say)."""
        return float(self.info.get("tokens", 1e6))

    def save(self, directory: Path) -> list[Path]:
        directory.mkdir(parents=True, exist_ok=True)
        arrays = {
            "unigram_keys.npy": self.unigrams.keys,
            "unigram_logp.npy": _stored(self.unigrams, np.float32),
            "bigram_keys.npy": self.bigrams.keys,
            "bigram_q.npy": _stored(self.bigrams, np.uint8),
            "trigram_keys.npy": self.trigrams.keys,
            "trigram_q.npy": _stored(self.trigrams, np.uint8),
        }
        paths = []
        for name, array in arrays.items():
            path = directory / name
            save_npy(path, array)
            paths.append(path)
        self.vectors.save(directory)
        paths.extend(directory / name for name in VECTOR_FILES)
        info_path = directory / "reference.json"
        info_path.write_text(json.dumps(self.info, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        paths.append(info_path)
        return paths

    @classmethod
    def load(cls, directory: Path, mmap: bool = True) -> "Reference":
        def arr(name: str) -> np.ndarray:
            return load_npy(directory / name, mmap)

        info = json.loads((directory / "reference.json").read_text(encoding="utf-8"))
        return cls(
            unigrams=NgramTable(arr("unigram_keys.npy"), arr("unigram_logp.npy")),
            bigrams=NgramTable(arr("bigram_keys.npy"), arr("bigram_q.npy")),
            trigrams=NgramTable(arr("trigram_keys.npy"), arr("trigram_q.npy")),
            vectors=WordVectors.load(directory, mmap=mmap),
            info=info,
        )


def _stored(table: NgramTable, dtype: type) -> np.ndarray:
    """``table``'s log-probabilities as its file stores them, ``float32`` or quantised ``uint8``.

    A table may hold either (see :class:`NgramTable`); a plain cast turned float log-probabilities
    into wrapped bytes (-2.3 into 254, read back as -15.9) and quantised bytes into positive floats.
    """
    values = np.asarray(table.values)
    if dtype == np.uint8:
        return values if values.dtype == np.uint8 else _quantize(values)
    if values.dtype == np.uint8:
        return values.astype(np.float32) * np.float32(-1.0 / QUANT)
    return values.astype(np.float32)


def _reduce(keys: np.ndarray, counts: np.ndarray, ctx: np.ndarray | None = None):
    """Sum counts of equal keys; keep one context hash per key."""
    if keys.size == 0:
        return keys, counts, ctx
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    counts = counts[order]
    first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    summed = np.add.reduceat(counts, first)
    out_ctx = ctx[order][first] if ctx is not None else None
    return keys[first], summed, out_ctx


class _Counter:
    """Counts of hashed n-grams with their context hash, merged in chunks."""

    def __init__(self, with_context: bool) -> None:
        self.with_context = with_context
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]] = []
        self.pending = 0

    def add(self, keys: np.ndarray, ctx: np.ndarray | None = None) -> None:
        k, c, x = _reduce(keys, np.ones(keys.shape, np.int64), ctx)
        self.parts.append((k, c, x))
        self.pending += k.size
        if len(self.parts) >= 16:
            self.compact()

    def compact(self, min_count: int = 1) -> None:
        if not self.parts:
            return
        keys = np.concatenate([p[0] for p in self.parts])
        counts = np.concatenate([p[1] for p in self.parts])
        ctx = np.concatenate([p[2] for p in self.parts]) if self.with_context else None
        k, c, x = _reduce(keys, counts, ctx)
        if min_count > 1:
            keep = c >= min_count
            k, c = k[keep], c[keep]
            x = x[keep] if x is not None else None
        self.parts = [(k, c, x)]

    def result(self):
        self.compact()
        if not self.parts:
            empty = np.empty(0, np.uint64)
            return empty, np.empty(0, np.int64), (empty if self.with_context else None)
        return self.parts[0]

    @property
    def size(self) -> int:
        return sum(p[0].size for p in self.parts)


class ReferenceBuilder:
    """Accumulate n-gram counts from tokenised clean paragraphs.

    Call :meth:`add` with batches of token lists, then :meth:`build`. When more
    than ``max_entries`` distinct n-grams accumulate, singletons are pruned (and
    the next rarest, if that is not enough), at the cost of some rare n-grams,
    which carry little signal anyway. That bounds the bigram and trigram tables,
    not all memory: the counts of their contexts (every distinct word and word
    pair), the probabilities' denominators, are kept whole so that the
    probabilities stay exact, and they grow with the corpus's vocabulary.
    """

    def __init__(self, max_entries: int = 30_000_000) -> None:
        self.max_entries = max_entries
        self.unigrams = _Counter(False)
        self.bigrams = _Counter(True)
        self.trigrams = _Counter(True)
        self.bigram_ctx = _Counter(False)
        self.trigram_ctx = _Counter(False)
        self.tokens = 0
        self.paragraphs = 0

    def add(self, token_lists: list[list[str]]) -> None:
        batch = layout(token_lists)
        self.add_batch(batch)

    def top_words(self, n: int) -> np.ndarray:
        """Hashes of the ``n`` most frequent tokens seen so far (vocabulary for word vectors)."""
        keys, counts, _ = self.unigrams.result()
        order = np.lexsort((keys, -counts))[:n]
        return keys[order]

    def add_batch(self, batch: Batch) -> None:
        target = batch.is_target
        target[:2] = False  # first slots have no left context (they are BOS anyway)
        ids = batch.ids
        prev = np.roll(ids, 1)
        prev2 = np.roll(ids, 2)
        pos = np.flatnonzero(target)
        self.unigrams.add(ids[pos])
        bi = combine(prev[pos], ids[pos])
        self.bigrams.add(bi, prev[pos])
        self.bigram_ctx.add(prev[pos])
        ctx3 = combine(prev2[pos], prev[pos])
        tri = combine(ctx3, ids[pos])
        self.trigrams.add(tri, ctx3)
        self.trigram_ctx.add(ctx3)
        self.tokens += int(batch.is_token.sum())
        self.paragraphs += int(batch.lengths.size)
        if self.trigrams.size + self.bigrams.size > self.max_entries:
            # Until compacted, an n-gram counts once per batch it was in: prune on distinct ones only.
            self.trigrams.compact()
            self.bigrams.compact()
        if self.trigrams.size + self.bigrams.size > self.max_entries:
            self._prune()

    def _prune(self) -> None:
        """Drop singletons; if that leaves the table over budget, the rarest n-grams down to half of it.

        Singletons alone can leave it over budget (a long corpus, a small budget): memory then
        kept growing, and every later batch was pruned again, each n-gram new to its batch dropped
        however often it recurred batch after batch. Half the budget leaves room to recur in.
        """
        self.trigrams.compact(min_count=2)
        self.bigrams.compact(min_count=2)
        if self.trigrams.size + self.bigrams.size <= self.max_entries:
            return
        counts = np.concatenate([self.trigrams.result()[1], self.bigrams.result()[1]])
        keep = self.max_entries // 2
        # one more than the (keep + 1)-th largest count: at most ``keep`` n-grams are above it
        min_count = int(np.partition(counts, counts.size - keep - 1)[counts.size - keep - 1]) + 1
        self.trigrams.compact(min_count=min_count)
        self.bigrams.compact(min_count=min_count)

    def build(
        self,
        *,
        min_trigram_count: int = 2,
        min_bigram_count: int = 1,
        word_freqs: Mapping[str, float] | None = None,
        external_bigrams: Iterable[tuple[str, str, float]] | None = None,
        external_unigram_counts: Mapping[str, float] | None = None,
        external_ngrams: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
        max_bigrams: int | None = None,
        max_trigrams: int | None = None,
        vectors: WordVectors | None = None,
        info: dict | None = None,
    ) -> Reference:
        """Turn counts into log-probability tables.

        ``word_freqs`` (word -> relative frequency, e.g. from wordfreq) replaces
        local unigram estimates where given, since web-scale frequencies are
        more reliable than a few million words. ``external_bigrams`` (a, b,
        count) with ``external_unigram_counts`` add web bigram estimates, and
        ``external_ngrams`` ("bigrams"/"trigrams" -> hashed keys and
        log-probabilities, e.g. from :mod:`spincheck.sphinxlm`) estimates
        from a larger model. Where sources share an n-gram, their mean is
        taken; it is averaged with the local estimate for n-grams seen fewer
        than 3 times locally.
        """
        uni_k, uni_c, _ = self.unigrams.result()
        total = max(float(uni_c.sum()), 1.0)
        uni_lp = np.log(uni_c / total).astype(np.float32)
        if word_freqs:
            words = list(word_freqs)
            wk = hash_tokens(words)
            wlp = np.log(np.array([word_freqs[w] for w in words], dtype=np.float64)).astype(np.float32)
            keys = np.concatenate([wk, uni_k])
            vals = np.concatenate([wlp, uni_lp])
            # first occurrence wins after a stable sort: external frequencies first
            order = np.argsort(keys, kind="stable")
            keys, vals = keys[order], vals[order]
            first = np.concatenate(([True], keys[1:] != keys[:-1]))
            uni_k, uni_lp = keys[first], vals[first]
        unigrams = NgramTable(uni_k.astype(np.uint64), uni_lp.astype(np.float32))

        external_ngrams = external_ngrams or {}
        bigram_sources = [external_ngrams["bigrams"]] if "bigrams" in external_ngrams else []
        if external_bigrams is not None and external_unigram_counts:
            bigram_sources.append(_bigram_logp(external_bigrams, external_unigram_counts))
        bigrams = self._conditional(self.bigrams, self.bigram_ctx, min_bigram_count, max_bigrams)
        bigrams = _merge_external(bigrams, self.bigrams, bigram_sources)
        trigrams = self._conditional(self.trigrams, self.trigram_ctx, min_trigram_count, max_trigrams)
        if "trigrams" in external_ngrams:
            trigrams = _merge_external(trigrams, self.trigrams, [external_ngrams["trigrams"]])
        meta = dict(info or {})
        meta.update(
            tokens=self.tokens,
            paragraphs=self.paragraphs,
            unigrams=len(unigrams),
            bigrams=len(bigrams),
            trigrams=len(trigrams),
            quantisation_steps_per_nat=QUANT,
        )
        if vectors is None:
            vectors = WordVectors(np.empty(0, np.uint64), np.zeros((0, 1), np.float16))
        meta["vectors"] = int(len(vectors.keys))
        return Reference(unigrams, bigrams, trigrams, vectors, meta)

    @staticmethod
    def _conditional(counter: _Counter, ctx_counter: _Counter, min_count: int, max_entries: int | None) -> NgramTable:
        keys, counts, ctx = counter.result()
        ctx_keys, ctx_counts, _ = ctx_counter.result()
        keep = counts >= min_count
        keys, counts, ctx = keys[keep], counts[keep], ctx[keep]
        if max_entries is not None and keys.size > max_entries:
            # keep the most frequent; ties broken by key for determinism
            order = np.lexsort((keys, -counts))[:max_entries]
            order.sort()
            keys, counts, ctx = keys[order], counts[order], ctx[order]
        idx = np.searchsorted(ctx_keys, ctx)
        denom = ctx_counts[np.minimum(idx, len(ctx_keys) - 1)].astype(np.float64)
        lp = np.log(counts / np.maximum(denom, counts))
        return NgramTable(keys.astype(np.uint64), _quantize(lp))


def _quantize(logp: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(-logp * QUANT), 0, _MAX_Q).astype(np.uint8)


def _bigram_logp(
    bigrams: Iterable[tuple[str, str, float]], unigram_counts: Mapping[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Hashed keys and log P(b | a) of (a, b, count) bigram counts."""
    firsts, seconds, lps = [], [], []
    for a, b, count in bigrams:
        ca = unigram_counts.get(a)
        if not ca or count <= 0:
            continue
        firsts.append(a)
        seconds.append(b)
        lps.append(math.log(min(1.0, count / ca)))
    if not firsts:
        return np.empty(0, np.uint64), np.empty(0, np.float64)
    return combine(hash_tokens(firsts), hash_tokens(seconds)), np.array(lps, dtype=np.float64)


def mean_by_key(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct ``keys``, each with the mean of its ``values``."""
    values = np.asarray(values, np.float64)
    if not keys.size:
        return keys, values
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    first = np.concatenate(([True], keys[1:] != keys[:-1]))
    group = np.cumsum(first) - 1
    return keys[first], np.bincount(group, weights=values) / np.bincount(group)


def _merge_external(
    table: NgramTable, local_counter: _Counter, sources: list[tuple[np.ndarray, np.ndarray]]
) -> NgramTable:
    """``table`` with the n-grams of external ``sources`` (keys, log-probabilities) added."""
    sources = [s for s in sources if len(s[0])]
    if not sources:
        return table
    # an n-gram from several sources: the mean of their estimates
    ext_keys, ext_lp = mean_by_key(
        np.concatenate([k for k, _ in sources]),
        np.concatenate([np.minimum(np.asarray(v, np.float64), 0.0) for _, v in sources]),
    )

    loc_keys, loc_counts, _ = local_counter.result()
    found_local, local_lp = table.lookup(ext_keys)
    idx = np.minimum(np.searchsorted(loc_keys, ext_keys), max(len(loc_keys) - 1, 0))
    local_n = np.where(loc_keys[idx] == ext_keys, loc_counts[idx], 0) if len(loc_keys) else np.zeros(ext_keys.shape)
    # Trust local estimates seen 3+ times, average rarer ones with the external one.
    weight_local = np.where(found_local, np.minimum(local_n, 3) / 3.0, 0.0)
    merged_lp = weight_local * local_lp + (1 - weight_local) * ext_lp
    keys = np.concatenate([ext_keys, table.keys])
    vals = np.concatenate([_quantize(merged_lp), table.values])
    order = np.argsort(keys, kind="stable")
    keys, vals = keys[order], vals[order]
    first = np.concatenate(([True], keys[1:] != keys[:-1]))
    return NgramTable(keys[first], vals[first])


def _merge_tables(a: NgramTable, b: NgramTable) -> NgramTable:
    """Union of two tables; where both have a key, the mean of the two log-probabilities."""
    keys, mean = mean_by_key(np.concatenate([a.keys, b.keys]), np.concatenate([a.values, b.values]))
    dtype = np.asarray(a.values).dtype
    values = np.rint(mean).astype(dtype) if dtype == np.uint8 else mean.astype(dtype)
    return NgramTable(keys, values)


def merge_references(base: Reference, extra: Reference, *, use_extra_vectors: bool = False) -> Reference:
    """Add a domain corpus's statistics to a base reference (``spincheck train --reference merge``)."""
    info = {
        "merged_from": [base.info, extra.info],
        "tokens": int(base.info.get("tokens", 0)) + int(extra.info.get("tokens", 0)),
        "paragraphs": int(base.info.get("paragraphs", 0)) + int(extra.info.get("paragraphs", 0)),
    }
    unigrams = _merge_tables(base.unigrams, extra.unigrams)
    bigrams = _merge_tables(base.bigrams, extra.bigrams)
    trigrams = _merge_tables(base.trigrams, extra.trigrams)
    vectors = extra.vectors if use_extra_vectors else base.vectors
    info.update(unigrams=len(unigrams), bigrams=len(bigrams), trigrams=len(trigrams), vectors=len(vectors.keys))
    return Reference(unigrams, bigrams, trigrams, vectors, info)
