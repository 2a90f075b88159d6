"""Web-scale bigram and trigram estimates from CMU Sphinx's US English language models.

Our clean corpora hold about 7 M words, too few to know most everyday
collocations: a swap back to the original ("maintain talks" -> "hold talks")
only looks more familiar when the reference has seen the original. Two wheels
on the package index ship a pruned trigram model of general US English,
estimated from far more text (BSD-2-Clause, Carnegie Mellon University):
``pocketsphinx`` (``model/en-us/en-us.lm.bin``: 72 k words, 2.1 M bigrams,
1.7 M trigrams) and ``SpeechRecognition`` (``pocketsphinx-data/en-US/
language-model.lm.bin``, an earlier, differently pruned release: 2.3 M
bigrams, 1.6 M trigrams, about half of them not in the first). This module
reads such files with numpy at *build* time (``scripts/train.py``,
``spincheck train``) and maps their n-grams to spincheck's tokens; the shipped
reference tables hold the result, so nothing here runs when text is scored.

The file is a KenLM-style trie (sphinxbase ``lm_trie.c``): a header, the
quantisation tables, one record per word (log-probability, backoff, index of
its first bigram), then bit-packed bigram and trigram records. Contexts are
stored backwards: a word's bigram records hold the words *before* it.
pocketsphinx's own ARPA writer crashes on this file, and sphinxbase's
``sphinx_lm_convert`` fails a count assertion (the trie's records reach
2,051,541 bigrams, its header counts 2,051,547), hence this reader.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .ngrams import combine, hash_tokens
from .reference import mean_by_key
from .text import tokenize

__all__ = ["TrieLM", "read_trie", "model_paths", "package_label", "provenance", "reference_ngrams", "external_ngrams"]

# Installed packages that ship a Sphinx US English model:
# (import name, distribution name, file inside the package).
MODELS = (
    ("pocketsphinx", "pocketsphinx", "model/en-us/en-us.lm.bin"),
    ("speech_recognition", "SpeechRecognition", "pocketsphinx-data/en-US/language-model.lm.bin"),
)

_MAGIC = b"Trie Language Model"
_QUANT_BINS = 1 << 16
_LOG_BASE = math.log(1.0001)  # probabilities are stored in units of log base 1.0001
# N-grams rarer than this (P < 1.2e-4 given their context) are left out: at
# that level a big corpus's n-grams include its typos and broken grammar
# ("a example", "a increase"), and counting them as familiar English would hide
# exactly the broken collocations a spinner leaves. Chosen over -7 and no
# floor by held-out, unknown-thesaurus, second-thesaurus and seed-set scores
# (docs/accuracy.md, "Reference size").
MIN_LOGP = -9.0


@dataclass(frozen=True)
class TrieLM:
    """Words and n-grams of a trigram model; log-probabilities in nats."""

    words: list[str]
    bigrams: tuple[np.ndarray, np.ndarray, np.ndarray]  # (previous word id, word id, log P(word | previous))
    trigrams: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # (w1, w2, w3, log P(w3 | w1 w2))


def model_paths() -> list[Path]:
    """The Sphinx US English models of the installed packages in ``MODELS`` (none imported)."""
    paths = []
    for package, _, inside in MODELS:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        path = Path(next(iter(spec.submodule_search_locations))) / inside
        if path.is_file():
            paths.append(path)
    return paths


def package_label(distribution: str) -> str:
    """``name version`` of an installed distribution (``name`` alone without its metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{distribution} {version(distribution)}"
    except PackageNotFoundError:
        return distribution


def provenance(path: Path) -> str:
    """Which package version shipped the model at ``path``, and the file's SHA-256."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    for _, distribution, inside in MODELS:
        if Path(path).as_posix().endswith(inside):
            return f"{package_label(distribution)}: {inside} sha256:{digest}"
    return f"{Path(path).name} sha256:{digest}"


def external_ngrams(paths: list[Path] | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """:func:`reference_ngrams` of every model in ``paths`` (default: :func:`model_paths`), pooled.

    An n-gram in several models keeps the mean of their estimates. Empty when
    no model is installed.
    """
    parts = [reference_ngrams(read_trie(p)) for p in (model_paths() if paths is None else paths)]
    if not parts:
        return {}
    return {
        order: mean_by_key(np.concatenate([p[order][0] for p in parts]), np.concatenate([p[order][1] for p in parts]))
        for order in ("bigrams", "trigrams")
    }


def _bits(max_value: int) -> int:
    return int(max_value).bit_length()


def _fields(packed: np.ndarray, offsets: np.ndarray, width: int) -> np.ndarray:
    """``width``-bit little-endian fields (``width`` <= 31) starting at bit ``offsets`` of ``packed``."""
    start = offsets >> 3
    value = packed[start].astype(np.uint64)
    for k in range(1, 8):  # 8 bytes cover a field of up to 57 bits at any bit shift
        byte = packed[start + k].astype(np.uint64)
        byte <<= np.uint64(8 * k)
        value |= byte
    value >>= (offsets & 7).astype(np.uint64)
    value &= np.uint64((1 << width) - 1)
    return value.astype(np.int32)


def read_trie(path: str | Path) -> TrieLM:
    """Read a sphinxbase trie LM of order 3 (the format of pocketsphinx 5's ``*.lm.bin``).

    Every bigram record is returned, including any that the trie builder
    adds so that a trigram whose bigram was pruned stays reachable; their
    probability is the model's own backoff estimate.
    """
    data = np.fromfile(path, np.uint8)
    if data[: len(_MAGIC)].tobytes() != _MAGIC:
        raise ValueError(f"{path}: not a Sphinx trie language model")
    pos = len(_MAGIC)

    def need(end: int) -> None:
        """Refuse a file cut before ``end``: numpy would only say that a buffer size is wrong."""
        if end > data.size:
            raise ValueError(f"{path}: truncated ({data.size} bytes, the header promises more)")

    need(pos + 1)
    order = int(data[pos])
    if order != 3:
        raise ValueError(f"{path}: a model of order {order}; only trigram models are read")
    need(pos + 1 + 4 * order + 4 + 12 * _QUANT_BINS)
    counts = np.frombuffer(data[pos + 1 : pos + 1 + 4 * order].tobytes(), "<u4").astype(np.int64)
    n_words, n_bigrams, n_trigrams = (int(c) for c in counts)
    pos += 1 + 4 * order + 4  # + a former quantisation-type field
    tables = np.frombuffer(data[pos : pos + 12 * _QUANT_BINS].tobytes(), "<f4")
    bigram_prob, trigram_prob = tables[:_QUANT_BINS], tables[2 * _QUANT_BINS :]  # [Q:2Q] holds bigram backoffs
    pos += 12 * _QUANT_BINS
    need(pos + 12 * (n_words + 1))
    unigrams = np.frombuffer(
        data[pos : pos + 12 * (n_words + 1)].tobytes(), dtype=[("prob", "<f4"), ("backoff", "<f4"), ("next", "<u4")]
    )
    pos += 12 * (n_words + 1)
    word_bits = _bits(n_words)
    next_bits = _bits(n_trigrams)
    bigram_bits = word_bits + 32 + next_bits  # word, 16-bit backoff and probability codes, first trigram
    trigram_bits = word_bits + 16
    bigram_bytes = ((1 + n_bigrams) * bigram_bits + 7) // 8 + 8
    trigram_bytes = ((1 + n_trigrams) * trigram_bits + 7) // 8 + 8
    bigram_mem = data[pos : pos + bigram_bytes + 8]
    pos += bigram_bytes
    trigram_mem = data[pos : pos + trigram_bytes + 8]
    pos += trigram_bytes
    need(pos + 4)
    vocab_bytes = int(np.frombuffer(data[pos : pos + 4].tobytes(), "<u4")[0])
    if pos + 4 + vocab_bytes != data.size:
        raise ValueError(f"{path}: {data.size} bytes, the header promises {pos + 4 + vocab_bytes}")
    vocab = data[pos + 4 : pos + 4 + vocab_bytes].tobytes()
    words = [w.decode("utf-8", "replace") for w in vocab.split(b"\0")[:n_words]]
    if len(words) != n_words:
        raise ValueError(f"{path}: {len(words)} words in the vocabulary, {n_words} in the header")

    first_bigram = unigrams["next"].astype(np.int64)
    used_bigrams = int(first_bigram[-1])
    offsets = np.arange(used_bigrams + 1, dtype=np.int64) * bigram_bits
    bigram_prev = _fields(bigram_mem, offsets, word_bits)
    bigram_lp = bigram_prob[_fields(bigram_mem, offsets + word_bits + 16, 16)].astype(np.float64) * _LOG_BASE
    first_trigram = _fields(bigram_mem, offsets + word_bits + 32, next_bits)
    bigram_word = np.repeat(np.arange(n_words, dtype=np.int32), np.diff(first_bigram))
    # the bigram each trigram extends
    owner = np.repeat(np.arange(used_bigrams, dtype=np.int32), np.diff(first_trigram))
    offsets = np.arange(owner.size, dtype=np.int64) * trigram_bits
    trigram_first = _fields(trigram_mem, offsets, word_bits)
    trigram_lp = trigram_prob[_fields(trigram_mem, offsets + word_bits, 16)].astype(np.float64) * _LOG_BASE
    return TrieLM(
        words,
        (bigram_prev[:used_bigrams], bigram_word, bigram_lp[:used_bigrams]),
        (trigram_first, bigram_prev[owner], bigram_word[owner], trigram_lp),
    )


def reference_ngrams(lm: TrieLM, min_logp: float = MIN_LOGP) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The model's bigrams and trigrams as spincheck n-gram hashes with log-probabilities.

    Words are tokenized as spincheck tokenizes text; n-grams whose words are
    not single tokens ("doesn't" -> "does", "n't") are skipped, except that a
    bigram's first word contributes its last token ("n't know"). Sentence
    markers are skipped too: spincheck has no sentence boundaries. So are
    n-grams below ``min_logp`` (see ``MIN_LOGP``). Several n-grams that map
    to one key keep the mean of their log-probabilities.
    """
    tokens = [tokenize(w) if not w.startswith("<") else [] for w in lm.words]
    single = np.array([len(t) == 1 for t in tokens])
    last = hash_tokens([t[-1] if t else "" for t in tokens])
    has_last = np.array([bool(t) for t in tokens])

    prev, word, lp = lm.bigrams
    keep = has_last[prev] & single[word] & (lp >= min_logp)
    bigram_keys = combine(last[prev[keep]], last[word[keep]])
    w1, w2, w3, lp3 = lm.trigrams
    keep3 = single[w1] & single[w2] & single[w3] & (lp3 >= min_logp)
    trigram_keys = combine(combine(last[w1[keep3]], last[w2[keep3]]), last[w3[keep3]])
    return {
        "bigrams": mean_by_key(bigram_keys, lp[keep]),
        "trigrams": mean_by_key(trigram_keys, lp3[keep3]),
    }
