"""The detector: paragraphs in, calibrated spin probabilities with evidence out.

Ties the stages together (text -> tokens -> n-gram ids -> features -> model ->
result) and owns the decisions about what is *not* scored: paragraphs too
short to judge, not English, or not prose get ``spun=None`` and a ``reason``
instead of a guess. Very long paragraphs are scored in bounded windows.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import threading
import weakref
from dataclasses import dataclass, field, replace
from itertools import accumulate, chain, count, repeat
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence, cast

import numpy as np

from ._lazy import at_fork_in_child
from .features import (
    EVIDENCE_CANDIDATES,
    BatchFeatures,
    Swaps,
    batch_features,
    find_swaps,
    paragraph_rows,
    swap_article_clash,
    swap_r2_gain,
    swap_rank,
)
from .lexicon import MAX_PHRASE_TOKENS
from .model import LoadedModel, ModelError, load_model_dir
from .ngrams import Batch, hash_distinct, hash_tokens, token_index
from .text import (
    _HANGUL_FILLERS,
    _INVISIBLE,
    _STYLED_LETTERS,
    ENCLOSED_OR_LONE_REGIONAL,
    MAY_BE_ENCLOSED,
    _base_letters,
    _blank_spaced_address,
    _may_hold_address,
    _spaced_address,
    _spaced_address_gaps,
    _token_bounds,
    _tokenize_group,
    LINE_BREAKS,
    WEB_ADDRESS_IN_TEXT,
    match_case,
    split_paragraphs,
    token_spans,
    tokenize_cased_many,
)

__all__ = ["Detector", "Result", "Evidence", "Document", "Paragraph", "DEFAULT_MIN_WORDS"]

# Fewer words than this and a paragraph carries too few n-grams to judge
# (headlines, captions, bylines); it is reported as not scored.
DEFAULT_MIN_WORDS = 12
# Paragraphs longer than this many tokens are scored in windows of about
# WINDOW_TOKENS, so cost and memory per paragraph stay bounded. The windows are
# of equal size (167-250 tokens) and each cut moves to the nearest sentence end
# within WINDOW_SNAP tokens: a fixed 250 left a tail of a few words cut
# mid-sentence, scored alone as a tiny paragraph, which flagged 2-3 % of clean
# ~500-token paragraphs (and 20 % with min_words=1).
MAX_UNIT_TOKENS = 400
WINDOW_TOKENS = 250
WINDOW_SNAP = 40
# Evidence: tokens whose token score is at least this likelihood ratio (the
# token model's odds over the odds of its training base rate), at most
# MAX_EVIDENCE per paragraph. A ratio rather than a probability, so that the
# cut does not move when a retraining changes the share of replaced tokens.
# Flagged spins replace about 19 phrases each, so the old cap of 12 (at
# probability 0.5) left over half of them out: on held-out spins it covered
# 47 % of the replaced words, 79 % of its spans being real replacements; 40
# at probability 0.6 covered 67 %, at 76 %. That was a ratio of 4.9 at the
# base rate of the time (23 % of training tokens replaced; 19 % since closed-
# class words are no longer spun, where 0.6 would mean a ratio of 6.6).
EVIDENCE_MIN_LOG_LR = math.log(4.9)
MAX_EVIDENCE = 40
# The suggested original is the swap with the best gain minus this times
# log(1 + its rank among the span's candidates). On held-out spins, 20
# candidates ranked so name the original of 55 % of all replaced spans, against
# 50 % for 8 ranked by gain alone (of the replaced words inside evidence, 65 %
# against 59 %); penalties of 1 to 2 measured alike, 3 less.
SUGGESTION_RANK_PENALTY = 2.0
# No suggestion after "a"/"an" that the reference writes at least four times as often after the
# other article (features.swap_article_clash): a spinner leaves the article, so the original
# fitted it. Such suggestions ("an hard plan" -> "strong", "an rising battle" -> "growing") were
# 29 of 1,754 after an article on spun BBC paragraphs, none of them the original, while no right
# one scored above -0.77; the next candidate is offered instead, or none. On the held-out spins
# the suggestion was right for 55.43 % of the replaced words in evidence, from 55.35 %.
SUGGESTION_ARTICLE_CLASH = math.log(4.0)
# Document context (score_text, score_documents, the command line): when at
# least CONTEXT_MIN_FLAGGED paragraphs of a document, and at least
# CONTEXT_SHARE of its scored ones, are at the threshold, the document is a
# spun copy, and its other paragraphs are flagged from CONTEXT_P on. Content
# farms spin whole articles, but one paragraph at a time many spun ones score
# under a threshold set for 1 % false positives on clean text. Chosen on dev
# documents (1,890 of 3+ paragraphs, never used in training): of those and
# 123 presidential addresses, one Reuters story meets the rule and has no
# other paragraph from 0.8, so clean FPR is unchanged (news 0.60 %, other
# genres 1.25 %, speeches 0.85 %; scripts/eval_documents.py); in documents
# with 60 % of paragraphs spun (held-out pairs), recall goes from 0.73 to
# 0.80, and unspun paragraphs of those documents are flagged 2.7 % of the
# time instead of 0.7 %. Floors of 0.6 to 0.8 gave the same F1 (0.88); 0.8 is
# the most precise. A fixed count (2 flagged, without the share) flagged
# long clean speeches: 1.45 % FPR.
CONTEXT_P = 0.8
CONTEXT_SHARE = 0.2
CONTEXT_MIN_FLAGGED = 2
# Batches are cut at this many tokens so memory stays bounded for any input.
BATCH_TOKENS = 50_000
# Paragraphs are tokenized and scored this many characters at a time (one paragraph can be more).
GROUP_CHARS = 1 << 19

# The function-word tests need a few words to go on: "Methods", "1 Background" or
# "Results and discussion" (headings, now common in PDFs) have too few to say
# anything, and are reported as too short rather than as not English.
FUNCTION_WORD_MIN_WORDS = 6
_FUNCTION_WORDS = frozenset(
    "the of and to a in is that for it was on with as he be by at this are his from or had not but "
    "have an they which you were her she their we there been has all would will one can if its "
    "more who so also no what about up out into than them some could these when my said i our "
    # a news lead has few of the words above ("Farm lobby group AgForce says recent rain across central
    # Queensland has eased drought pressure"): more prepositions, adverbs and auxiliaries, none of them a
    # common word of another Latin-script language ("over", "under" and "even" are Dutch or Danish, "may"
    # is Tagalog)
    "after before against between through during without within across among upon because while although "
    "though since until however both such those each any other only very just then how why where whether "
    "might must should did does being him us your says too now here many most still again every".split()
)
# The commonest function words of French, German, Spanish, Italian, Dutch and
# Portuguese that are not also English words: a paragraph with more of these
# than English ones is not English even when it is plain ASCII.
_FOREIGN_FUNCTION_WORDS = (
    frozenset(
        "le la les et est des du une dans pour qui sur pas avec sont ce cette "
        "der die und das ist nicht ein eine mit den dem zu auf sich auch von des "
        "el los las y es del una por con para como pero su al lo "
        "il di che della non sono per gli nel alla "
        "het een en van niet dat op zijn ook met "
        "o os da do que em um uma para com não "
        # Portuguese's "a" and "no" count as English: a news paragraph ("A empresa registrou lucro
        # recorde no segundo trimestre, impulsionada pela ...") passed as English with only the
        # words above; its contractions, possessives and "e" ("and") tell it
        "e na nas nos ao aos à pela pelo pelas pelos dos seu sua seus suas foi é são mais também "
        # Danish and Norwegian: their "i", "at" and "en" ("in", "that", "a") count as English and
        # French, so a Danish paragraph passed as English and scored 0.95
        "og er det ikke som af har jeg vi til med".split()
    )
    - _FUNCTION_WORDS
)
_CODE_CHARACTERS = ("=", ";", "{", "}", "(", ")", "<", ">", "[", "]", "/", "\\", "_", "|", "#", "*", "$", "@")
# Characters that prose hardly uses (see _code_marks), and code's use of the others.
_CODE_ONLY_CHARACTERS = ("{", "}", "/", "\\", "_", "|", "#", "*", "$", "@")
# A line of code ends at any line end split_paragraphs knows: at LF alone, a CSS or SQL block with CRLF
# line ends (a string given to score_paragraphs as it came) lost its line-final ";" and passed as prose.
_CODE_PATTERN = re.compile(
    rf"(?<=[^\W_])[(\[]|[;:](?=[ \t]*(?:[{LINE_BREAKS}]|$))|(?<=[^\s=<>!])[=<>]|[=<>](?=[^\s=<>])"
)
# A web address counts as this many marks of code (see _link_marks), whatever its slashes: one in a
# sentence of 12-20 words ("click the link below: http://.../form1.html Thank you") made a mail or a
# post "not prose" (35 such MASC paragraphs), while a list of links, a title of a few words per address,
# stays "not prose" at 2 (at 1, "Read more: <title> <address> <title> <address> ..." passed as prose).
URL_MARKS = 2
# A ":" or ";" right before a web address (see _link_marks): with the address cut out, "Read more:
# <address>" at a line's end left the colon there, one mark of code's line-ending ":", so the
# paragraph's plain form could be "not prose" where its disguised form ("Read more:\u200b <address>")
# was read as prose; it does not end the line, the address does.
_BEFORE_ADDRESS = re.compile(r"[;:](?=[ \t]*\Z)")
_ET_AL = re.compile(r"\bet al\b", re.IGNORECASE)
# A line that is a record, not a sentence: "title: ..." or '"title": ...' (front matter, settings,
# JSON), a log's "2023-03-07 14:02:11 INFO ..." or "Mar  7 14:02:11 host ...", or a row of a CSV or
# tab-separated table ("name,city,year": commas right before a word, not a space, a digit or a
# quotation's closing mark). Scored as prose, a clean post's front matter ("description: ...")
# was flagged. A line of prose may look like a key and its value ("update: the company said",
# '"We will not back down": protesters ...'), so a paragraph is records when it has two lines or
# more and every line with a letter is one (a YAML list's "- item" lines too); a single line only
# when it is a JSON object, a log line or a row of tabs. A key is written against its colon:
# "plot : a man ..." (a tokenized review) is prose.
_RECORD_START = re.compile(
    r'[ \t]*(?:[a-z][\w.-]*:(?:[ \t]|$)|-[ \t]|[{\[]?[ \t]*"[^"\n]{1,60}"[ \t]*:'
    r"|\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d )"
)
_LONE_RECORD = re.compile(
    r'[ \t]*(?:\{[ \t]*"[^"\n]{1,60}"[ \t]*:.*\}[ \t,]*$'
    r"|\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d )"
)
_CSV_COMMA = re.compile(r',(?="?[^\W\d_])')
_LETTER = re.compile(r"[^\W\d_]")
# Circled, squared and parenthesized letters ("\u24d0", "\U0001f130", "\u249c") and lone regional
# indicators ("\U0001f1e6") are symbols to Unicode, letters to the tokens
# (text._STYLED_TABLE): not counted as letters, a spun paragraph so written was "not prose".
_ENCLOSED_LETTER = re.compile(ENCLOSED_OR_LONE_REGIONAL)
_LETTER_IN_TEXT = re.compile(rf"[^\W\d_]|{ENCLOSED_OR_LONE_REGIONAL}")

_NON_ASCII_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")  # a letter as [^\W\d_] reads one, not ASCII
_OTHER_SPACE = re.compile(r"[^\S ]")  # whitespace as str.split and \s read it, but the space
_ASCII_NON_LETTERS = bytes(c for c in range(128) if not chr(c).isalpha())
_CODE_BYTES = "".join(_CODE_CHARACTERS).encode("ascii")


class Evidence(NamedTuple):
    """An odd phrase and the wording it most likely replaced.

    ``start``/``end`` are character offsets into the paragraph; ``strength``
    is the token model's probability (0-1) that the phrase was substituted;
    ``suggestion`` is the synonym that makes the context (two words on each
    side: every trigram it is in) most familiar, the lexicon's common
    candidates preferred (``SUGGESTION_RANK_PENALTY``) and none that clashes
    with an "a"/"an" before it (``SUGGESTION_ARTICLE_CLASH``), or None when
    that preferred candidate does not make the context more familiar
    (a lower-ranked one that does was the original about one time in seven on
    the held-out spins, so none is offered rather than it).
    """

    phrase: str
    start: int
    end: int
    suggestion: str | None
    strength: float


@dataclass(frozen=True, slots=True)
class Result:
    """The verdict on one paragraph.

    ``spun`` is ``None`` when the paragraph was not scored; ``reason`` then
    says why ("empty", "too short", "not English", "not prose").
    ``by_context`` is True when the paragraph is flagged below the threshold
    because the document around it is spun (see :func:`context_flags`).
    """

    probability: float
    spun: bool | None
    reason: str | None = None
    evidence: tuple[Evidence, ...] = ()
    words: int = 0
    by_context: bool = False


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of a document: its index, character span and result."""

    index: int
    start: int
    end: int
    text: str
    result: Result


