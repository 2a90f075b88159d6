"""Stage 4: the synonym lexicon (built offline from WordNet, loaded as arrays).

The lexicon maps a surface phrase of one to three tokens ("said", "one thing",
"general assembly") to surface candidates inflected the same way ("stated",
"something", ...). It is used twice: by the detector, to ask "would a synonym
here make the text far more familiar?", and by the synthetic spinner, to make
training data. Phrases are keyed by the same stable hashes as n-grams, so the
detector finds every phrase of a batch that has synonyms with one batched
lookup.

Every (phrase, candidate) pair carries a *group*: a stable number for the
underlying lemma pair. Training spins use only some groups and validation
spins only the others, so validation measures what the classifier does with
substitutions it never saw (see ``Lexicon.in_split``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._lazy import cached_property
from ._npz import save_npz
from .ngrams import KeyIndex, combine, hash_tokens
from .text import tokenize, tokenize_cased_many

__all__ = [
    "Lexicon",
    "read_casing",
    "write_casing",
    "phrase_hashes",
    "function_phrase_pairs",
    "FUNCTION_PHRASES",
    "MAX_PHRASE_TOKENS",
    "TRAIN_GROUP_SHARE",
]

MAX_PHRASE_TOKENS = 3
# Share of lemma-pair groups whose substitutions may appear in training spins;
# the rest are kept for validation (a held-out thesaurus).
TRAIN_GROUP_SHARE = 70
# Share of groups the detector sees while its token model trains (see in_split).
VISIBLE_GROUP_SHARE = 50
# The parts of the lexicon's groups that Lexicon.in_split knows.
SPLITS = ("train", "heldout", "visible", "all")


# Generic paraphrases of function words and common phrases, the kind of entries
# article spinners' thesauri hold. Each line is a set of interchangeable phrases.
# scripts/build_lexicon.py adds them to the WordNet pairs; Lexicon.swappable
# reads them to tell a generic paraphrase ("where" -> "the place") from a
# WordNet compound ("drive" -> "disc drive"). No single-word modal swaps ("can"
# -> "will", "must" -> "should"): they change the meaning, and once WordNet's
# nonsense senses of closed-class words were gone they made modal-heavy
# speeches the main false positives (FPR 0.91 % with them, 0.64 % without).
# Phrases are of at most MAX_PHRASE_TOKENS tokens, as every lexicon entry: longer
# ones ("as a result of", "when it comes to") were dropped in silence when the
# lexicon was built, so they are not listed.
FUNCTION_PHRASES = """
something | one thing | some thing
anything | any thing
everything | every thing | all the pieces
nothing | no thing
someone | somebody | some one
everyone | everybody | every one
anyone | anybody
where | the place
when | the time
because | since | as
however | nevertheless | nonetheless
but | however
although | though | even though | whereas
while | whereas | whilst
also | additionally | moreover | as well
very | really | extremely | very much
many | numerous | quite a few | a lot of | loads of
a lot of | plenty of | lots of | numerous
very little | little or no
about | roughly | approximately | round
around | round | roughly
more than | greater than | over | in excess of
less than | lower than | under
due to | because of | owing to | resulting from | on account of
as well as | in addition to | together with | along with
including | together with | along with
in order to | so as to
such as | corresponding to | similar to | like
in terms of | by way of
then | after that | subsequently
and then | after which
before | earlier than | prior to
after | following | after
among | amongst
these | those
may be | could be | might be
need to | have to
often | usually | regularly | steadily
now | at present | presently | right now | at this time
right now | at the moment
still | nonetheless | nonetheless
already | previously | already
whether | whether or not
sort of | kind of
a little | a bit | slightly
a few | just a few | some
big | large | huge | massive
get | obtain | acquire | get hold of
got | obtained | acquired | received
give | present | provide | supply
help | assist | support | assist
show | present | display | exhibit
make | make | create
use | use | utilize | make use of
try | try | attempt | strive
start | begin | commence | start off
end | finish | finish off | conclude
need | want | require
want | need | wish | desire
think | suppose | feel | believe
said | stated | mentioned | informed | said
says | states | mentions | says
told | informed | advised
asked | requested | requested
find out | discover | uncover
look for | search for | seek
set up | arrange | establish
go away | leave | depart
come back | return | come again
take part | participate | partake
carry out | perform | conduct | execute
point out | level out | indicate
""".strip()


def function_phrase_pairs() -> set[tuple[str, str]]:
    """Every ordered (phrase, paraphrase) pair of :data:`FUNCTION_PHRASES`."""
    pairs: set[tuple[str, str]] = set()
    for line in FUNCTION_PHRASES.splitlines():
        phrases = [p.strip() for p in line.split("|") if p.strip()]
        pairs.update((a, b) for a in phrases for b in phrases if a != b)
    return pairs


def _tokenized(phrases: set[str]) -> dict[str, str]:
    """Each phrase's tokens joined by spaces, as ``" ".join(tokenize(phrase))``, in one call of
    :func:`tokenize_cased_many`: a call per phrase (3,000 calls in ``Lexicon.generic``, built when
    a detector scores its first paragraph) has a fixed cost, and made most of its 23 ms."""
    texts = sorted(phrases)
    return {text: " ".join(tokens) for text, (tokens, _) in zip(texts, tokenize_cased_many(texts))}


def read_casing(path: Path) -> dict[str, str]:
    """A :data:`Lexicon.CASING_FILE`: phrases as they are written, one a line, keyed by their
    lower case. Keyed so, an entry can change only the case of the phrase it is found for, never
    its words: the file may be one that ``card.json`` does not list (the shipped card predates it)."""
    with np.load(path, allow_pickle=False) as data:
        cased = data["cased"]
    if cased.dtype != np.uint8 or cased.ndim != 1:
        raise ValueError(f"{path.name} is not UTF-8 text")
    table: dict[str, str] = {}
    for line in cased.tobytes().decode("utf-8").split("\n"):
        if table.setdefault(line.lower(), line) != line or not line:
            raise ValueError(f"{path.name} writes {line.lower()!r} in two cases, or holds an empty line")
    return table


def write_casing(path: Path, casing: dict[str, str]) -> None:
    """Write a casing table (lower-case phrase -> its written form) as :func:`read_casing` reads it."""
    if not casing or any(key != cased.lower() or "\n" in cased for key, cased in casing.items()):
        raise ValueError("a casing table must be phrases keyed by their own lower case")
    save_npz(path, cased=np.frombuffer("\n".join(sorted(casing.values())).encode("utf-8"), np.uint8))


def phrase_hashes(token_ids: np.ndarray) -> np.ndarray:
    """Hash of a phrase from its token-hash columns (n, k), k = 1..3; 0 columns pad."""
    token_ids = np.atleast_2d(token_ids)
    h = token_ids[:, 0].copy()
    for j in range(1, token_ids.shape[1]):
        col = token_ids[:, j]
        h = np.where(col != 0, combine(h, col), h)
    return h


def _blob(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [s.encode("utf-8") for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(e) for e in encoded])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), offsets


@dataclass
class Lexicon:
    """Phrase -> candidates, as flat arrays (see module docstring).

    All phrases (sources and candidates) live once in a phrase table
    (``phrase_ids``: token hashes, 0-padded; ``phrase_len``; text in a UTF-8
    blob). ``keys`` are the sorted hashes of source phrases; candidates of key
    ``k`` are ``cand_phrase[offsets[k]:offsets[k + 1]]``, best first.
    """

    keys: np.ndarray  # uint64 (K,), sorted source-phrase hashes
    key_phrase: np.ndarray  # uint32 (K,) index into the phrase table
    offsets: np.ndarray  # int64 (K+1,) into cand_phrase / cand_group
    cand_phrase: np.ndarray  # uint32 (M,) index into the phrase table
    cand_group: np.ndarray  # uint8 (M,) lemma-pair group, 0..99
    phrase_ids: np.ndarray  # uint64 (P, 3)
    phrase_len: np.ndarray  # uint8 (P,)
    phrase_blob: np.ndarray  # uint8, UTF-8 text of all phrases
    phrase_offsets: np.ndarray  # int64 (P+1,)
    info: dict
    # lower-case phrase text -> how WordNet writes it ("uk" -> "UK"), for suggestions only
    casing: dict[str, str] = field(default_factory=dict)

    FILE = "lexicon.npz"
    # Optional beside FILE (a lexicon saved before it had none): the case in which suggestions are
    # shown. Apart from lexicon.npz, so that adding it left the shipped lexicon byte for byte as it was.
    CASING_FILE = "casing.npz"

    # ---- building -------------------------------------------------------------------------
    @classmethod
    def from_pairs(cls, entries: dict[str, list[tuple[str, int]]], info: dict | None = None) -> "Lexicon":
        """Build from ``{phrase: [(candidate, group), ...]}`` (candidates best first)."""
        phrase_index: dict[str, int] = {}
        phrase_tokens: list[list[str]] = []
        phrase_texts: list[str] = []

        def intern(text: str, toks: list[str]) -> int:
            key = " ".join(toks)
            if key not in phrase_index:
                phrase_index[key] = len(phrase_texts)
                phrase_texts.append(text)
                phrase_tokens.append(toks)
            return phrase_index[key]

        rows: list[tuple[int, list[tuple[int, int]]]] = []
        for phrase, cands in entries.items():
            toks = tokenize(phrase)
            if not 1 <= len(toks) <= MAX_PHRASE_TOKENS:
                continue
            good, seen = [], {tuple(toks)}
            for cand, group in cands:
                ctoks = tokenize(cand)
                # candidates that tokenize alike ("wood rat", "wood-rat") are one candidate:
                # kept twice, it was drawn twice as often, from two groups (train and held-out)
                if 1 <= len(ctoks) <= MAX_PHRASE_TOKENS and tuple(ctoks) not in seen:
                    seen.add(tuple(ctoks))
                    good.append((intern(cand, ctoks), group % 100))
            if good:
                rows.append((intern(phrase, toks), good))

        flat = hash_tokens([t for toks in phrase_tokens for t in toks])
        phrase_ids = np.zeros((len(phrase_tokens), MAX_PHRASE_TOKENS), dtype=np.uint64)
        k = 0
        for i, toks in enumerate(phrase_tokens):
            phrase_ids[i, : len(toks)] = flat[k : k + len(toks)]
            k += len(toks)
        src = np.array([r[0] for r in rows], dtype=np.uint32)
        keys = phrase_hashes(phrase_ids[src]) if len(src) else np.empty(0, np.uint64)
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        keep = np.concatenate(([True], keys[1:] != keys[:-1])) if keys.size else np.empty(0, bool)
        order, keys = order[keep], keys[keep]
        rows = [rows[i] for i in order]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(good) for _, good in rows])
        blob, blob_offsets = _blob(phrase_texts)
        meta = dict(info or {})
        meta.update(phrases=len(rows), pairs=int(offsets[-1]))
        return cls(
            keys=keys,
            key_phrase=np.array([r[0] for r in rows], dtype=np.uint32),
            offsets=offsets,
            cand_phrase=np.array([p for _, good in rows for p, _ in good], dtype=np.uint32),
            cand_group=np.array([g for _, good in rows for _, g in good], dtype=np.uint8),
            phrase_ids=phrase_ids,
            phrase_len=np.array([len(t) for t in phrase_tokens], dtype=np.uint8),
            phrase_blob=blob,
            phrase_offsets=blob_offsets,
            info=meta,
        )

    # ---- persistence ----------------------------------------------------------------------
    _ARRAYS = (
        "keys",
        "key_phrase",
        "offsets",
        "cand_phrase",
        "cand_group",
        "phrase_ids",
        "phrase_len",
        "phrase_blob",
        "phrase_offsets",
    )

    def save(self, directory: Path) -> Path:
        path = directory / self.FILE
        arrays = {name: getattr(self, name) for name in self._ARRAYS}
        info = json.dumps(self.info, sort_keys=True).encode("utf-8")
        save_npz(path, info=np.frombuffer(info, dtype=np.uint8), **arrays)
        casing = directory / self.CASING_FILE
        if self.casing:
            write_casing(casing, self.casing)
        else:  # not one left from another lexicon saved there before
            casing.unlink(missing_ok=True)
        return path

    @classmethod
    def load(cls, directory: Path) -> "Lexicon":
        with np.load(directory / cls.FILE, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        info = json.loads(bytes(arrays.pop("info")).decode("utf-8"))
        casing = directory / cls.CASING_FILE
        return cls(info=info, **arrays, casing=read_casing(casing) if casing.is_file() else {})

    # ---- queries --------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.keys.shape[0])

    def find(self, phrase_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For phrase hashes, return ``(found, key_index)``."""
        if len(self.keys) == 0:
            return np.zeros(phrase_ids.shape, bool), np.zeros(phrase_ids.shape, np.int64)
        return self.index.find(phrase_ids)

    @cached_property
    def index(self) -> KeyIndex:
        return KeyIndex.build(self.keys)

    def phrase_text(self, p: int) -> str:
        """Text of phrase-table entry ``p``."""
        return self._blob_bytes[self.phrase_offsets[p] : self.phrase_offsets[p + 1]].decode("utf-8")

    def suggestion_text(self, p: int) -> str:
        """Text of phrase-table entry ``p`` as a suggestion: in the case WordNet writes it ("UK",
        "Britain", "Christmas"), where the table stores it lower-cased, as the tokenizer reads it."""
        text = self.phrase_text(p)
        return self.casing.get(text, text)

    @cached_property
    def _blob_bytes(self) -> bytes:
        """The phrase blob as bytes: slicing bytes is cheaper than slicing and converting the array per phrase."""
        return self.phrase_blob.tobytes()

    @cached_property
    def generic(self) -> np.ndarray:
        """Per candidate row: a pair of the generic paraphrase table :data:`FUNCTION_PHRASES`."""
        out = np.zeros(self.cand_phrase.shape, bool)
        generic: dict[str, set[str]] = {}
        pairs = function_phrase_pairs()
        read = _tokenized({phrase for pair in pairs for phrase in pair})
        for a, b in pairs:
            generic.setdefault(read[a], set()).add(read[b])
        sources = [a for a in sorted(generic) if 0 < len(a.split()) <= MAX_PHRASE_TOKENS]
        ids = np.zeros((len(sources), MAX_PHRASE_TOKENS), np.uint64)
        tokens = [source.split() for source in sources]
        # all hashed at once, row by row (a boolean mask fills in that order)
        lengths = np.array([len(t) for t in tokens], np.int64)
        ids[np.arange(MAX_PHRASE_TOKENS) < lengths[:, None]] = hash_tokens([w for t in tokens for w in t])
        found, key = self.find(phrase_hashes(ids))
        rows = [
            (source, m, self.phrase_text(int(self.cand_phrase[m])))
            for source, k in zip(np.array(sources, dtype=object)[found], key[found].tolist())
            for m in range(int(self.offsets[k]), int(self.offsets[k + 1]))
        ]
        read = _tokenized({text for _, _, text in rows})
        for source, m, text in rows:
            if read[text] in generic[source]:
                out[m] = True
        return out

    @cached_property
    def source_len(self) -> np.ndarray:
        """Per candidate row: the number of words of the phrase it replaces."""
        return np.repeat(self.phrase_len[self.key_phrase], np.diff(self.offsets))

    @cached_property
    def swappable(self) -> np.ndarray:
        """Per candidate row: a swap the spinner makes.

        A candidate with as many words as its phrase, or a generic paraphrase
        of :data:`FUNCTION_PHRASES` ("where" -> "the place"). WordNet pairs that
        change the number of words are mostly a compound and its head ("disc
        drive" / "drive", "human rights" / "rights"). Commercial spinners swap
        words for words and compounds for compounds ("General Assembly" ->
        "Normal Meeting"), and dropping a word makes any window more probable
        by that word's own probability, so with these pairs every familiar
        compound looked swapped: they were the top evidence in two thirds of
        the clean news paragraphs above the threshold.
        """
        return (self.phrase_len[self.cand_phrase] == self.source_len) | self.generic

    @cached_property
    def searchable(self) -> np.ndarray:
        """Per candidate row: a swap the detector tries (see ``features.find_swaps``).

        Single words, and generic paraphrases. A WordNet multi-word term is
        an established phrase, so swapping it whole for another one ("dental
        hygienist" -> "skilled worker", "navel oranges" -> "sweet oranges")
        says how rare the term is, not whether it was spun: such swaps were
        the top evidence in 20 of the 45 clean dev paragraphs that scored
        highest. Spinners mostly spin such phrases word by word ("General
        Assembly" -> "Normal Meeting"), which the single-word swaps cover.
        """
        return self.swappable & ((self.source_len == 1) | self.generic)

    @staticmethod
    def in_split(groups: np.ndarray, split: str) -> np.ndarray:
        """Which candidate groups belong to ``split``.

        "train" / "heldout": the spinner's training and validation thesauri.
        "visible": an independent half of all groups, the part of its own
        thesaurus the detector may use while training, so that it learns to
        find substitutions its lexicon cannot undo (as with a commercial
        spinner's thesaurus). "all": everything.
        """
        if split not in SPLITS:  # a typo must not quietly mean "heldout"
            raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
        groups = np.asarray(groups).astype(np.int64)
        if split == "all":
            return np.ones(groups.shape, bool)
        if split == "visible":
            return (groups * 37 + 11) % 100 < VISIBLE_GROUP_SHARE
        train = (groups % 100) < TRAIN_GROUP_SHARE
        return train if split == "train" else ~train

    @cached_property
    def phrase_texts(self) -> list[str]:
        """Text of every phrase-table entry, decoded once (training reads them all)."""
        blob, offsets = self._blob_bytes, self.phrase_offsets.tolist()
        return [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:])]

    @cached_property
    def source_tokens(self) -> list[tuple[str, ...]]:
        """Tokens of each source phrase (``keys`` order), tokenized once for every spinner."""
        texts = self.phrase_texts
        return [tuple(tokens) for tokens, _ in tokenize_cased_many(texts[p] for p in self.key_phrase.tolist())]

    @cached_property
    def thesaurus(self) -> dict[str, list[tuple[str, int]]]:
        """String view ``{phrase: [(candidate, group), ...]}`` (training and tests only)."""
        texts, offsets = self.phrase_texts, self.offsets.tolist()
        cands, groups = self.cand_phrase.tolist(), self.cand_group.tolist()
        return {
            texts[p]: [(texts[cands[m]], groups[m]) for m in range(offsets[k], offsets[k + 1])]
            for k, p in enumerate(self.key_phrase.tolist())
        }
