"""Align a suspected copy with its original: which paragraphs it took, which words it swapped.

The detector needs no original. But once an investigator has found the source of a
flagged page, the swaps can be read off directly, and each one tells whether the
detector's evidence was right. ``spincheck compare`` uses this to show a copy's
swaps beside the detector's evidence, and to write labelled paragraphs (with
their ``replacements``) that ``spincheck evaluate`` and ``spincheck train --spun``
read; ``scripts/seed_devset.py`` labels the seed copy the same way.

Matching is by content, not by position: content farms drop, add and reorder
paragraphs. The paragraphs of the original that share most words with a copy
paragraph are aligned with it token by token, and the best aligned one is its
source. House style (quotes, "U.S."/"US", "US"/"United States", numbers, UK/US
spelling) is not counted as a swap. A paragraph the copy split or merged is matched with one
source paragraph at best.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import itertools
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .spinner import Replacement
from .text import split_paragraphs, tokenize, tokenize_with_offsets

__all__ = ["MIN_OVERLAP", "Alignment", "ParagraphMatch", "align", "find_swaps", "word_overlap", "words"]

# A copy paragraph with less than this share of its tokens aligned with every
# paragraph of the original was not taken from it (site boilerplate, an added paragraph).
MIN_OVERLAP = 0.5
# Paragraphs of the original aligned in full with each copy paragraph: those sharing
# the most words with it (the alignment is the slow part).
CANDIDATES = 3
# See _best_matches: a word in more paragraphs than this does not pick candidates.
COMMON_POSTINGS = 200
# Paragraphs longer than this (in tokens) are aligned between anchors (see _opcodes).
LONG_TOKENS = 2000
# A long span without anchors (a sentence repeated over and over) is aligned in pieces of this many
# tokens. difflib's time on repetitive text grows with the cube of a piece's length: 100 KB of one
# sentence repeated on one line, a word swapped in each, took 15.9 s in pieces of 2,000 tokens
# (a megabyte 182 s) and 0.33 s in pieces of 250, every swap found (1,444).
PIECE_TOKENS = 250
# Aligned spans of unequal lengths longer than this are rewording or reordering, not a swap
# (a spinner's longest are generic paraphrases such as "as a result of" for "because").
MAX_SWAP_TOKENS = 4

# UK spellings as US ones, by ending (after "ll" -> "l" and "our" -> "or"): "organised",
# "organisation", "analysed", "centre", "defence", "catalogue", "programme". Both sides are
# folded alike, so an ending that is no spelling variant ("promise", "vogue") only has to
# fold the same way in both: what matters is that two different words rarely fold together
# (a stem of two letters at least keeps "rise" apart; "prise" and "prize" still meet).
_UK_ENDINGS = (
    ("isation", "ization"),
    ("isations", "izations"),
    ("ise", "ize"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ising", "izing"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("yses", "yzes"),
    ("ysing", "yzing"),
    ("tre", "ter"),
    ("tres", "ters"),
    ("ence", "ense"),
    ("ences", "enses"),
    ("ogue", "og"),
    ("ogues", "ogs"),
    ("amme", "am"),
    ("ammes", "ams"),
)
_UK_WORDS = {
    "grey": "gray",
    "tyre": "tire",
    "tyres": "tires",
    "cheque": "check",
    "cheques": "checks",
    "plough": "plow",
    "aluminium": "aluminum",
    "jewelery": "jewelry",  # "jewellery" after "ll" -> "l"
    "sceptic": "skeptic",
    "sceptical": "skeptical",
    "mould": "mold",
    "draught": "draft",
    "pyjamas": "pajamas",
    "kerb": "curb",
    "practise": "practice",
    "practised": "practiced",
    "fulfil": "fulfill",
    "fulfils": "fulfills",
    "enrol": "enroll",
    "enrols": "enrolls",
    "distil": "distill",
    "instil": "instill",
    "appal": "appall",
    "skilful": "skillful",
    "wilful": "willful",
    "odour": "odor",
    "odours": "odors",
    # -bre as a table, not an ending: "timbre" is not "timber"
    "fibre": "fiber",
    "fibres": "fibers",
    "sabre": "saber",
    "sabres": "sabers",
    "calibre": "caliber",
    "sombre": "somber",
}
# Contractions are house style: "n't" is "not" ("didn't" = "did not"), and the stems that the
# tokenizer leaves before it, "wo" of "won't", "ca" of "can't", "sha" of "shan't", are their verbs.
_NOT = "n't"
_STEMS_BEFORE_NOT = {"wo": "will", "ca": "can", "sha": "shall"}


# "travelled", "cancelling", "jewellery", "enrollment": a doubled l before a suffix, after a stem
# of two syllables or more ("filled" is not "filed", "tilled" not "tiled"), not at the end
# ("still") or before -y ("gravelly" is not "gravely"); its syllables may meet at "ue", "ua", "ia"
# or "ie" ("fuelled", "equalled", "dialled", "trialled": the few one-syllable stems so spelt,
# "quelled", fold to no other word). -our after three letters at least ("colour", "favourite",
# "neighbour"), not in "four", "our", "pouring" or "mourning".
_UK_LL = re.compile(r"^(\w*?(?:[aeiou][^aeiou\W]+[aeiou]|[iu][ae])[^aeiou\W]*)ll(?=[eiomf])")
_UK_OUR = re.compile(r"(?<=\w{3})our")
_HAS_LETTER = re.compile(r"[^\W\d_]")


@functools.lru_cache(maxsize=1 << 16)
def _fold(token: str) -> str:
    """House style folded: "U.S." = "US", "travelled" = "traveled", "colour" = "color",
    "organised" = "organized", "centre" = "center", "defence" = "defense". Cached: text
    repeats its words, and the patterns cost more than the lookup."""
    if token == _NOT:
        return "not"
    token = _UK_OUR.sub("or", _UK_LL.sub(r"\1l", token.replace(".", "")))
    token = _UK_WORDS.get(token, token)
    for uk, us in _UK_ENDINGS:  # after a stem of two letters at least: "metre", "litre", not "rise"
        if token.endswith(uk) and len(token) > len(uk) + 1:
            return token[: -len(uk)] + us
    return token


def _fold_all(tokens: list[str]) -> list[str]:
    """:func:`_fold` of each token, and the stem of a contraction ("wo" of "won't") as its verb."""
    folded = [_fold(t) for t in tokens]
    for k in range(len(tokens) - 1):
        if tokens[k + 1] == _NOT and tokens[k] in _STEMS_BEFORE_NOT:
            folded[k] = _STEMS_BEFORE_NOT[tokens[k]]
    return folded


def words(text: str) -> list[str]:
    """The words of ``text`` with house style folded, full stops and commas left out."""
    return _words(tokenize(text))


def _words(tokens: list[str]) -> list[str]:
    """:func:`words` of tokens already split (align tokenizes each paragraph once)."""
    return [f for t, f in zip(tokens, _fold_all(tokens)) if t not in (".", ",")]


def _words_and_lengths(paragraphs: list[str]) -> tuple[list[list[str]], list[int]]:
    """:func:`words` of each paragraph, and its number of tokens (as :func:`_diff` counts them)."""
    out: tuple[list[list[str]], list[int]] = ([], [])
    for p in paragraphs:  # one paragraph's tokens at a time: _fold shares the words' strings
        tokens = tokenize(p)
        out[0].append(_words(tokens))
        out[1].append(len(tokens))
    return out


def word_overlap(a: list[str], b: list[str]) -> float:
    """Words the two lists share (with repeats), as a share of the longer one."""
    common = sum((Counter(a) & Counter(b)).values())
    return common / max(len(a), len(b), 1)


def find_swaps(copy: str, original: str) -> list[Replacement]:
    """Each short span of ``copy`` that differs from ``original`` beyond house style.

    Offsets are into ``copy``. Equal-length spans count word by word, however long,
    as a spinner makes its swaps ("reliable partner" -> "dependable associate" is two);
    so "by way of" for "in terms of" is two ("of" is not swapped), and an evidence span
    over it is judged by the original's wording there (see ``metrics.evidence_quality``).
    A span of up to ``MAX_SWAP_TOKENS`` replaced by one of
    another length is one swap. Spans of numbers or punctuation are house style.
    """
    return _diff(copy, original)[1]


def _diff(copy: str, original: str) -> tuple[float, list[Replacement]]:
    """The share of ``copy``'s tokens aligned with ``original`` (the same, or swapped one for
    one), over the longer of the two, and the swaps (see :func:`find_swaps`). Without a
    token in common, nothing is aligned.

    A spinner keeps the order and the length of what it rewrites, so a heavily spun
    paragraph stays aligned with its source where the words it shares do not: in 100
    held-out speech paragraphs spun at nine in ten swappable phrases, shared words fell
    to 0.43 of a paragraph and aligned tokens stayed above 0.76; unrelated pairs of
    them reached 0.21.
    """
    a, a_off = tokenize_with_offsets(copy)
    b, b_off = tokenize_with_offsets(original)
    out = []
    aligned = same = 0
    fa, fb = _fold_all(a), _fold_all(b)
    ops = _spelled_out(_uncrossed(_opcodes(fa, fb), fa, fb), (a, a_off, fa, copy), (b, b_off, fb, original))
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            aligned += i2 - i1
            same += sum(1 for t in a[i1:i2] if _HAS_LETTER.search(t))  # a full stop in common is nothing shared
        if op != "replace":
            continue
        if "".join(fa[i1:i2]) == "".join(fb[j1:j2]):  # written apart or together: "per cent", "percent"
            aligned += i2 - i1
            same += 1
            continue
        same_length = i2 - i1 == j2 - j1
        short = i2 - i1 <= MAX_SWAP_TOKENS and j2 - j1 <= MAX_SWAP_TOKENS
        if same_length and short:  # only short runs count as aligned: unrelated text is one long run
            aligned += i2 - i1
        # the swap without the full stops and commas at its edges: "But" for "However," is one word
        i1, i2 = _without_stops(a, i1, i2)
        j1, j2 = _without_stops(b, j1, j2)
        if i1 == i2 or j1 == j2:
            continue
        same_length = i2 - i1 == j2 - j1
        short = i2 - i1 <= MAX_SWAP_TOKENS and j2 - j1 <= MAX_SWAP_TOKENS
        # a run of any length swapped word for word is a spinner's; of unequal lengths, only a short one
        if not (same_length or short):
            continue
        if not any(_is_word(t) for t in a[i1:i2]) or not any(_is_word(t) for t in b[j1:j2]):
            continue
        if i2 - i1 == j2 - j1:
            spans = [
                ((i, i + 1), (j, j + 1))
                for i, j in zip(range(i1, i2), range(j1, j2))
                # both sides words: "three" for "3" or "not" for "n't" is house style, as the other way round
                if _is_word(a[i]) and _is_word(b[j]) and fa[i] != fb[j]
            ]
        else:
            spans = [((i1, i2), (j1, j2))]
        for (ai, aj), (bi, bj) in spans:
            start, end = a_off[ai][0], a_off[aj - 1][1]
            out.append(Replacement(start, end, original[b_off[bi][0] : b_off[bj - 1][1]], copy[start:end]))
    if not same:  # no word shared: "Source link." is not "Read more." swapped word for word
        aligned = 0
    return aligned / max(len(a), len(b), 1), out


# One side of _spelled_out: the tokens, their offsets, their folded forms, and the text.
_Side = tuple[list[str], list[tuple[int, int]], list[str], str]
# An initialism: two to eight capitals ("US", "NATO"), or as many each with a full stop ("U.S.").
# At most eight: a name spelt out is read word by word from each capitalised word of a span, and
# that walk is as long as the longest initialism (see _spelt).
_INITIALISM = re.compile(r"\b[A-Z](?:[A-Z]{1,7}\b|\.(?:[A-Z]\.){1,7}(?![\w.]))")
# Lower-case words in a row inside a name spelt out: "of" in "United States of America",
# "of the" in "Court of the ...".
_NAME_GAP = 2


def _spelled_out(ops: list[tuple[str, int, int, int, int]], copy: _Side, original: _Side) -> list:
    """``ops`` with an initialism and the capitalised words it stands for aligned as the same
    wording: "US" in one text where the other says "United States" ("UK", "United Kingdom"; "UN",
    "United Nations"; "USA", "United States of America", lower-case words inside skipped) is
    house style, as "U.S." for "US" is. Only within a span difflib found replaced, so a name is
    read as spelt out only where the other text has its initials in its place: "Uzbekistan
    Senate" is not "US" because the copy says "US" elsewhere.

    Seed 004 wrote "US" for 000's "United States" five times, each counted as a swap the detector
    missed."""
    in_copy, in_original = _initialisms(copy), _initialisms(original)
    if not (in_copy[0] or in_original[0]):  # most paragraphs
        return ops
    out: list[tuple[str, int, int, int, int]] = []
    for op in ops:
        name, i1, i2, j1, j2 = op
        in_a = _within(in_copy, i1, i2) if name == "replace" else {}
        in_b = _within(in_original, j1, j2) if name == "replace" else {}
        if not (in_a or in_b):
            out.append(op)
            continue
        units_a, units_b = _units(copy, i1, i2, in_b), _units(original, j1, j2, in_a)
        if len(units_a) == i2 - i1 and len(units_b) == j2 - j1:  # no name spelt out
            out.append(op)
            continue
        starts_a = [k for _, k in units_a] + [i2]
        starts_b = [k for _, k in units_b] + [j2]
        keys_a, keys_b = [key for key, _ in units_a], [key for key, _ in units_b]
        for sub, x1, x2, y1, y2 in difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes():
            out.append((sub, starts_a[x1], starts_a[x2], starts_b[y1], starts_b[y2]))
    return out


def _initialisms(side: _Side) -> tuple[list[int], list[tuple[str, str]]]:
    """The tokens that are initialisms: their indices, in order, and for each its letters in
    lower case and its folded form. Found by a pattern over the text, not token by token: most
    paragraphs hold none."""
    _, offsets, folded, text = side
    indices, entries = [], []
    for m in _INITIALISM.finditer(text):
        k = bisect.bisect_left(offsets, m.start(), key=lambda span: span[0])
        if k < len(offsets) and offsets[k][0] == m.start():  # a token of its own
            indices.append(k)
            entries.append((m.group().replace(".", "").lower(), folded[k]))
    return indices, entries


def _within(found: tuple[list[int], list[tuple[str, str]]], start: int, end: int) -> dict[str, str]:
    """The initialisms of :func:`_initialisms` among ``tokens[start:end]``: letters -> folded form."""
    indices, entries = found
    return dict(entries[bisect.bisect_left(indices, start) : bisect.bisect_left(indices, end)])


def _units(side: _Side, start: int, end: int, initialisms: dict[str, str]) -> list[tuple[str, int]]:
    """``tokens[start:end]`` as (folded form, first token) units: each token one, but a run of
    capitalised words whose initials spell one of ``initialisms`` one unit, as that initialism."""
    folded = side[2]
    prefixes = {letters[:n] for letters in initialisms for n in range(1, len(letters) + 1)}
    units = []
    k = start
    while k < end:
        spelt = _spelt(side, k, end, initialisms, prefixes)
        units.append((initialisms[spelt[0]], k) if spelt else (folded[k], k))
        k += spelt[1] if spelt else 1
    return units


def _spelt(
    side: _Side, start: int, end: int, initialisms: dict[str, str], prefixes: set[str]
) -> tuple[str, int] | None:
    """The longest run of capitalised words from ``start`` (up to ``_NAME_GAP`` lower-case words
    in a row inside it skipped) whose initials are one of ``initialisms``: those initials and
    the run's number of tokens."""
    _, offsets, _, text = side
    letters, gap, found = "", 0, None
    for k in range(start, end):
        word = text[offsets[k][0] : offsets[k][1]]
        if word.isalpha() and word[0].isupper() and not word.isupper():  # "United", not "US" or "A"
            letters, gap = letters + word[0].lower(), 0
            if letters not in prefixes:
                break
            if letters in initialisms:
                found = (letters, k + 1 - start)
        elif letters and word.isalpha() and word.islower() and gap < _NAME_GAP:
            gap += 1
        else:
            break
    return found