@dataclass(frozen=True)
class Document:
    """All paragraphs of one text, in order."""

    paragraphs: tuple[Paragraph, ...]
    threshold: float

    @property
    def scored(self) -> list[Paragraph]:
        """The paragraphs that were scored (not too short, English prose), in order."""
        return [p for p in self.paragraphs if p.result.spun is not None]

    @property
    def flagged(self) -> list[Paragraph]:
        """The paragraphs flagged as spun, at the threshold or by their document, in order."""
        return [p for p in self.paragraphs if p.result.spun]

    @property
    def spun(self) -> bool:
        """True when any paragraph is flagged."""
        return any(p.result.spun for p in self.paragraphs)

    @property
    def probability(self) -> float:
        """Highest paragraph probability (0.0 when nothing was scored)."""
        return max((p.result.probability for p in self.scored), default=0.0)

    def to_records(self, source: object = None, record_id: object = None, *, model_id: str | None = None) -> list[dict]:
        """JSON-ready dicts, one per paragraph, as ``spincheck score --format jsonl`` writes them
        (``source`` and ``id`` as given, but a path as its str and a numpy number as the Python
        number, which json.dumps takes; no ``record``; probabilities of unscored paragraphs as
        None); one record with reason "empty" for a text without paragraphs. A document holds its
        threshold, not its model: pass ``model_id=det.model_id`` for rows that end with it, as the
        command line's do. The text is judged whole: the command line reads one over
        ``inputs.CHUNK_CHARS`` characters in chunks, judging each chunk as a document and
        reporting a longer paragraph in parts."""
        from .report import document_records

        if model_id is not None and not isinstance(model_id, str):  # a Detector: rows json.dumps refuses
            raise TypeError(f"to_records() takes model_id as a str (det.model_id), not {type(model_id).__name__}")
        return document_records(self, source, record_id, model_id=model_id)


def document_meets_rule(flagged: int, scored: int) -> bool:
    """A document with ``flagged`` of its ``scored`` paragraphs at the threshold counts as spun."""
    return flagged >= CONTEXT_MIN_FLAGGED and flagged >= CONTEXT_SHARE * scored


