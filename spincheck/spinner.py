"""The synthetic spinner that makes training data.

It works like the article spinners content farms use: it finds words and
multi-word phrases that have entries in a thesaurus and swaps a share of them
for a synonym picked *without regard to context or sense* ("top diplomat" ->
"highest diplomat", "where" -> "the place"). The share varies per paragraph,
from a single swap to three quarters of the swappable phrases, because real
spinners are run at every setting.

The spinner draws only from one part of the lexicon's lemma-pair groups
(``split="train"``) when making training data, and from the other part
(``split="heldout"``) when making validation data, so that validation measures
substitutions the classifier never saw.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from .lexicon import MAX_PHRASE_TOKENS, Lexicon
from .text import _INVISIBLE_CLASS, match_case, normalize, tokenize_with_offsets

__all__ = ["Spinner", "SpunText", "Replacement"]

# Candidates are listed most frequent first; the chance of picking the k-th is
# proportional to k ** -RANK_DECAY. Commercial spinners mostly offer common
# words ("stated", "highest", "maintain"), rarely obscure senses.
RANK_DECAY = 1.5
# Share of the thesaurus's multi-word phrases spun word by word rather than
# whole: a spinner's phrase list is far shorter than its word list, so real
# output is full of compounds swapped a word at a time ("General Assembly" ->
# "Normal Meeting", "artificial intelligence" -> "counterfeit consciousness").
# Whole-phrase swaps put one familiar compound for another ("textile mill" ->
# "manufacturing plant") and teach the models to suspect familiar compounds in
# clean text. On held-out spins made at 0.5, training at 0.85 rather than 0.5
# gave ROC-AUC 0.939 against 0.936 (unknown thesaurus 0.873 against 0.870).
WORD_BY_WORD_RATE = 0.85
# What may stand between the words of a phrase swapped whole: spaces, line breaks, hyphens
# ("long-term") and characters that show nothing. The tokens skip quotes, brackets, dashes and
# slashes, so "kind" of" and "general (assembly)" read as phrases, and swapping them dropped
# the quote or bracket in between ('the "kind" of thing' -> 'the "sort of thing').
_PHRASE_GAP = re.compile(rf"[\s\-\u2010\u2011{_INVISIBLE_CLASS}]*")


@dataclass(frozen=True)
class Replacement:
    """One swap: ``original`` at ``text[start:end]`` of the *spun* text became ``replacement``."""

    start: int
    end: int
    original: str
    replacement: str


@dataclass(frozen=True)
class SpunText:
    text: str
    replacements: tuple[Replacement, ...]
    rate: float


class Spinner:
    """Context-blind thesaurus substitution, seeded and reproducible.

    Parameters
    ----------
    lexicon : the thesaurus to draw from.
    split : which lemma-pair groups may be used: "train", "heldout" or "all".
    proper_noun_rate : chance of touching a capitalised word inside a sentence
        (spinners do rename "General Assembly", but less often).
    word_by_word_rate : chance of spinning a multi-word phrase of the thesaurus
        word by word instead of as a whole.
    generic_rate : chance of keeping a generic paraphrase of the function-word
        table ("where" -> "the place"); otherwise the spinner leaves that phrase
        alone. Training uses less than 1 (see training.TRAINING_GENERIC_RATE).
    """

    def __init__(
        self,
        lexicon: Lexicon,
        *,
        split: str = "train",
        proper_noun_rate: float = 0.3,
        word_by_word_rate: float = WORD_BY_WORD_RATE,
        generic_rate: float = 1.0,
    ) -> None:
        self.split = split
        self.proper_noun_rate = proper_noun_rate
        self.word_by_word_rate = word_by_word_rate
        self.generic_rate = generic_rate
        # phrase -> (candidates, chance of each, chance that the phrase is swapped at all)
        self._index: dict[tuple[str, ...], tuple[list[str], np.ndarray, float]] = {}
        # texts and source tokens are decoded once per lexicon, shared by every spinner
        texts, offsets = lexicon.phrase_texts, lexicon.offsets.tolist()
        cand_phrase = lexicon.cand_phrase.tolist()
        # no compound -> head (see Lexicon.swappable). Whole multi-word terms are still
        # swapped whole now and then, though the detector only tries their words one by
        # one (Lexicon.searchable): a spinner's own phrase table is no more ours than its words.
        allowed = (Lexicon.in_split(lexicon.cand_group, split) & lexicon.swappable).tolist()
        # a generic paraphrase is kept only at generic_rate: the swap is then left out
        keep = np.where(lexicon.generic, generic_rate, 1.0)
        for k, key in enumerate(lexicon.source_tokens):
            rows = [m for m in range(offsets[k], offsets[k + 1]) if allowed[m]]
            if rows:
                weights = _rank_weights(len(rows))
                kept = weights * keep[rows]
                if kept.sum() > 0:
                    chance = float(kept.sum() / weights.sum())
                    self._index[key] = ([texts[cand_phrase[m]] for m in rows], kept / kept.sum(), chance)

    def spin(self, text: str, rng: np.random.Generator, *, rate: float | None = None) -> SpunText:
        """Spin ``text``. ``rate`` is the share of swappable phrases to swap (above 0, at most
        1; at least one phrase is swapped whenever there is one); drawn at random (light,
        medium or heavy) when None.
        """
        if rate is not None and not 0.0 < rate <= 1.0:  # NaN included
            raise ValueError(f"rate must be a share above 0 and at most 1, or None, not {rate!r}")
        tokens, offsets = tokenize_with_offsets(text)
        matches = self._matches(text, tokens, offsets, rng)
        if not matches:
            return SpunText(text, (), 0.0)
        if rate is None:
            if rng.random() < 0.2:
                n_swap = int(rng.integers(1, 4))
            else:
                n_swap = int(round(rng.uniform(0.1, 0.75) * len(matches)))
        else:
            n_swap = int(round(rate * len(matches)))
        n_swap = max(1, min(n_swap, len(matches)))
        chosen = sorted(rng.choice(len(matches), size=n_swap, replace=False).tolist())
        out, pos, reps = [], 0, []
        shift = 0
        for idx in chosen:
            start, end, (cands, chances, _) = matches[idx]
            cand = cands[int(rng.choice(len(cands), p=chances))]
            original = text[start:end]
            new = match_case(cand, original)
            out.append(text[pos:start])
            out.append(new)
            new_start = start + shift
            reps.append(Replacement(new_start, new_start + len(new), original, new))
            shift += len(new) - (end - start)
            pos = end
        out.append(text[pos:])
        return SpunText("".join(out), tuple(reps), n_swap / len(matches))

    def _matches(self, text: str, tokens: list[str], offsets: list[tuple[int, int]], rng: np.random.Generator):
        """Non-overlapping swappable spans, longest phrase first at each position."""
        matches = []
        i = 0
        n = len(tokens)
        while i < n:
            found = None
            for m in range(min(MAX_PHRASE_TOKENS, n - i), 0, -1):
                key = tuple(tokens[i : i + m])
                entry = self._index.get(key)
                if entry and m > 1 and not _one_phrase(text, offsets[i : i + m]):
                    continue  # the words are apart in the text (a quote, bracket or dash between)
                if entry and (m == 1 or rng.random() >= self.word_by_word_rate):
                    found = (m, entry)
                    break
            if found is None:
                i += 1
                continue
            m, entry = found
            chance = entry[2]
            if chance < 1.0 and rng.random() >= chance:
                i += m  # a generic paraphrase the spinner leaves alone this time
                continue
            start, end = offsets[i][0], offsets[i + m - 1][1]
            if _part_of_a_word(text, start, end, tokens[i + m] if i + m < n else ""):
                i += m
                continue
            surface = text[start:end]
            sentence_start = i == 0 or tokens[i - 1] == "."
            if surface[:1].isupper() and not sentence_start and rng.random() >= self.proper_noun_rate:
                i += m
                continue
            matches.append((start, end, entry))
            i += m
        return matches


def _one_phrase(text: str, offsets: list[tuple[int, int]]) -> bool:
    """Whether only spaces, hyphens or invisible characters stand between the tokens at ``offsets``."""
    return all(_PHRASE_GAP.fullmatch(text, a[1], b[0]) for a, b in zip(offsets, offsets[1:]))


def _part_of_a_word(text: str, start: int, end: int, next_token: str) -> bool:
    """A span that is only part of a word as written: the stem of a contraction ("ca" of
    "can't", "do" of "don't"), what follows an apostrophe inside a word ("clock" of
    "o'clock") or what comes before one ("ma" of "ma'am", "rock" of "rock'n'roll"; not
    "farmer" of "farmer's", whose clitic is a token of its own). Spinners swap words;
    "californian't" and "mom'am" taught the models an artefact."""
    apostrophe = start >= 2 and normalize(text[start - 1]) == "'"  # any the tokenizer reads as one
    word_goes_on = (
        end + 1 < len(text) and normalize(text[end]) == "'" and text[end + 1].isalnum() and next_token[:1] != "'"
    )
    return next_token == "n't" or (apostrophe and text[start - 2].isalnum()) or word_goes_on


@functools.cache
def _rank_weights(n: int) -> np.ndarray:
    """Chance of picking each of ``n`` candidates: real thesauri list the common sense first."""
    weights = 1.0 / np.arange(1, n + 1) ** RANK_DECAY
    return weights / weights.sum()