def _is_word(token: str) -> bool:
    """Letters only, an acronym's full stops aside: "U.S." is as much a word as "US", which it folds to."""
    return token.replace(".", "").isalpha()


def _without_stops(tokens: list[str], start: int, end: int) -> tuple[int, int]:
    """``start`` and ``end`` moved past the full stops and commas at the edges of ``tokens[start:end]``."""
    while start < end and tokens[start] in (".", ","):
        start += 1
    while end > start and tokens[end - 1] in (".", ","):
        end -= 1
    return start, end


def _uncrossed(ops: list[tuple[str, int, int, int, int]], a: list[str], b: list[str]) -> list:
    """``ops`` with each crossed alignment set straight, word for word.

    difflib takes the longest block in common first, and a phrase the next sentence repeats
    ("rate of 18 percent." and "rate of 10 percent.", numbers read alike) can be matched across:
    the copy's words before it deleted, the original's after it inserted, as many of each. A
    spinner keeps order and length, so when those words aligned one for one, in place, hold more
    in common than the block, they are aligned so, and the swaps among them listed.
    """
    out: list[tuple[str, int, int, int, int]] = []
    k = 0
    while k < len(ops):
        window = ops[k : k + 3]
        if [op for op, *_ in window] in (["delete", "equal", "insert"], ["insert", "equal", "delete"]):
            i1, j1, i2, j2 = window[0][1], window[0][3], window[2][2], window[2][4]
            if i2 - i1 == j2 - j1 and sum(a[i1 + n] == b[j1 + n] for n in range(i2 - i1)) > (
                window[1][2] - window[1][1]
            ):
                for same, group in itertools.groupby(range(i2 - i1), key=lambda n: a[i1 + n] == b[j1 + n]):
                    run = list(group)
                    op = "equal" if same else "replace"
                    out.append((op, i1 + run[0], i1 + run[-1] + 1, j1 + run[0], j1 + run[-1] + 1))
                k += 3
                continue
        out.append(ops[k])
        k += 1
    return out


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes turning ``a`` into ``b``; for long sequences, the gaps between anchors.

    difflib takes time quadratic in the length of a paragraph (a megabyte without a line break
    ran for minutes). Past ``LONG_TOKENS`` on either side, the tokens found exactly once in each
    sequence, in the same order in both (a longest increasing run of their positions), are
    anchors, as in patience diff: a spinner keeps order, and names and rare words stay. Only the
    gaps between anchors are diffed, each the same way (a work list, not recursion: a crafted
    text can make every gap yield one anchor); a long gap without any is cut into pieces of
    ``PIECE_TOKENS`` aligned in turn.
    """
    ops: list[tuple[str, int, int, int, int]] = []
    work: list = [(0, len(a), 0, len(b))]  # spans still to align, and finished ops, last first
    while work:
        item = work.pop()
        if isinstance(item[0], str):
            ops.append(item)
            continue
        i0, i1, j0, j1 = item
        sa, sb = a[i0:i1], b[j0:j1]
        if len(sa) <= LONG_TOKENS and len(sb) <= LONG_TOKENS:
            found = difflib.SequenceMatcher(None, sa, sb, autojunk=False).get_opcodes()
            ops.extend((op, x1 + i0, x2 + i0, y1 + j0, y2 + j0) for op, x1, x2, y1, y2 in found)
            continue
        count_a, count_b = Counter(sa), Counter(sb)
        in_b = {t: j for j, t in enumerate(sb) if count_b[t] == 1}
        anchors = _increasing([(i, in_b[t]) for i, t in enumerate(sa) if count_a[t] == 1 and t in in_b])
        if not anchors:  # nothing to anchor on (a text repeated over and over): aligned piece by piece
            # at least two: one piece is the span itself, pushed back for ever (PIECE_TOKENS past
            # LONG_TOKENS would do it)
            pieces = max(2, -(-max(len(sa), len(sb)) // PIECE_TOKENS))
            step_a, step_b = -(-len(sa) // pieces), -(-len(sb) // pieces)
            spans = [  # clamped: the shorter side may run out before the last piece
                (
                    min(i1, i0 + k * step_a),
                    min(i1, i0 + (k + 1) * step_a),
                    min(j1, j0 + k * step_b),
                    min(j1, j0 + (k + 1) * step_b),
                )
                for k in range(pieces)
            ]
            work.extend(reversed(spans))
            continue
        parts: list = []
        x0, y0 = 0, 0
        for x, y in [*anchors, (len(sa), len(sb))]:
            if x > x0 or y > y0:
                parts.append((i0 + x0, i0 + x, j0 + y0, j0 + y))
            if x < len(sa):
                parts.append(("equal", i0 + x, i0 + x + 1, j0 + y, j0 + y + 1))
            x0, y0 = x + 1, y + 1
        work.extend(reversed(parts))
    return ops


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``pairs`` (ordered by their first item) whose second items increase."""
    tails: list[int] = []  # tails[k]: the index in pairs of the smallest end of a run of length k + 1
    ends: list[int] = []  # and that end
    before = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(ends, j)
        before[n] = tails[k - 1] if k else -1
        if k == len(tails):
            tails.append(n)
            ends.append(j)
        else:
            tails[k], ends[k] = n, j
    run, n = [], tails[-1] if tails else -1
    while n >= 0:
        run.append(pairs[n])
        n = before[n]
    return run[::-1]