def context_flags(results: Sequence[Result], threshold: float, floor: float = CONTEXT_P) -> list[bool]:
    """Which paragraphs of one document its context flags, besides those at the threshold.

    A document counts as spun when at least ``CONTEXT_MIN_FLAGGED`` of its
    paragraphs, and ``CONTEXT_SHARE`` of its scored ones, reach the
    threshold; its paragraphs from ``floor`` (``CONTEXT_P``; the threshold,
    if lower) up to the threshold are then flagged too.
    """
    scored = [r for r in results if r.spun is not None]
    flagged = sum(1 for r in scored if r.probability >= threshold)
    if not document_meets_rule(flagged, len(scored)):
        return [False] * len(results)
    floor = min(floor, threshold)
    return [r.spun is not None and floor <= r.probability < threshold for r in results]


def _check_texts(paragraphs: object, method: str = "score_paragraphs") -> list[str]:
    if isinstance(paragraphs, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"{method}() takes a list of str paragraphs, not {type(paragraphs).__name__} "
            "(decode first, e.g. data.decode('utf-8', 'replace'), then use score_text() for one text)"
        )
    if isinstance(paragraphs, str) or not isinstance(paragraphs, Sequence):
        if isinstance(paragraphs, str):
            hint = "use score_text() for one text"
        elif hasattr(paragraphs, "columns"):  # score_many() would score its column names
            hint = "pass its text column, e.g. df['text'].tolist()"
        elif isinstance(paragraphs, np.ndarray):
            hint = "pass array.tolist()"
        elif isinstance(paragraphs, Iterable):  # score_many() takes one, but judges no document
            hint = "use score_many() for a stream" if method == "score_paragraphs" else "pass a list of them"
        else:
            hint = "pass a list of str"
        raise TypeError(f"{method}() takes a list of str paragraphs; got {type(paragraphs).__name__} ({hint})")
    for i, p in enumerate(paragraphs):
        if not isinstance(p, str):
            raise TypeError(f"paragraph {i} is {type(p).__name__}, not str{_decode_hint(p, 'bytes')}")
    return list(paragraphs)


def _decode_hint(value: object, what: str) -> str:
    """How to turn ``value`` into text, when it is bytes."""
    if not isinstance(value, (bytes, bytearray, memoryview)):
        return ""
    return f" (decode {what} first, e.g. bytes(data).decode('utf-8', 'replace'))"


def _check_stream(texts: object, method: str, what: str, batch_size: object) -> None:
    """Refuse one text where an iterable of them belongs: a str would be scored letter by letter."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"{method}() takes a batch_size of at least 1, not {batch_size!r}")
    if isinstance(texts, (str, bytes, bytearray, memoryview)):  # a bytearray was read as its byte values
        hint = "wrap it in a list" if isinstance(texts, str) else "decode it, then wrap it in a list"
        raise TypeError(f"{method}() takes an iterable of str {what}, not one {type(texts).__name__} ({hint})")
    if not isinstance(texts, Iterable):
        raise TypeError(f"{method}() takes an iterable of str {what}, not {type(texts).__name__}")
    if hasattr(texts, "columns"):  # a pandas DataFrame iterates its column names: each was scored as a text
        raise TypeError(
            f"{method}() takes an iterable of str {what}, not a {type(texts).__name__}, whose items are its "
            "column names: pass its text column, e.g. df['text']"
        )


def _word_count(tokens: Sequence[str]) -> int:
    return len(tokens) - tokens.count(".") - tokens.count(",")


class TokenCounts(NamedTuple):
    """What the language gate counts among a paragraph's tokens (see :func:`token_counts`)."""

    tokens: int
    punctuation: int  # "." and ","
    english: int  # English function words (_FUNCTION_WORDS)
    foreign: int  # other languages' (_FOREIGN_FUNCTION_WORDS)
    possessive: int  # "'s"
    numbers: int  # tokens of digits (str.isdigit)
    ascii: int  # ASCII tokens (str.isascii)

    @property
    def words(self) -> int:
        """``_word_count`` of the tokens."""
        return self.tokens - self.punctuation


# The class of a token as bits, one for each field of TokenCounts after ``tokens``: these words' bits
_CLASS_BITS = {".": 1, ",": 1, "'s": 8} | dict.fromkeys(_FUNCTION_WORDS, 2) | dict.fromkeys(_FOREIGN_FUNCTION_WORDS, 4)
_NUMBER_BIT, _ASCII_BIT = 4, 5  # shifts
_CLASSES = len(TokenCounts._fields) - 1
_COMBINATIONS = (np.arange(1 << _CLASSES)[:, None] >> np.arange(_CLASSES)) & 1  # the bits of each


def token_counts(token_lists: Sequence[Sequence[str]]) -> list[TokenCounts]:
    """:class:`TokenCounts` of each paragraph's tokens."""
    distinct, which = token_index(tuple(chain.from_iterable(token_lists)))
    return _token_counts(distinct, which, list(accumulate(map(len, token_lists))))


def _token_counts(distinct: list[str], which: np.ndarray | None, ends: list[int]) -> list[TokenCounts]:
    """:class:`TokenCounts` of the paragraphs whose tokens end at ``ends``, token i being
    ``distinct[which[i]]`` (:func:`token_index`). Each distinct token is classed once and the
    classes counted by numpy, where five passes over each paragraph's tokens cost a twentieth
    of the time of scoring."""
    n = len(distinct)
    bits = np.fromiter(map(_CLASS_BITS.get, distinct, repeat(0)), np.uint8, n)
    bits |= np.fromiter(map(str.isdigit, distinct), np.uint8, n) << _NUMBER_BIT
    if "".join(distinct).isascii():
        bits |= 1 << _ASCII_BIT
    else:
        bits |= np.fromiter(map(str.isascii, distinct), np.uint8, n) << _ASCII_BIT
    if which is not None:
        bits = bits[which]
    # how many tokens of each paragraph have each combination of bits, then those counts per bit
    bounds = [0, *ends]
    paragraph = np.repeat(np.arange(len(ends)), np.diff(bounds))
    kinds = _COMBINATIONS.shape[0]
    combinations = np.bincount(paragraph * kinds + bits, minlength=len(ends) * kinds).reshape(len(ends), kinds)
    per_paragraph = (combinations @ _COMBINATIONS).tolist()
    return [TokenCounts(b - a, *row) for a, b, row in zip(bounds, ends, per_paragraph)]


def language_reason(text: str, tokens: Sequence[str]) -> str | None:
    """Why a paragraph is not scored as English prose, or None when it is.

    Cheap tests, all C-speed string operations: mostly letters (not code,
    tables or symbols), not lines of records (settings, logs, CSV), mostly
    ASCII words, and enough of the most common English function words (which
    every English paragraph has and French or German ones lack; from
    FUNCTION_WORD_MIN_WORDS words on). English without them, a listing or
    product copy, is "not English" too: not English prose.
    """
    return _language_reason(text, token_counts([tokens])[0])


