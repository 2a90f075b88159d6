"""Reference word vectors: does a word belong among its neighbours?

N-gram tables only know exact neighbours, and a few million words leave most
content-word pairs unseen. Word vectors learned from the same clean corpus
(positive PMI of co-occurrence within a few words, reduced by a truncated SVD)
generalise across them: "security" sits near "agreements" and "military",
"safety" less so. A spinner's context-blind synonym often has the wrong sense,
so it fits its paragraph worse than the word it replaced.

Stored as sorted token hashes plus a ``float16`` matrix of unit-length rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._lazy import cached_property
from ._npz import load_npy, save_npy
from .ngrams import BOS, EOS, Batch, KeyIndex

__all__ = ["WordVectors", "VectorBuilder", "WINDOW"]

WINDOW = 5  # tokens each side that count as co-occurring when the vectors are built
FILES = ("vector_keys.npy", "vectors.npy")


@dataclass
class WordVectors:
    keys: np.ndarray  # uint64 sorted token hashes
    matrix: np.ndarray  # float16 (V, dim), unit rows

    @cached_property
    def index(self) -> KeyIndex:
        return KeyIndex.build(self.keys)

    def lookup(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(found, vectors)``; rows of words without a vector are 0."""
        dim = self.matrix.shape[1]
        if len(self.keys) == 0 or ids.size == 0:
            return np.zeros(ids.shape, bool), np.zeros(ids.shape + (dim,), np.float32)
        found, idx = self.index.find(ids)
        vecs = np.zeros(ids.shape + (dim,), np.float32)
        vecs[found] = np.asarray(self.matrix)[idx[found]]
        return found, vecs

    def lookup_found(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(found, vectors)`` with vector rows for the found ids only, in order (no zero rows to fill)."""
        found, idx = self.index.find(ids)
        return found, np.asarray(self.matrix)[idx[found]].astype(np.float32)

    def save(self, directory: Path) -> None:
        save_npy(directory / FILES[0], self.keys)
        save_npy(directory / FILES[1], self.matrix.astype(np.float16))

    @classmethod
    def load(cls, directory: Path, mmap: bool = True) -> "WordVectors":
        return cls(load_npy(directory / FILES[0], mmap), load_npy(directory / FILES[1], mmap))


class VectorBuilder:
    """Co-occurrence counts within WINDOW tokens for a fixed vocabulary, then PPMI + SVD."""

    def __init__(self, vocabulary: np.ndarray) -> None:
        self.vocab = np.unique(vocabulary.astype(np.uint64))
        self.vocab = self.vocab[(self.vocab != BOS) & (self.vocab != EOS)]
        self.parts: list[tuple[np.ndarray, np.ndarray]] = []

    def add_batch(self, batch: Batch) -> None:
        v = len(self.vocab)
        if v == 0:  # a corpus of punctuation only: nothing to count (and no index into the vocabulary)
            return
        idx = np.minimum(np.searchsorted(self.vocab, batch.ids), v - 1)
        known = (self.vocab[idx] == batch.ids) & batch.is_token
        word = np.where(known, idx, -1).astype(np.int64)
        pairs = []
        for d in range(1, WINDOW + 1):
            a, b = word[:-d], word[d:]
            same = (batch.para[:-d] == batch.para[d:]) & (a >= 0) & (b >= 0)
            pairs.append(a[same] * v + b[same])
            pairs.append(b[same] * v + a[same])
        flat = np.concatenate(pairs)
        keys, counts = np.unique(flat, return_counts=True)
        self.parts.append((keys, counts.astype(np.int64)))
        if len(self.parts) >= 8:
            self._compact()

    def _compact(self) -> None:
        keys = np.concatenate([p[0] for p in self.parts])
        counts = np.concatenate([p[1] for p in self.parts])
        if keys.size == 0:  # one-word paragraphs only: no pairs yet
            self.parts = [(keys, counts)]
            return
        order = np.argsort(keys, kind="stable")
        keys, counts = keys[order], counts[order]
        first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        self.parts = [(keys[first], np.add.reduceat(counts, first))]

    def build(self, dim: int = 64, min_count: int = 2, random_state: int = 0) -> WordVectors:
        from scipy import sparse
        from sklearn.utils.extmath import randomized_svd

        if self.parts:
            self._compact()
        keys, counts = self.parts[0] if self.parts else (np.empty(0, np.int64), np.empty(0, np.int64))
        keep = counts >= min_count
        keys, counts = keys[keep], counts[keep].astype(np.float64)
        v = len(self.vocab)
        if keys.size == 0 or v < 2:  # a corpus too small for any pair (or any SVD): no vectors
            return WordVectors(np.empty(0, np.uint64), np.zeros((0, dim), np.float16))
        rows, cols = keys // v, keys % v
        M = sparse.csr_matrix((counts, (rows, cols)), shape=(v, v))
        row_sum = np.asarray(M.sum(axis=1)).ravel()
        col_sum = np.asarray(M.sum(axis=0)).ravel() ** 0.75  # context distribution smoothing
        total = counts.sum()
        col_p = col_sum / max(col_sum.sum(), 1.0)
        pmi = np.log(counts / total) - np.log(row_sum[rows] / total) - np.log(col_p[cols])
        ppmi = sparse.csr_matrix((np.maximum(pmi, 0.0), (rows, cols)), shape=(v, v))
        U, S, _ = randomized_svd(ppmi, n_components=min(dim, v - 1), random_state=random_state)
        W = U * np.sqrt(S)
        norms = np.linalg.norm(W, axis=1, keepdims=True)
        has = norms[:, 0] > 0
        W = W[has] / norms[has]
        return WordVectors(self.vocab[has], W.astype(np.float16))