@dataclass(frozen=True)
class ParagraphMatch:
    """One paragraph of the copy, the paragraph of the original it came from, and the swaps.

    ``overlap`` is the share of its tokens aligned with that paragraph (the same, or
    swapped one for one; over the longer of the two). ``original_index`` is None when
    no paragraph of the original reaches ``MIN_OVERLAP``; ``swaps`` are offsets into
    this paragraph. A paragraph of the original too long to reach it is not aligned,
    so the overlap is 0 when every candidate is.
    """

    index: int
    start: int
    end: int
    text: str
    original_index: int | None
    overlap: float
    swaps: tuple[Replacement, ...]

    @property
    def label(self) -> int | None:
        """1 when words were swapped, 0 when taken unchanged (beyond house style), None when not taken."""
        if self.original_index is None:
            return None
        return int(bool(self.swaps))


@dataclass(frozen=True)
class Alignment:
    """Every paragraph of the copy, matched; and the original's paragraphs the copy left out."""

    paragraphs: tuple[ParagraphMatch, ...]
    original_paragraphs: int
    left_out: tuple[int, ...]


def _best_matches(
    copy_words: list[list[str]], original_words: list[list[str]], top: int = 1, *, every_word: bool = False
) -> list[tuple[list[int], float]]:
    """For each copy paragraph, the ``top`` original paragraphs sharing most words, best first,
    and the best one's word overlap.

    Through an inverted index of the original's words, one vectorised update per
    distinct word of a copy paragraph, instead of comparing every pair. A word found in
    more paragraphs than ``COMMON_POSTINGS`` and a twentieth of them does not pick
    candidates: "the" and "of" would make the search quadratic in the number of
    paragraphs and say nothing about which one is the source. The overlap is then
    counted over the other words; with ``every_word``, over all of them (for the few
    paragraphs that share none of the others, see :func:`align`).
    """
    postings: dict[str, tuple[list[int], list[int]]] = {}
    for j, ws in enumerate(original_words):
        for w, c in Counter(ws).items():
            ids, counts = postings.setdefault(w, ([], []))
            ids.append(j)
            counts.append(c)
    longest = len(original_words) if every_word else max(COMMON_POSTINGS, len(original_words) // 20)
    # counts as floats: np.add.at takes 25 times as long to add integers into _top_paragraphs' floats
    index = {
        w: (np.array(ids), np.array(counts, dtype=np.float64))
        for w, (ids, counts) in postings.items()
        if len(ids) <= longest
    }
    del postings  # its lists of ints, held through the search, took as much as the arrays
    lengths = np.array([len(ws) for ws in original_words], dtype=np.float64)
    # Words in common, summed per original paragraph in place, and which occurrence of each paragraph's
    # id stands for it; both reused, reset where touched: see _top_paragraphs.
    shared = np.zeros(len(original_words))
    slot = np.zeros(len(original_words), dtype=np.intp)
    out = []
    # Only the paragraphs a copy paragraph shares a word with are counted and ranked: a vector over
    # all of them for each copy paragraph made two documents of 32,000 short paragraphs take 46 s
    # (a quarter of that, 2 s). Paragraphs with the same words share their answer: with every word
    # counted, each one still reaches the whole original ("word" on every line of both documents).
    # Keyed by the words sorted, the same multiset as their counts: a frozenset of (word, count)
    # pairs took ten times the memory, 31 MB of the search's 48 MB for a copy of 2 MB.
    seen: dict[tuple[str, ...], tuple[list[int], float]] = {}
    for ws in copy_words:
        key = tuple(sorted(ws))
        if key not in seen:
            words_here = Counter(ws)
            hits = [(index[w], c) for w, c in words_here.items() if w in index]
            found = np.concatenate([ids for (ids, _), _ in hits]) if hits else np.zeros(0, dtype=np.intp)
            shares = np.concatenate([np.minimum(counts, c) for (_, counts), c in hits]) if hits else np.zeros(0)
            order, overlap = _top_paragraphs(found, shares, lengths, len(ws), top, shared, slot)
            # then those sharing no word, first ones first, as a sort of every paragraph ranks them
            order += [j for j in range(min(len(original_words), 2 * top)) if j not in order][: top - len(order)]
            seen[key] = (order, overlap)
        out.append(seen[key])
    return out


def _top_paragraphs(
    ids: np.ndarray,
    shares: np.ndarray,
    lengths: np.ndarray,
    length: int,
    top: int,
    shared: np.ndarray,
    slot: np.ndarray,
) -> tuple[list[int], float]:
    """The ``top`` paragraphs ``ids`` name (with repeats) that share most words with a copy
    paragraph of ``length`` words, best first and ties in the original's order, and the best
    one's overlap. ``shared`` (zeros, and left so) and ``slot`` are scratch, one entry per paragraph.

    Linear in ``ids``: the words in common are summed in place, and the ``top`` best picked by
    their overlaps' maximum. A sort of the ids (``np.unique``) and of their overlaps made the search grow
    faster than its input, each word of a copy paragraph reaching up to a twentieth of the
    original's paragraphs: two 8 MB news texts spent 19.5 s there (now 7 s).
    """
    if not len(ids):
        return [], 0.0
    np.add.at(shared, ids, shares)  # summed in the order a sort's bincount summed them
    slot[ids] = np.arange(len(ids))  # of an id's repeats, the one written last stands for it
    picked = ids[slot[ids] == np.arange(len(ids))]
    overlap = shared[picked] / np.maximum(np.maximum(lengths[picked], length), 1)
    shared[picked] = 0.0
    if len(picked) > top:  # the top-th highest overlap and every one as high (ties), then ranked
        floor = overlap.max()  # lowered a step at a time, at most top times (np.partition took 20 times as long)
        kept = overlap >= floor
        while np.count_nonzero(kept) < top:
            floor = overlap[~kept].max()
            kept = overlap >= floor
        picked, overlap = picked[kept], overlap[kept]
    best = np.lexsort((picked, -overlap))[:top]
    return picked[best].tolist(), float(overlap[best[0]])


def align(original: str, copy: str) -> Alignment:
    """Match each paragraph of ``copy`` with its source paragraph in ``original`` and find its swaps."""
    for name, text in (("original", original), ("copy", copy)):
        if not isinstance(text, str):  # a regex error before ("expected string or bytes-like object")
            hint = " (decode it first, e.g. data.decode('utf-8', 'replace'))" if isinstance(text, bytes) else ""
            raise TypeError(f"align() takes {name} as one str text, not {type(text).__name__}{hint}")
    original_paragraphs = [original[s.start : s.end] for s in split_paragraphs(original)]
    copy_spans = split_paragraphs(copy)
    copy_paragraphs = [copy[s.start : s.end] for s in copy_spans]
    copy_words, copy_lengths = _words_and_lengths(copy_paragraphs)
    original_words, original_lengths = _words_and_lengths(original_paragraphs)
    candidates = _best_matches(copy_words, original_words, top=CANDIDATES)
    # In a long original, a paragraph of common words only ("It was the first time he had said so.")
    # shares no word that picks candidates: it got paragraphs 0, 1 and 2, and was "not from the
    # original" though taken word for word, or taken from one of those. Such paragraphs, few, pick
    # theirs with every word counted.
    unpicked = [i for i, (_, overlap) in enumerate(candidates) if not overlap]
    if unpicked:
        again = _best_matches([copy_words[i] for i in unpicked], original_words, CANDIDATES, every_word=True)
        for i, picked in zip(unpicked, again):
            candidates[i] = picked
    # A paragraph without a token (a bare link, "* * *": the tokenizer drops web addresses) has
    # nothing to align: it was "not from the original" even when both files were the same one. It is
    # taken unchanged from a paragraph of the original written the same, spaces aside.
    tokenless: dict[str, list[int]] = {}
    for j, p in enumerate(original_paragraphs):
        if not original_lengths[j]:
            tokenless.setdefault(" ".join(p.split()), []).append(j)
    # A paragraph the original has twice or more ("Advertisement", "* * *") is matched with a place
    # not yet taken when one is as good: every copy of it was matched with the first, and the
    # others were "not in the copy" (seed 001's paragraph 27, with seed 001 itself as the copy).
    taken_ones: set[int | None] = set()  # None among them is no paragraph's index
    out = []
    for i, (span, text, length, (order, _)) in enumerate(zip(copy_spans, copy_paragraphs, copy_lengths, candidates)):
        if not length:
            same_ones = tokenless.get(" ".join(text.split()), [])
            same = next((j for j in same_ones if j not in taken_ones), same_ones[0] if same_ones else None)
            taken_ones.add(same)
            out.append(ParagraphMatch(i, span.start, span.end, text, same, 0.0 if same is None else 1.0, ()))
            continue
        # the overlap is at most its length over the longer paragraph's: one over 1 / MIN_OVERLAP times
        # as long cannot be the source, and aligning it (an original without paragraph breaks, with each
        # paragraph of the copy) took time that grew with the product of their lengths
        reachable = [j for j in order if MIN_OVERLAP * original_lengths[j] <= length]
        diffs = [(_diff(text, original_paragraphs[j]), j) for j in reachable]
        # as well aligned, a place not yet taken comes first
        best_first: tuple[tuple[float, list[Replacement]], int | None] = max(
            diffs, key=lambda d: (d[0][0], d[1] not in taken_ones), default=((0.0, []), None)
        )
        ((aligned, swaps), best) = best_first
        taken = aligned >= MIN_OVERLAP
        if taken:
            taken_ones.add(best)
        out.append(
            ParagraphMatch(
                i, span.start, span.end, text, best if taken else None, round(aligned, 4), tuple(swaps) if taken else ()
            )
        )
    used = {m.original_index for m in out}
    left_out = tuple(j for j in range(len(original_paragraphs)) if j not in used)
    return Alignment(tuple(out), len(original_paragraphs), left_out)