def _language_reason(text: str, counts: TokenCounts, function_words: bool = True) -> str | None:
    """:func:`language_reason` from the paragraph's :class:`TokenCounts`; without the function-word
    test when ``function_words`` is false (a paragraph too short to be scored anyway)."""
    words = counts.words
    if words == 0:
        return "not prose"
    # counts by deleting what is not counted, on bytes: the ASCII characters (all of an ASCII text)
    raw = text.encode("ascii", "ignore")
    letters = len(raw.translate(None, _ASCII_NON_LETTERS))
    code = len(raw) - len(raw.translate(None, _CODE_BYTES))  # every code character is ASCII
    shown = text  # for the shape of records
    if text.isascii():
        non_space = len(raw.translate(None, b" \t\n\r\x0b\x0c"))
        ascii_share = 1.0
    else:
        # and the other letters alone, which ordinary text has few of: substituting every run of
        # non-letters away cost five times the ASCII path on text with an accent or a curly quote
        letters += len(_NON_ASCII_LETTER.findall(text))
        if MAY_BE_ENCLOSED.search(text):
            letters += len(_ENCLOSED_LETTER.findall(text))
        # the characters that are not whitespace (counted, not joined: "".join(text.split()) took
        # 15 ns a character); the invisible characters that the tokens read through are no
        # characters either: one between every two letters (a spinner hiding its output, or &shy;
        # everywhere) made a spun paragraph "not prose", its words never scored; so did a mark
        # striking through or underlining every letter (each counted as a non-letter)
        spaces = text.count(" ") + len(_OTHER_SPACE.findall(text))
        # Hangul fillers are letters to Unicode but spaces as they show, and to the tokens: as letters,
        # "12:45 GMT, 7 March 2023" with one between every two characters passed as mostly letters
        fillers = sum(map(text.count, _HANGUL_FILLERS))
        letters, spaces = letters - fillers, spaces + fillers
        hidden = _INVISIBLE.findall(text)
        non_space = len(text) - spaces - sum(map(len, hidden))
        ascii_share = (counts.ascii - counts.punctuation) / words
        if hidden:
            shown = _as_shown(text)
    if non_space and letters / non_space < 0.6:
        return "not prose"
    if code > 0.25 * words and _link_marks(text) > 0.2 * words:
        return "not prose"  # code, markup, links: operators and brackets where prose has words
    if _records(shown):
        return "not prose"
    if ascii_share < 0.7:
        return "not English"
    if words < FUNCTION_WORD_MIN_WORDS or not function_words:
        return None
    english, foreign = counts.english, counts.foreign
    # numbers and "'s" are no words of any language's sentences: counted, "7-5 6-1" or "Japan's" made a
    # news lead look like a listing
    lexical = words - counts.possessive - counts.numbers
    if not english or english < 0.12 * lexical:  # another language, or English without sentences (a listing)
        return "not English"
    if foreign > english and foreign - 2 * len(_ET_AL.findall(text)) > english:
        return "not English"  # "et al." is how English papers cite, not French and Spanish
    return None


_FILLERS_AS_SPACES = str.maketrans(_HANGUL_FILLERS, " " * len(_HANGUL_FILLERS))


def _as_shown(text: str) -> str:
    """``text`` as the shapes of code and records are read in it: without invisible characters and
    marks, and letters written with marks as one character as their letters alone, as the tokens
    read the words. Counted as they stood, a dot or strike after every character put one before
    each " > " of "Home > News > World" (an operator written without spaces, code's) and one after
    a key's ":", and an invisible one or a dotted letter ("\u1e6b") in a key hid it (fuzz.py).
    Hangul fillers are spaces, as they show: a letter to re, one before a "(" made it a call's
    ("f(x)"), and a short item letter-spaced with them, an invisible character before its "(b)",
    "not prose" (fuzz.py)."""
    if text.isascii():
        return text
    if any(filler in text for filler in _HANGUL_FILLERS):
        text = text.translate(_FILLERS_AS_SPACES)
    if not _INVISIBLE.search(text):
        return text
    return _INVISIBLE.sub("", text).translate(_base_letters())


def _is_record(line: str) -> bool:
    return bool(_RECORD_START.match(line)) or line.count("\t") >= 2 or len(_CSV_COMMA.findall(line)) >= 2


def _records(text: str) -> bool:
    """``text`` is lines of records, not prose (see ``_RECORD_START``); the first line is tried alone.
    Its lines end where split_paragraphs ends them, at CRLF or CR too (score_text takes strings as
    they come): cut at LF alone, settings with CR line ends were one line, and scored as prose."""
    lines = text.splitlines()
    if not lines or lines == [text]:
        return bool(_LONE_RECORD.match(text)) or text.count("\t") >= 2
    head = lines[0]
    if _LETTER_IN_TEXT.search(head) and not _is_record(head):  # prose: decided by its first line
        return False
    return all(_is_record(line) for line in lines if _LETTER_IN_TEXT.search(line))


def _link_marks(text: str) -> int:
    """:func:`_code_marks` with each web address counted as URL_MARKS marks, not one per slash. One
    in dotted text with its letters precomposed ("\u1e23\u1e6b\u1e6b\u1e57\u1e61:\u0307/\u0307/")
    is found in their plain letters, one for one, and one letter-spaced ("h t t p : / / ...") as the
    tokens find it: their slashes made a paragraph "not prose". Each is looked for in what the ones
    before left, as the tokens read them (_without_urls): searched for side by side, a letter-spaced
    one could take the last letter of another ("http://x.com/w w w . a"): two addresses counted
    where the tokens read one. So is one in styled letters ("\U0001d430\U0001d430\U0001d430."): read
    as words by the tokens no more, its slashes made a clean paragraph "not prose" (17 of 300)."""
    read = text if text.isascii() else text.translate(_base_letters()).translate(_STYLED_LETTERS)
    cuts: list[tuple[int, int]] = []

    def cut(match: re.Match[str]) -> str:
        cuts.append(match.span())
        return " " * (match.end() - match.start())

    def cut_spaced(match: re.Match[str]) -> str:
        cut(match)
        return _blank_spaced_address(match)

    if _may_hold_address(read):
        read = WEB_ADDRESS_IN_TEXT.sub(cut, read)
    for gap in _spaced_address_gaps(read):
        read = _spaced_address(gap).sub(cut_spaced, read)
    if not cuts:
        return _code_marks(_as_shown(text))
    cuts.sort()
    starts, ends = [0, *(end for _, end in cuts)], [*(start for start, _ in cuts), len(text)]
    # (the addresses found as written, with what their letters carry: read through first, a letter-spaced
    # one with an invisible character in a gap had two gaps there, and was not found)
    pieces = [_as_shown(text[a:b]) for a, b in zip(starts, ends)]
    # each address one space, as re.sub leaves it, and the ":" or ";" right before one no line end's
    kept = " ".join([*(_BEFORE_ADDRESS.sub("", piece) for piece in pieces[:-1]), pieces[-1]])
    return _code_marks(kept) + URL_MARKS * len(cuts)


def _code_marks(text: str) -> int:
    """Characters that mark code or markup, not counting the brackets, semicolons
    and spaced operators of prose.

    The plain count of :data:`_CODE_CHARACTERS` is only a first sieve: scientific
    prose is full of citations and statistics ("(Lee et al., 2017; Kim, 2019)",
    "[3]-[5]", "(n = 48; p > 0.05)"), and most such paragraphs failed it. Code
    puts brackets right after a name ("range(len(x))", "x[i]"), ends lines with
    ";" or ":", and writes operators without spaces ("x=1", "=>", "<div>").
    """
    strong = sum(map(text.count, _CODE_ONLY_CHARACTERS))
    return strong + len(_CODE_PATTERN.findall(text))


def _check_settings(threshold: object, min_words: object, document_context: object = True) -> None:
    # (typeshed gives numbers.Real and numbers.Integral no comparisons, though every one has them)
    if threshold is not None and (
        isinstance(threshold, bool) or not (isinstance(threshold, numbers.Real) and 0.0 <= threshold <= 1.0)  # type: ignore[operator]
    ):
        raise ValueError(f"threshold must be a probability from 0 to 1, not {threshold!r}")
    if min_words is not None and (
        isinstance(min_words, bool) or not (isinstance(min_words, numbers.Integral) and min_words >= 1)  # type: ignore[operator]
    ):
        raise ValueError(f"min_words must be a whole number of at least 1, not {min_words!r}")
    if not isinstance(document_context, (bool, np.bool_)):  # "false" is a true string
        raise TypeError(f"document_context must be True or False, not {document_context!r}")


def _check_explain(explain: object, method: str) -> None:
    """Refuse what is not True or False, as ``document_context`` is refused: "false" from a
    settings file is a true string, which explained every paragraph (slower, and evidence on
    paragraphs that are not flagged). 1 and 0 pass, as they did before the check (explain=1)."""
    if not (isinstance(explain, (bool, np.bool_)) or (isinstance(explain, numbers.Integral) and explain in (0, 1))):
        raise TypeError(f"{method}() takes explain=True or False, not {explain!r}")


# Models that rebuild pickled detectors, by directory (None: the shipped model). A pool worker
# unpickles a detector with every task, so the latest model of each directory is kept for the
# life of the process; one replaced by a retraining is let go (a service reloading after each
# retraining grew by a model, 95 MB, per retraining), but stays findable while anything in the
# process still uses it. Only the MAX_KEPT_MODELS directories used last are kept: a service that
# loaded each job's model from a temporary copy and handed it to a pool kept every copy's model
# for good, 95 MB and 8 open files (the memory maps) each, in itself and in every worker.
MAX_KEPT_MODELS = 4
_LATEST: dict[str | None, LoadedModel] = {}
_ALIVE: weakref.WeakValueDictionary[tuple[str | None, str], LoadedModel] = weakref.WeakValueDictionary()
_MODELS_LOCK = threading.Lock()


def _unlock_models() -> None:
    """A forked child's lock: one held by another thread at the fork stayed held in the child."""
    global _MODELS_LOCK
    _MODELS_LOCK = threading.Lock()


at_fork_in_child(_unlock_models)


def _model_key(path: Path) -> str | None:
    """How a pickled detector names its model's directory: None for the shipped model, found again
    wherever spincheck is installed."""
    from .model import default_model_dir

    return None if path == default_model_dir().resolve() else str(path)


def _remember(path: str | None, model: LoadedModel) -> None:
    _LATEST.pop(path, None)  # to the end: the dict is in order of use
    _LATEST[path] = model
    while len(_LATEST) > MAX_KEPT_MODELS:
        del _LATEST[next(iter(_LATEST))]
    _ALIVE[(path, model.fingerprint)] = model


class _UnloadableModel:
    """The model of a detector unpickled where its model cannot be had (the directory is missing,
    damaged or was replaced since pickling): every use raises :class:`ModelError`. Raising while
    unpickling instead kills the process-pool worker that unpickles a task, which loses the task:
    ``multiprocessing.Pool`` then waits forever and a ``ProcessPoolExecutor`` breaks. Raised on
    use, the error reaches the caller with the task's result."""

    __slots__ = ("path", "fingerprint", "message")

    def __init__(self, path: str | None, fingerprint: str, message: str) -> None:
        from .model import default_model_dir

        # what a detector's repr, == and hash read: logging one must not raise
        self.path = Path(path) if path is not None else default_model_dir().resolve()
        self.fingerprint = fingerprint
        self.message = message

    def __getattr__(self, name: str):
        raise ModelError(self.message)


def _unpickle_detector(
    path: str | None, fingerprint: str, threshold: float, min_words: int, document_context: bool
) -> Detector:
    with _MODELS_LOCK:
        model = _ALIVE.get((path, fingerprint))
        if model is None:
            from .model import default_model_dir

            try:
                model = load_model_dir(Path(path) if path is not None else default_model_dir())
            except (ModelError, OSError) as exc:  # OSError: a file the worker may not read
                model = cast(LoadedModel, _UnloadableModel(path, fingerprint, f"cannot load the model: {exc}"))
            else:
                if model.fingerprint != fingerprint:
                    _remember(path, model)  # the directory's model now: the next task may want it
                    message = f"the model in {model.path} was replaced after this detector was pickled (load it again)"
                    model = cast(LoadedModel, _UnloadableModel(path, fingerprint, message))
        if not isinstance(model, _UnloadableModel):
            _remember(path, model)
    return Detector(model, threshold, min_words, document_context)


def window_cuts(tokens: list[str], spans: np.ndarray | None = None) -> list[int]:
    """Where a long paragraph's tokens are cut into windows: into equal parts of at most
    WINDOW_TOKENS on average, each cut moved to the nearest sentence end within WINDOW_SNAP
    tokens, where there is one. A sentence ends after a "." token; given the tokens' ``spans``,
    only after one that space follows (not the point of "3.5")."""
    n = len(tokens)
    if n <= WINDOW_TOKENS:
        return []
    parts = -(-n // WINDOW_TOKENS)
    targets = np.rint(np.arange(1, parts) * (n / parts)).astype(np.int64)
    ends = np.flatnonzero(np.array(tokens, dtype=object) == ".") + 1  # a window may end after each
    if spans is not None:
        ends = ends[ends < n]
        ends = ends[spans[ends, 0] > spans[ends - 1, 1]]  # space between the point and the next token
    if ends.size:
        right = np.clip(np.searchsorted(ends, targets), 0, ends.size - 1)
        left = np.clip(right - 1, 0, ends.size - 1)
        nearest = np.where(np.abs(ends[left] - targets) <= np.abs(ends[right] - targets), ends[left], ends[right])
        targets = np.where(np.abs(nearest - targets) <= WINDOW_SNAP, nearest, targets)
    return targets.tolist()


def _best_swap_per_slot(swaps: Swaps, n_slots: int, misfit: np.ndarray | None = None) -> np.ndarray:
    """Per slot, the row of the best swap covering it (-1 for none), by gain with a prior for the
    lexicon's early candidates (``SUGGESTION_RANK_PENALTY``); rows ``misfit`` marks are never it."""
    rank_score = swaps.gain - SUGGESTION_RANK_PENALTY * np.log1p(swap_rank(swaps))
    if misfit is not None:
        rank_score = np.where(misfit, -np.inf, rank_score)  # -inf never beats best_score's start
    best_row = np.full(n_slots, -1, np.int64)
    best_score = np.full(n_slots, -np.inf)
    order = np.argsort(rank_score, kind="stable")  # ascending: later writes win
    for j in range(MAX_PHRASE_TOKENS):
        rows = order[swaps.span_len[order] > j]
        where = swaps.slot[rows] + j
        better = rank_score[rows] > best_score[where]
        best_score[where[better]] = rank_score[rows][better]
        best_row[where[better]] = rows[better]
    return best_row


def _pick_spans(
    batch: Batch, cand_slot: np.ndarray, strength: np.ndarray, best_row: np.ndarray, swaps: Swaps
) -> list[list[tuple[int, int, int, float]]]:
    """Per paragraph of the batch, the evidence spans: each candidate slot (strongest first) with
    the span of its best swap back, as (first token in the paragraph, tokens, suggested phrase or
    -1, strength); a span overlapping one taken before shrinks to its slot, with no suggestion, and
    a slot already covered is skipped. At most MAX_EVIDENCE per paragraph."""
    # The swap each candidate would suggest, found for all at once; the
    # loop below only resolves overlaps, on plain Python values.
    swap = best_row[cand_slot]
    good = np.flatnonzero(swap >= 0)
    good = good[swaps.gain[swap[good]] > 0]
    first_slot, length, phrase = cand_slot.copy(), np.ones(cand_slot.size, np.int64), np.full(cand_slot.size, -1)
    first_slot[good] = swaps.slot[swap[good]]
    length[good] = swaps.span_len[swap[good]]
    phrase[good] = swaps.phrase[swap[good]]
    starts = batch.starts.tolist()
    picked: list[list[tuple[int, int, int, float]]] = [[] for _ in range(batch.lengths.size)]
    covered: set[int] = set()
    for slot, p, first, m, ph, prob in zip(
        cand_slot.tolist(),
        batch.para[cand_slot].tolist(),
        first_slot.tolist(),
        length.tolist(),
        phrase.tolist(),
        strength.tolist(),
    ):
        if slot in covered or len(picked[p]) >= MAX_EVIDENCE:
            continue
        if not covered.isdisjoint(range(first, first + m)):
            first, m, ph = slot, 1, -1
        covered.update(range(first, first + m))
        picked[p].append((first - starts[p], m, ph, prob))
    return picked


@dataclass
class _Unit:
    """A scoring unit: a paragraph or one window of a very long paragraph."""

    para: int
    offset: int
    text: str
    tokens: Sequence[str]
    capitals: np.ndarray
    ids: np.ndarray  # the tokens' hashes (hash_tokens)
    # a window's token offsets into its text, from the whole paragraph's tokens: its text tokenized
    # alone can differ at its start ("b) would ..." reads as a list item's marker, not "b")
    spans: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Detector:
    """A loaded spin detector. Create with :meth:`Detector.load`.

    Thread-safe: a loaded detector holds read-only arrays and its settings
    cannot be changed (``dataclasses.replace(det, threshold=0.9)`` makes a
    copy that shares the model), so one instance can serve many threads.
    Two detectors are equal when they load the same model files from the same
    directory with the same settings; a detector can key a dict or a cache.
    """

    model: LoadedModel = field(repr=False)
    threshold: float
    min_words: int = DEFAULT_MIN_WORDS
    document_context: bool = True

    def __post_init__(self) -> None:  # dataclasses.replace(det, threshold=...) is checked too
        for name in ("threshold", "min_words"):
            if getattr(self, name) is None:  # load(threshold=None) means the card's; here there is none
                raise ValueError(f"{name} must be given, not None (Detector.load() reads the model's own)")
        _check_settings(self.threshold, self.min_words, self.document_context)
        # stored as load() stores them, whatever number type replace() was given
        object.__setattr__(self, "threshold", float(self.threshold))
        object.__setattr__(self, "min_words", int(self.min_words))
        object.__setattr__(self, "document_context", bool(self.document_context))

    def _identity(self) -> tuple:
        return (str(self.path), self.model.fingerprint, self.threshold, self.min_words, self.document_context)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Detector):
            return NotImplemented
        return self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        return (
            f"Detector(path={str(self.path)!r}, threshold={self.threshold}, min_words={self.min_words}, "
            f"document_context={self.document_context})"
        )

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        *,
        threshold: float | None = None,
        min_words: int | None = None,
        document_context: bool = True,
    ) -> "Detector":
        """Load the shipped model (``path=None``) or a model directory.

        ``document_context=False`` judges every paragraph of ``score_text``
        and ``score_documents`` on its own, as ``score_paragraphs`` does.
        """
        from .model import default_model_dir

        _check_settings(threshold, min_words, document_context)
        if path is not None and not isinstance(path, (str, os.PathLike)):  # Path() named no method or fix
            hint = " (decode it first, e.g. os.fsdecode(path))" if isinstance(path, bytes) else ""
            raise TypeError(
                f"Detector.load() takes a model directory as a str or Path, not {type(path).__name__}{hint}"
            )
        # "~/models" from a settings file (Scrapy's SPINCHECK_MODEL) has no shell to expand it
        directory = Path(path).expanduser() if path is not None else default_model_dir()
        model = load_model_dir(directory)
        with _MODELS_LOCK:  # findable by a process forked from this one that unpickles a detector of it
            _ALIVE.setdefault((_model_key(model.path), model.fingerprint), model)
        return cls(
            model=model,
            threshold=float(model.card.threshold if threshold is None else threshold),
            min_words=DEFAULT_MIN_WORDS if min_words is None else int(min_words),
            document_context=document_context,
        )

    @property
    def path(self) -> Path:
        """The model directory this detector was loaded from."""
        return self.model.path

    @property
    def model_id(self) -> str:
        """The model's fingerprint, the ``model_id`` of the command line's output: rows kept apart
        from the run (``Document.to_records(model_id=...)``) still say which model scored them."""
        return self.model.fingerprint

    def __reduce__(self):
        """Pickle the model's location and the settings, not the model: pickled whole, the
        tables (76 MB, 150 MB once their lookup indexes are built) were copied into every task
        of a process pool or Dask bag, as private memory instead of shared memory-maps. The
        shipped model is found again wherever it is unpickled; another model directory must
        be at the same path there. Each process loads a model once."""
        if isinstance(self.model, _UnloadableModel):  # passed on, it would fail again where it lands
            raise ModelError(self.model.message)
        path = _model_key(self.path)
        fingerprint = self.model.fingerprint
        with _MODELS_LOCK:
            _remember(path, self.model)  # unpickled in this process: the same tables
        return (_unpickle_detector, (path, fingerprint, self.threshold, self.min_words, self.document_context))

    # ---- public scoring API -----------------------------------------------------------------
    def score_paragraphs(self, paragraphs: Sequence[str], *, explain: bool = False) -> list[Result]:
        """Score each paragraph; one :class:`Result` per input, in order.

        Evidence is computed for flagged paragraphs, or for every scored one
        with ``explain=True``.
        """
        texts = _check_texts(paragraphs)
        _check_explain(explain, "score_paragraphs")
        # in groups of at most GROUP_CHARS characters: a long text's tokens, features and evidence
        # are never held at once (a 5 MB text peaked at 340 MB of memory before)
        out: list[Result] = []
        start = 0
        while start < len(texts):
            stop, size = start + 1, len(texts[start])
            while stop < len(texts) and size + len(texts[stop]) <= GROUP_CHARS:
                size += len(texts[stop])
                stop += 1
            out.extend(self._score_group(texts[start:stop], explain))
            start = stop
        return out

    def _score_group(self, texts: list[str], explain: bool) -> list[Result]:
        results: list[Result | None] = [None] * len(texts)
        word_counts = [0] * len(texts)
        units: list[_Unit] = []
        # each distinct token of the group is hashed and classed for the language gate once
        tokens, capitals, ends = _tokenize_group(texts)
        distinct, which = token_index(tokens)
        ids = hash_distinct(distinct)
        if which is not None:
            ids = ids[which]
        for i, (text, a, b, counts) in enumerate(zip(texts, [0, *ends], ends, _token_counts(distinct, which, ends))):
            words = word_counts[i] = counts.words
            if not counts.tokens:  # blank, or only symbols, emoji, separators ("***")
                results[i] = Result(0.0, None, "not prose" if text.strip() else "empty", (), 0)
                continue
            # a headline has few function words ("Ad sales boost Time Warner profit"): under the
            # minimum, that test called 391 of the 2,225 English BBC titles "not English"; they are
            # too short, and only a script or a shape that is no prose is still named
            reason = _language_reason(text, counts, function_words=words >= self.min_words)
            if reason is None and words < self.min_words:
                reason = "too short"
            if reason is not None:
                results[i] = Result(0.0, None, reason, (), words)
                continue
            if counts.tokens <= MAX_UNIT_TOKENS:
                units.append(_Unit(i, 0, text, tokens[a:b], capitals[a:b], ids[a:b]))
            else:
                units.extend(self._windows(i, text, capitals[a:b]))
        # a long text's tokens are made again with offsets (_windows): not held twice
        del tokens, distinct, which, ids
        unit_results = self._score_units(units, explain)
        if not explain:
            self._explain_flagged_windows(units, unit_results)
        merged: dict[int, list[tuple[_Unit, float, list[Evidence]]]] = {}
        for unit, (prob, evidence) in zip(units, unit_results):
            merged.setdefault(unit.para, []).append((unit, prob, evidence or []))
        for i, parts in merged.items():
            if len(parts) == 1 and parts[0][0].offset == 0:  # nearly every paragraph: one unit, nothing to shift
                _, prob, evidence = parts[0]
            else:
                prob = max(p for _, p, _ in parts)
                evidence = [
                    Evidence(e.phrase, e.start + u.offset, e.end + u.offset, e.suggestion, e.strength)
                    for u, _, evs in parts
                    for e in evs
                ]
            evidence.sort(key=lambda e: -e.strength)
            results[i] = Result(prob, prob >= self.threshold, None, tuple(evidence[:MAX_EVIDENCE]), word_counts[i])
        return [r for r in results if r is not None]

    def score_text(self, text: str, *, explain: bool = False) -> Document:
        """Split ``text`` into paragraphs (with offsets) and score them.

        Unlike ``score_paragraphs``, the paragraphs are judged as one document:
        see ``document_context`` and :func:`context_flags`.
        """
        if not isinstance(text, str):
            hint = _decode_hint(text, "it")
            if not hint and isinstance(text, Mapping):  # a JSONL record, whose keys are no paragraphs
                hint = " (pass the text it holds, e.g. record['text'])"
            elif not hint and isinstance(text, Iterable):  # a page's paragraphs, or a crawl's pages
                hint = " (score_paragraphs() for one text's paragraphs, score_documents() for many texts)"
            raise TypeError(f"score_text() takes a str, not {type(text).__name__}{hint}")
        _check_explain(explain, "score_text")
        return self._documents([text], explain)[0]

    def score_many(self, texts: Iterable[str], batch_size: int = 512, *, explain: bool = False) -> Iterator[Result]:
        """Lazily score paragraphs from any iterable, ``batch_size`` at a time.

        An item that is not a str raises ``TypeError`` naming its position in the stream,
        after the results of every item before it; an exception of the iterable itself also
        comes after the results of the items it gave.
        """
        _check_stream(texts, "score_many", "paragraphs", batch_size)
        _check_explain(explain, "score_many")
        return self._stream(texts, batch_size, lambda batch: self.score_paragraphs(batch, explain=explain))

    def score_documents(
        self, texts: Iterable[str], *, batch_size: int = 256, explain: bool = False
    ) -> Iterator[Document]:
        """Lazily score whole texts, one :class:`Document` each, as ``score_text`` would.

        Texts are read ``batch_size`` at a time and their paragraphs scored in
        one batch: a call costs about 1 ms whatever its size (many small numpy
        steps), so pages of a few paragraphs score 3-5 times faster in batches
        of 64-256 than one ``score_text`` at a time.
        """
        _check_stream(texts, "score_documents", "texts", batch_size)
        _check_explain(explain, "score_documents")
        return self._stream(texts, batch_size, lambda batch: self._documents(batch, explain))

    @staticmethod
    def _stream(texts: Iterable[str], batch_size: int, score: Callable[[list[str]], list]) -> Iterator:
        """Score ``texts`` in batches. Whatever stops the stream (a bad item, or the iterable
        itself raising, say a crawl's network error) comes after the results of every item
        read before it: none of them is lost."""
        batch: list[str] = []
        items = iter(texts)
        for position in count():
            try:
                text = next(items)
            except StopIteration:
                break
            except Exception:
                if batch:
                    yield from score(batch)
                raise
            if not isinstance(text, str):
                if batch:  # deliver what came before the bad item, then say where it is
                    yield from score(batch)
                hint = _decode_hint(text, "bytes")
                raise TypeError(f"item {position} of the stream is {type(text).__name__}, not str{hint}")
            batch.append(text)
            if len(batch) >= batch_size:
                yield from score(batch)
                batch = []
        if batch:
            yield from score(batch)

    def _documents(self, texts: list[str], explain: bool) -> list[Document]:
        """``texts`` are checked by the callers (score_text, and _stream for score_documents)."""
        spans = [split_paragraphs(text) for text in texts]
        paragraphs = [text[s.start : s.end] for text, doc_spans in zip(texts, spans) for s in doc_spans]
        flat = self.score_paragraphs(paragraphs, explain=explain)
        if self.document_context:  # each document judged as one, the evidence found in one batch
            bounds = list(accumulate((len(doc_spans) for doc_spans in spans), initial=0))
            missing = [i for lo, hi in zip(bounds, bounds[1:]) for i in self._flag_by_context(flat, lo, hi)]
            self._add_evidence(flat, paragraphs, missing)
        results = iter(flat)
        docs = []
        for text, doc_spans in zip(texts, spans):
            paras = tuple(
                Paragraph(i, s.start, s.end, text[s.start : s.end], next(results)) for i, s in enumerate(doc_spans)
            )
            docs.append(Document(paras, self.threshold))
        return docs

    def features(self, paragraphs: Sequence[str]) -> np.ndarray:
        """Paragraph feature matrix (no gating), for analysis and evaluation."""
        pairs = tokenize_cased_many(_check_texts(paragraphs, "features"))
        return self._score_batch([t for t, _ in pairs], [c for _, c in pairs])[0]

    def apply_document_context(self, paragraphs: Sequence[str], results: Sequence[Result]) -> list[Result]:
        """``score_paragraphs`` results of one document's paragraphs, judged as a document.

        The paragraphs its context flags (see :func:`context_flags`) come back
        with ``spun=True``, ``by_context=True`` and their evidence, which is
        computed now: they were under the threshold. A no-op with
        ``document_context=False``. ``score_text`` and ``score_documents``
        call this; callers that batch several documents through
        ``score_paragraphs`` call it once per document.
        """
        paragraphs = _check_texts(paragraphs, "apply_document_context")
        if isinstance(results, (str, bytes)) or not isinstance(results, Sequence):
            raise TypeError(f"apply_document_context() takes a list of Result, not {type(results).__name__}")
        out = list(results)
        for i, r in enumerate(out):
            if not isinstance(r, Result):
                raise TypeError(f"result {i} is {type(r).__name__}, not a Result of score_paragraphs()")
        if len(paragraphs) != len(out):
            raise ValueError(
                f"apply_document_context() takes one document's paragraphs and their results, in the same "
                f"order; got {len(paragraphs)} paragraphs and {len(out)} results"
            )
        if self.document_context:
            self._add_evidence(out, paragraphs, self._flag_by_context(out, 0, len(out)))
        return out

    def _flag_by_context(self, results: list[Result], lo: int, hi: int) -> list[int]:
        """Flag the paragraphs of one document, ``results[lo:hi]``, that its context flags (in
        place); returns the positions of those still without evidence (all of them, unless
        scored with explain=True)."""
        picked = [lo + i for i, flag in enumerate(context_flags(results[lo:hi], self.threshold)) if flag]
        for i in picked:
            results[i] = replace(results[i], spun=True, by_context=True)
        return [i for i in picked if not results[i].evidence]

    def _add_evidence(self, results: list[Result], paragraphs: list[str], positions: list[int]) -> None:
        """Evidence for ``results`` at ``positions``, found in one batch."""
        if not positions:
            return
        explained = self.score_paragraphs([paragraphs[i] for i in positions], explain=True)
        for i, r in zip(positions, explained):
            results[i] = replace(results[i], evidence=r.evidence)

    # ---- internals --------------------------------------------------------------------------
    def _windows(self, index: int, text: str, capitals: np.ndarray) -> list[_Unit]:
        """A paragraph of over MAX_UNIT_TOKENS tokens, as windows (:func:`window_cuts`) scored alone."""
        toks, spans = token_spans(text)
        if len(toks) != len(capitals):
            capitals = np.zeros(len(toks), dtype=bool)
        cuts = window_cuts(toks, spans)
        ids = hash_tokens(toks)
        units = []
        for lo, hi in zip([0, *cuts], [*cuts, len(toks)]):
            start, end = int(spans[lo, 0]), int(spans[hi - 1, 1])
            units.append(
                _Unit(index, start, text[start:end], toks[lo:hi], capitals[lo:hi], ids[lo:hi], spans[lo:hi] - start)
            )
        return units

    def _score_batch(
        self,
        token_lists: Sequence[Sequence[str]],
        capitals: list[np.ndarray] | None = None,
        ids: list[np.ndarray] | None = None,
    ):
        """Features -> token model -> paragraph features -> paragraph model."""
        model = self.model
        bf = batch_features(token_lists, model.reference, model.lexicon, capitals=capitals, ids=ids)
        X, token_logit = paragraph_rows(bf, model.classifier.token, model.classifier.prior_logit, model.reference)
        return X, model.classifier.paragraph.predict_proba(X), bf, token_logit

    def _score_units(self, units: list[_Unit], explain: bool) -> list[tuple[float, list[Evidence] | None]]:
        """Each unit's probability and evidence (None where it was not looked for)."""
        out: list[tuple[float, list[Evidence] | None]] = []
        start = 0
        while start < len(units):
            stop, tokens = start, 0
            while stop < len(units) and (stop == start or tokens + len(units[stop].tokens) <= BATCH_TOKENS):
                tokens += len(units[stop].tokens)
                stop += 1
            chunk = units[start:stop]
            _, probs, bf, token_logit = self._score_batch(
                [u.tokens for u in chunk], [u.capitals for u in chunk], [u.ids for u in chunk]
            )
            # every window of a flagged paragraph (its windows in this chunk; _explain_flagged_windows
            # finds those of other chunks)
            flagged = {chunk[j].para for j, p in enumerate(probs) if p >= self.threshold}
            want = [j for j, u in enumerate(chunk) if explain or u.para in flagged]
            evidence = self._evidence(chunk, want, bf, token_logit) if want else []
            by_unit = dict(zip(want, evidence))
            out.extend((float(p), by_unit.get(j)) for j, p in enumerate(probs))  # None: not looked for
            start = stop
        return out

    def _explain_flagged_windows(self, units: list[_Unit], results: list[tuple[float, list[Evidence] | None]]) -> None:
        """Evidence, in place, for the windows under the threshold of a paragraph that another of
        its windows flags: the evidence of a flagged paragraph is that of all of it, as with
        ``explain=True`` (and as a paragraph flagged by its document gets), not only of the
        windows that reach the threshold."""
        highest: dict[int, float] = {}
        for unit, (prob, _) in zip(units, results):
            highest[unit.para] = max(prob, highest.get(unit.para, prob))
        missing = [
            j
            for j, (unit, (prob, evidence)) in enumerate(zip(units, results))
            if evidence is None and highest[unit.para] >= self.threshold
        ]
        if not missing:
            return
        explained = self._score_units([units[j] for j in missing], explain=True)
        for j, (_, evidence) in zip(missing, explained):
            results[j] = (results[j][0], evidence)  # the probability as scored: batches round apart

    def _evidence(
        self, chunk: list[_Unit], want: list[int], bf: BatchFeatures, token_logit: np.ndarray
    ) -> list[list[Evidence]]:
        """Tokens the token model thinks were substituted, with the best swap back.

        Reuses the scoring pass of the chunk; the extra swap search tries more
        candidates than scoring does, but only at the likely-substituted
        tokens of the paragraphs in ``want``, so clean text pays nothing.
        """
        model = self.model
        batch = bf.batch
        p_tok = 1.0 / (1.0 + np.exp(-np.clip(token_logit, -30, 30)))
        wanted_para = np.zeros(batch.lengths.size, bool)
        wanted_para[want] = True
        likely = (token_logit - model.classifier.prior_logit >= EVIDENCE_MIN_LOG_LR) & wanted_para[
            batch.para[bf.tokens.slots]
        ]
        focus = np.zeros(batch.ids.shape[0], bool)
        focus[bf.tokens.slots[likely]] = True
        swaps = find_swaps(
            batch,
            bf.slots,
            model.reference,
            model.lexicon,
            max_candidates=EVIDENCE_CANDIDATES,
            max_assoc=None,  # every phrase of a likely-replaced token
            focus=focus,
            context_gain=False,  # swaps are ranked by gain and candidate rank only
            known=bf.swaps,  # the scoring pass's gains, for the spans and candidates it tried
        )
        # Suggestions weigh every trigram with a word of the candidate in it, the one after R1 too,
        # which scoring leaves out ("has coated the way" -> "paved", not "surfaced"). Right on
        # flagged spins: held-out 55.8 % -> 56.8 %, Moby similarity 23.8 % -> 24.6 %, Moby frequency
        # 9.2 % -> 9.7 %, seed copy 38 of 66 -> 39 of 67; 3 % of the CPU time of a quarter-spun workload.
        r2_gain = swap_r2_gain(batch, bf.slots, swaps, model.reference, model.lexicon)
        swaps = replace(swaps, gain=swaps.gain + r2_gain)
        misfit = swap_article_clash(batch, swaps, model.reference, model.lexicon) > SUGGESTION_ARTICLE_CLASH
        best_row = _best_swap_per_slot(swaps, batch.ids.shape[0], misfit)
        candidates = np.flatnonzero(likely)
        candidates = candidates[np.argsort(-p_tok[candidates], kind="stable")]
        # A number is no spinner's swap, however rare its shape: "4790000" (a house style without
        # thousands separators) reads as a rare token, and 449 of 699 evidence spans of such Reuters
        # paragraphs were bare numbers with nothing to suggest. The probability still counts them.
        slots = bf.tokens.slots[candidates]
        paras = batch.para[slots]
        at = (slots - batch.starts[paras]).tolist()
        worded = [_LETTER.search(chunk[p].tokens[i]) is not None for p, i in zip(paras.tolist(), at)]
        candidates = candidates[np.array(worded, bool)] if candidates.size else candidates
        picked = _pick_spans(batch, bf.tokens.slots[candidates], p_tok[candidates], best_row, swaps)
        return [self._evidence_of(chunk[j], picked[j]) for j in want]

    def _evidence_of(self, unit: _Unit, items: list[tuple[int, int, int, float]]) -> list[Evidence]:
        """Evidence for the picked spans of one unit: (first token, tokens, suggested phrase or -1,
        strength), with character offsets into the unit's text, strongest first."""
        if not items:
            return []
        if unit.spans is not None:
            bounds = unit.spans.ravel().tolist()  # start, end, start, end, ...
        else:
            toks, bounds = _token_bounds(unit.text)
            if len(toks) != len(unit.tokens):
                return []
        evs = []
        for first, m, phrase, prob in items:
            start, end = bounds[2 * first], bounds[2 * (first + m) - 1]
            original = unit.text[start:end]
            suggestion = match_case(self.model.lexicon.suggestion_text(phrase), original) if phrase >= 0 else None
            evs.append(Evidence(original, start, end, suggestion, round(prob, 3)))
        # strongest first; equal reported strengths by position, so that float noise in
        # the token scores (a batch rounds unlike one paragraph) cannot reorder them
        evs.sort(key=lambda e: (-e.strength, e.start))
        return evs
