"""Stage 1: text -> paragraphs -> tokens.

Everything here is plain ``re`` and ``str`` methods: no NLTK data is needed at
run time. Tokens are normalised so that house style (curly quotes, ``U.S.`` vs
``US``, ``2023`` vs ``1987``) does not look like word substitution.
"""

from __future__ import annotations

import codecs
import math
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, chain
from typing import Iterable

import numpy as np

__all__ = [
    "Span",
    "decode_bytes",
    "bom_encoding",
    "looks_binary",
    "split_paragraphs",
    "full_width",
    "normalize",
    "tokenize",
    "tokenize_with_offsets",
    "token_spans",
    "tokenize_cased",
    "tokenize_cased_many",
    "match_case",
    "without_lone_surrogates",
]


class _LazyPattern:
    """A regex compiled when first used. The patterns of rare paths (web addresses, lookalike
    letters, decorated words, line-end hyphenation) took about 4 ms of ``import spincheck`` to
    compile, and plain ASCII prose never uses them."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str):
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


# One-to-one character mapping, so offsets in the normalised text equal
# offsets in the original. Curly quotes become straight ones, sentence
# punctuation collapses to "." and clause punctuation to ",", and every digit
# becomes "0" so that numbers are counted by shape, not value.
_NORMALIZE_TABLE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u201a": "'",
        "\u201b": "'",
        "`": "'",
        "\u00b4": "'",
        # the prime signs, which some keyboards and converters put for apostrophes and
        # quotes ("it\u2032s", "\u2033no\u2033"); left alone, "it\u2032s" read as the words "it" and "s"
        "\u2032": "'",
        "\u02b9": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "!": ".",
        "?": ".",
        # the ellipsis character, as word processors and CMSs write "...": left alone, it was no
        # token, so "admitted\u2026 The" lost its sentence end and read as one run-on sentence
        "\u2026": ".",
        ";": ",",
        ":": ",",
        **{str(d): "0" for d in range(1, 10)},
    }
)

# The same mapping as (old, new) pairs. No replacement makes a character that
# another one replaces, so replacing them in turn equals str.translate; and
# str.replace scans at memchr speed where translate looks every character up
# in the table (2x faster on ASCII text, 20x on text with curly quotes).
_NORMALIZE_PAIRS = tuple((chr(code), new) for code, new in _NORMALIZE_TABLE.items())

# The full-width forms of ASCII (U+FF01-U+FF5E: "ｆｉｎｅ，", "１２３", "．"), as East Asian input
# methods type them, are read as the ASCII they stand for, then as above (NFKC maps them so).
# Left alone, a full-width comma or full stop was no token and a full-width word an unknown one.
# They are translated only in text that holds one: a table lookup per character is slower than
# the replacements above, and rarely needed.
_FULL_WIDTH_TABLE = {code: _NORMALIZE_TABLE.get(code - 0xFEE0, chr(code - 0xFEE0)) for code in range(0xFF01, 0xFF5F)}

# So are letters drawn in another style, which "fancy text" generators make and which show as plain
# words in bold, italic and the like: the Mathematical Alphanumeric Symbols (U+1D400-U+1D7FF:
# "\U0001d5ef\U0001d5fc\U0001d5f9\U0001d5f1", "\U0001d62a\U0001d635", and their digits), the letterlike
# symbols that fill the holes of its alphabets ("\u210e", "\u211b"), circled and squared letters
# ("\u24d0", "\U0001f130"), modifier (superscript and subscript) letters ("\u1d43", "\u02b0") and small
# capitals ("\u1d00\u0299\u1d04", which NFKC leaves alone). Each became an unknown word: a spun paragraph
# so written was "not English" or "not prose" (30 of 30), never scored. Every one of them NFKC maps
# to one ASCII letter, so offsets do not move; their digits other than the mathematical ones
# ("\u00b2", "\u2460") and the letterlike symbols used on their own ("\u2113" for litres, "\u2139") are not read so.
# The small capitals shared with phonetic transcription ("\u026a" of "/b\u026at/") are read so only in a
# text that holds one of the others (``_STYLED``).
# The negative (white on black) circled and squared capitals ("\U0001f150", "\U0001f170"), another style of
# the same generators, NFKC leaves alone: they are read as the capitals they show (_NEGATIVE_LETTERS);
# so are the superscript and subscript letters added after the others ("\u2c7c", "\u2c7d", "\U000107a5").
# So are the parenthesized letters ("\u249c", "\U0001f110"), which NFKC makes three characters ("(a)"),
# and the regional indicator letters ("\U0001f1e6", boxed capitals), which NFKC leaves alone, as
# capitals; but two of these side by side are a flag ("\U0001f1fa\U0001f1f8"), which generators keep
# apart with a zero-width space: only one that no other one touches is read (_LONE_REGIONAL).
_SMALL_CAPITALS = dict(
    zip(
        "\u1d00\u1d04\u1d05\u1d07\u1d0a\u1d0b\u1d0d\u1d0f\u1d18\u1d1b\u1d1c\u1d20\u1d21\u1d22\ua730\ua731\ua7af"
        "\u0299\u0262\u029c\u026a\u029f\u0274\u0280\u028f",
        "acdejkmoptuvwzfsqbghilnry",
    )
)


def _quick_class(ranges: Iterable[tuple[int, int]]) -> re.Pattern[str]:
    """One character of ``ranges`` below U+10000, or any character above: a superset of their
    class, to search a text with before the class itself. re tests a character against a class's
    characters below U+10000 in one table, but against its ranges above U+FFFF one by one: such a
    class searched 15-20 ns a character of text, this one 5."""
    bmp = "".join(f"{re.escape(chr(a))}-{re.escape(chr(min(b, 0xFFFF)))}" for a, b in ranges if a <= 0xFFFF)
    return re.compile(f"[{bmp}\U00010000-\U0010ffff]")


# Hangul fillers, which show as a blank and which Unicode counts as letters (U+115F, U+1160, U+3164,
# U+FFA0): put for spaces, or between every two letters, as a trick against filters, each line was one
# unknown word and a spun paragraph "not English" (every one). They are read as a space, one for one:
# a four-per-em space, so that between every two letters they are the gaps of letter-spaced text
# (_LETTER_GAPS) when its words stand a space apart
_HANGUL_FILLERS = "\u115f\u1160\u3164\uffa0"
# but the first two are also parts of a syllable of conjoining jamo, which shows as a block with
# its other letters ("\u1100\u1160", a lone consonant; "\u115f\u1161", a lone vowel): there each is
# kept, as a space split the syllable's word of Korean (Old Hangul) text; the two alone show nothing
_SYLLABLE_FILLER = re.compile("\u115f(?=[\u1161-\u11a7\ud7b0-\ud7c6])|(?<=[\u1100-\u115e\ua960-\ua97c])\u1160")
_STYLED_RANGES: tuple[tuple[int, int], ...] = (
    (0x02B0, 0x02B8),
    (0x02E0, 0x02E4),
    (0x1D2C, 0x1D6A),
    (0x1D9B, 0x1DBF),
    (0x2071, 0x2071),
    (0x207F, 0x207F),
    (0x2090, 0x209C),
    (0x2102, 0x2112),
    (0x2115, 0x2138),
    (0x2145, 0x2149),
    (0xA7F2, 0xA7F4),
    (0x2C7C, 0x2C7D),
    (0x1D400, 0x1D7FF),
    (0x107A5, 0x107A5),
)
_NEGATIVE_LETTERS = ((0x1F150, 0x1F169), (0x1F170, 0x1F189))
_PARENTHESIZED_LETTERS = ((0x249C, 0x24B5, "a"), (0x1F110, 0x1F129, "A"))
_REGIONAL = "\U0001f1e6-\U0001f1ff"
_LONE_REGIONAL = re.compile(f"(?<![{_REGIONAL}])[{_REGIONAL}](?![{_REGIONAL}])")
# Circled, squared and parenthesized letters, negative ones too: symbols to Unicode, letters as read
# here (the language gate counts them as letters, and regional indicators no other one touches:
# ENCLOSED_LETTERS, a regex class, and ENCLOSED_OR_LONE_REGIONAL)
_ENCLOSED_RANGES: tuple[tuple[int, int], ...] = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), *_NEGATIVE_LETTERS)
_ENCLOSED_RANGES += tuple((a, b) for a, b, _ in _PARENTHESIZED_LETTERS)
ENCLOSED_LETTERS = "".join(f"{chr(a)}-{chr(b)}" for a, b in _ENCLOSED_RANGES)
# (one character class first, which the regex engine searches for fast: an alternation slowed the gate)
ENCLOSED_OR_LONE_REGIONAL = (
    f"[{ENCLOSED_LETTERS}{_REGIONAL}](?:(?<=[{ENCLOSED_LETTERS}])|(?<![{_REGIONAL}]{{2}})(?![{_REGIONAL}]))"
)
# where there is none of them, the test is faster (_quick_class)
MAY_BE_ENCLOSED = _quick_class((*_ENCLOSED_RANGES, (0x1F1E6, 0x1F1FF)))
_STYLED_RANGES += (*_ENCLOSED_RANGES, (0x1F1E6, 0x1F1FF))
_STYLED_TABLE = {
    code: _NORMALIZE_TABLE.get(ord(ascii), ascii)
    for a, b in _STYLED_RANGES
    for code in range(a, b + 1)
    if len(ascii := unicodedata.normalize("NFKC", chr(code))) == 1
    and ascii.isascii()
    and (ascii.isalpha() or code >= 0x1D400)
}
_STYLED_TABLE.update({ord(small): letter for small, letter in _SMALL_CAPITALS.items()})
_STYLED_TABLE.update({code: chr(ord("A") + code - a) for a, b in _NEGATIVE_LETTERS for code in range(a, b + 1)})
_STYLED_TABLE.update(
    {code: chr(ord(first) + code - a) for a, b, first in _PARENTHESIZED_LETTERS for code in range(a, b + 1)}
)
_STYLED_TABLE.update(_FULL_WIDTH_TABLE)
_STYLED_TABLE.update({ord(filler): "\u2005" for filler in _HANGUL_FILLERS})
# its letters and digits alone, to find a web address so written where ":" must stay ":"
_STYLED_LETTERS = {code: plain for code, plain in _STYLED_TABLE.items() if plain.isascii() and plain.isalnum()}
# what calls for the table: any of the above but the small capitals of phonetic transcription
_STYLED = re.compile(
    f"[{_HANGUL_FILLERS}\uff01-\uff5e\u1d00-\u1d22\ua730\ua731\ua7af"
    + "".join(f"{chr(a)}-{chr(b)}" for a, b in _STYLED_RANGES)
    + "]"
)
# the same, and any character above U+FFFF (_quick_class): searched for first
_MAY_BE_STYLED = _quick_class(
    [(ord(c), ord(c)) for c in f"{_HANGUL_FILLERS}\ua730\ua731\ua7af"]
    + [(0xFF01, 0xFF5E), (0x1D00, 0x1D22), *_STYLED_RANGES]
)
# (as _normalize_chars reads them, but the phonetic small capitals, which it reads so only beside another)
_NORMALIZE_TABLE.update((code, new) for code, new in _STYLED_TABLE.items() if _STYLED.match(chr(code)))

# Order matters: acronyms with dots first ("u.s."), then a word stem before
# "n't" ("did" + "n't"), clitics ("'s", "'re"), plain words, punctuation.
# Written for speed, not for reading: every token starts with a character of
# the class [\w.,'], which lets the regex engine skip the text between tokens
# without trying each rule there; each rule then checks that first character
# with a lookbehind. A word not followed by "'t" (nearly every word) is taken
# whole by the second rule, without the backtracking of the "n't" rule.
# tests/test_text.py checks the tokens against the rules written plainly.
TOKEN_PATTERN = re.compile(
    r"[\w.,']"
    r"(?:(?<=[^\W\d_])\.(?:[^\W\d_]\.)+"  # acronyms
    r"|(?<=[^\W_])[^\W_]*+(?!'t)"  # a word not followed by 't
    r"|(?<=[^\W_])[^\W_]*(?=n't)"  # a word stem before n't
    r"|(?<=n)'t"  # n't
    r"|(?<=')(?:s|re|ve|ll|d|m)(?![^\W_])"  # clitics
    r"|(?<=[^\W_])[^\W_]*"  # other words
    r"|(?<=[.,]))"  # punctuation
)

# Line breaks as str.splitlines() knows them (CRLF as one, atomically, so that it is never read as
# CR then LF: a blank line); a page break (form feed) or U+2029 always ends a paragraph. Text from
# files has CRLF and CR turned into LF already, but score_text() gets strings as they come.
LINE_BREAKS = "\n\r\v\x1c\x1d\x1e\x85\u2028"  # what ends a line; a form feed or U+2029 ends a paragraph
_BREAK = rf"(?>\r\n|[{LINE_BREAKS}])"
# Characters that show nothing and may sit inside a word: Unicode's default-ignorable ones. The soft
# hyphen (HTML's &shy;), zero-width space, non-joiner and joiner, word joiner and a byte-order mark
# in mid-text; the direction marks (LRM, RLM, ALM), embeddings, overrides and isolates; the
# combining grapheme joiner, the Mongolian vowel separator, the invisible operators of mathematics,
# variation selectors (U+FE00-U+FE0F, the Mongolian ones and the supplement's) and tag characters.
# Left in, they cut a word into fragments that read as odd words ("mis\u00adsupport" as "mis" and
# "support"; one between every two letters, a trick against filters, made a spun paragraph "not
# prose"); they are taken out of the tokens like line-end hyphenation, so offsets still point into
# the text. A bidirectional control changes no letter of a word, only, with right-to-left text, the
# order letters show in. Fillers that take a column (Hangul fillers, the braille blank) are not
# among them.
_INVISIBLE_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
    (0xE0100, 0xE01EF),
)
_INVISIBLE_CHARS = "".join(chr(code) for a, b in _INVISIBLE_RANGES for code in range(a, b + 1))
# The same as the inside of a regex character class, by ranges: as a list of single characters, the
# class was 100 times slower to search.
_INVISIBLE_CLASS = "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in _INVISIBLE_RANGES)
# A blank line holds nothing but spaces of any kind other than line breaks ("\n\u3000\n" is one),
# invisible characters (_INVISIBLE_CHARS) and e-mail quoting: ">" alone is the blank line between
# two quoted paragraphs (read as text, it made a quoted reply one paragraph per line). Possessive
# (nothing after it to backtrack for): a backtracking repeat held ~300 bytes per blank line of a run.
# It opens with the class of every character a match can start with, then tells them apart: a page
# break alone, or a line break (CR taking the LF after it, as _BREAK) and more lines. Written as
# "_BREAK(...)++|[\f\u2029]", the same matches, re tried the whole pattern at every character of
# the text, where a leading class lets it skip to the next break: 26 ns a character against 5, and
# score_text of the 2,225 BBC articles as one text 5 % faster.
_BLANK_LINE = re.compile(
    rf"[{LINE_BREAKS}\f\u2029](?:(?<=[\f\u2029])|(?:(?<=\r)\n)?+"
    rf"(?:(?:[^\S\n\r\v\f\x1c-\x1e\x85\u2028\u2029]|[{_INVISIBLE_CLASS}>])*+{_BREAK})++)"
)
_LINE = re.compile(r"[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")


@dataclass(frozen=True, slots=True)
class Span:
    """A slice ``text[start:end]`` of a larger text."""

    start: int
    end: int


# Control bytes that plain text does not hold (tab, newlines, form feed and escape are kept).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(text: str) -> str:
    """``text`` with each half of a surrogate pair standing alone read as U+FFFD, one for one
    (so offsets do not move). JSON can escape one ("\\ud83d" of a cut emoji); no output can
    encode it, and lxml stops reading a page at it."""
    return text if text.isascii() else _LONE_SURROGATE.sub("\ufffd", text)


def looks_binary(data: bytes) -> bool:
    """Guess whether raw bytes are binary rather than text.

    NUL bytes in a sample mean binary unless a UTF-16/32 byte-order mark says
    the file is wide text; so does a high share of control characters.
    """
    sample = data[:8192]
    if not sample:
        return False
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return False
    if b"\x00" in sample:
        return True
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return control / len(sample) > 0.05


def decode_bytes(data: bytes) -> tuple[str, bool]:
    """Decode bytes to text, honouring byte-order marks.

    Returns ``(text, had_errors)``; invalid UTF-8 is replaced with U+FFFD rather
    than raising, so a single bad byte never loses a document. Windows line
    endings become ``\\n``.
    """
    encoding = bom_encoding(data) or "utf-8"
    try:
        return _newlines(data.decode(encoding)), False
    except UnicodeDecodeError:
        return _newlines(data.decode(encoding, errors="replace")), True


# UTF-32's marks first: UTF-32LE's begins with UTF-16LE's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def bom_encoding(head: bytes) -> str | None:
    """The codec a byte-order mark at the start of ``head`` names (which drops the mark), or None."""
    return next((encoding for bom, encoding in _BOMS if head.startswith(bom)), None)


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# YAML front matter, as static-site generators put it at the top of a Markdown file: one
# paragraph of settings, which the detector does not score, rather than one per line (a
# "description: ..." line, scored alone, was flagged). It starts with a "key:" line, and every
# other line is a setting, an indented or list line, a comment or blank: prose set between two
# "---" rules at a page's top is paragraphs, not settings. Its lines may end in CRLF or CR, as
# split_paragraphs reads them (score_text gets strings as they come): matched on LF alone, a
# Windows file's front matter was read line by line and its "description: ..." scored as prose.
_EOL = r"(?:\r\n?|\n)"
_SETTING = rf"[A-Za-z_][\w.-]*[ \t]*:[^\r\n]*{_EOL}"
_FRONT_MATTER = re.compile(
    rf"\A\s*(---[ \t]*{_EOL}{_SETTING}"
    rf"(?:{_SETTING}|[ \t][^\r\n]*{_EOL}|-[ \t][^\r\n]*{_EOL}|#[^\r\n]*{_EOL}|{_EOL}){{0,199}}?"
    r"(?:---|\.\.\.)[ \t]*)(?=[\r\n]|\Z)"
)


def split_paragraphs(text: str) -> list[Span]:
    """Split text into paragraph spans with offsets into ``text``.

    Blank lines always separate paragraphs. Inside a block, each line is its
    own paragraph (web copies put one paragraph per line) unless the block is
    hard-wrapped (see :func:`_hard_wrapped_markers`). Front matter between "---"
    lines at the top is one paragraph.
    Leading and trailing whitespace is excluded from each span.
    """
    spans: list[Span] = []
    pos = 0
    front = _FRONT_MATTER.match(text)
    if front:
        spans.append(Span(front.start(1), front.end(1)))
        pos = front.end(1)
    for match in _BLANK_LINE.finditer(text, pos):
        _split_block(text, pos, match.start(), spans)
        pos = match.end()
    _split_block(text, pos, len(text), spans)
    return spans


def _split_block(text: str, start: int, end: int, out: list[Span]) -> None:
    stripped = ((m.start(), *_strip(text, m.start(), m.end())) for m in _LINE.finditer(text, start, end))
    indented = [(a - line_start, a, b) for line_start, a, b in stripped if b > a]
    if not indented:
        return
    lines = [(a, b) for _, a, b in indented]
    if len(lines) > 1:
        widths, indents = [b - a for a, b in lines], [indent for indent, _, _ in indented]
        if _INVISIBLE.search(text, lines[0][0], lines[-1][1]):  # widths as they show (see _shown)
            widths = [_shown(text[a:b]) for a, b in lines]
            indents = [_shown(text[a - indent : a]) for indent, a, _ in indented]
        markers = _hard_wrapped_markers(text, lines, widths)
        if markers is not None:
            out.extend(_wrapped_paragraphs(text, lines, markers, indents, widths))
            return
    out.extend(Span(a, b) for a, b in lines)


def _shown(text: str) -> int:
    """The columns ``text`` takes: its length without the invisible characters and combining
    accents that take none. Counted in, a text wrapped at 72 columns with one between every two
    letters (a spinner's output hidden from filters) had lines of ~140, so over 100: one paragraph
    per line, as web copies have it."""
    return len(text) if text.isascii() else len(_INVISIBLE.sub("", text))


def full_width(widths: list[int]) -> int:
    """The width lines were wrapped at: the 90th percentile of their lengths, so that one long
    heading or URL does not set it (shared by the plain-text, PDF and word-processor readers)."""
    ordered = sorted(widths)
    return ordered[int(0.9 * (len(ordered) - 1))]


def _wrapped_paragraphs(
    text: str,
    lines: list[tuple[int, int]],
    markers: list[str],
    indents: list[int] | None = None,
    widths: list[int] | None = None,
) -> list[Span]:
    """The paragraphs of a hard-wrapped block: a wrapped line runs nearly to the block's full
    width, so a line clearly shorter that ends a sentence ends its paragraph (text saved from a
    PDF or an e-mail often has no blank line between paragraphs), and a list item ("* ", "2. ")
    starts one. As a PDF's lines are read.

    A paragraph's last line can also run to the full width, and then only its next line's
    indent ("    Days after ...", as books, e-texts and papers set a paragraph's first line)
    tells where the paragraph ends: in a block that opens with such an indent, a line indented
    deeper than the block's other lines starts a paragraph (``indents``: each line's leading
    spaces; ``widths``: each line's width as it shows, by default its length; ``markers``: each
    line's list marker, as :func:`_hard_wrapped_markers` read them)."""
    widths = widths or [b - a for a, b in lines]
    full = full_width(widths) if len(lines) >= 3 else 0
    indents = indents or [0] * len(lines)
    usual = min(indents)  # a paragraph's other lines (a block of one- and two-line paragraphs is half indented)
    # Indents mark first lines only where the block opens with one: a hanging indent (a
    # glossary's entries) indents the further lines instead. So may a list item: within one,
    # an indent starts a paragraph only once the item's own further lines have shown they are
    # not indented.
    first_lines_indented = indents[0] > usual
    spans: list[Span] = []
    first = lines[0][0]
    in_item, item_hangs = bool(markers[0]), None  # None: no further line yet
    for (a, b), width, following, marker, indent, after in zip(
        lines,
        widths,
        [*lines[1:], None],
        [*markers[1:], ""],
        [*indents[1:], usual],
        [*indents[2:], indents[-1], indents[-1]],
    ):
        if following is None:
            spans.append(Span(first, b))
            continue
        short, ends_sentence = width < 0.8 * full, _SENTENCE_END.search(text, a, b)
        # an indented line followed by the body of its paragraph opens one whatever came before
        # (a photo credit that ends no sentence); a run of indented lines (a quotation) splits
        # only where a sentence ends or a line stops short
        opens = short or ends_sentence or after <= usual
        indented = first_lines_indented and indent > usual and opens and (not in_item or item_hangs is False)
        if (short and ends_sentence) or indented or _starts_item(text, (a, b), marker):
            spans.append(Span(first, b))
            first = following[0]
            in_item, item_hangs = bool(marker), None
        elif in_item and item_hangs is None:
            item_hangs = indent > usual
    return spans


def _starts_item(text: str, line: tuple[int, int], marker: str) -> bool:
    """Whether the next line, whose list marker (:func:`_list_marker_at`) is ``marker``, starts a
    list item after ``line``. A dash does only after a sentence ends: wrapped prose may put a spaced
    dash at a line's start ("... that it\\n- like every budget -"), which a bullet or a number rarely is."""
    if not marker:
        return False
    return marker not in "-\u2013" or bool(_SENTENCE_END.search(text, *line))


def _list_marker_at(text: str, at: int) -> str:
    """The first character of the list item's marker (``LIST_ITEM``) that starts at ``at``, or ""
    when none does; read as the tokens read it: through invisible characters and marks, as the
    line's width is (_shown), and styled, full-width or dotted ("(\u1e05) "). Struck
    ("1\u0331.\u0331 "), with one inside or styled ("\U0001d482) "), an item ran on with the line
    before it in a hard-wrapped block, where its plain form started a paragraph (fuzz.py). A
    marker is a few characters: 64 are enough. It ends at the line's first space, so only a line
    whose first word is not ASCII is read so, and without invisible characters or marks at its
    start, only its first seven characters: reading 64 characters of every line that held a curly
    quote or Cyrillic made split_paragraphs 3 times slower on hard-wrapped text so written. Nor is a
    word whose first seven characters are letters, quotes or CJK commas and full stops: read, none
    is a bullet, a digit or ")" (tests/test_text.py), one of which a marker needs; read so, lines
    of Cyrillic, CJK or Hangul made split_paragraphs 1.5-1.8 times slower than before markers were."""
    if LIST_ITEM.match(text, at):
        return text[at]
    word = _FIRST_WORD.match(text, at, at + 64)
    if word is None or word[0].isascii():  # (it always matches)
        return ""
    start = word[0][:7]
    if start.isalpha() or start.translate(_NO_MARKER_PUNCTUATION).isalpha():
        return ""
    head = text[at : min(word.end() + 1, at + 64)]
    if not _INVISIBLE.search(head, 0, 7):  # the marker in its first six characters, its space the next
        head = head[:7]
    read = _normalize_chars(_INVISIBLE.sub("", head).translate(_base_letters()).translate(_NO_FULL_STOPS))
    return read[0] if LIST_ITEM.match(read) else ""


# A line's first word, up to the space a list item's marker ends in (_list_marker_at)
_FIRST_WORD = re.compile(r"\S*")
# What house style reads as a full stop (_NORMALIZE_TABLE) but ends no list item's number: read as
# "1.", "2? No, the chair\u2019s aide said" was an item where "2? No, the chair's" was none
_NO_FULL_STOPS = str.maketrans(dict.fromkeys("!?\u2026\uff01\uff1f", ","))
# Quotes and CJK commas and full stops, read as letters to rule a marker out (_list_marker_at): none
# is read as a bullet, a digit or ")" (not "\u30fb", which is a bullet's lookalike)
_NO_MARKER_PUNCTUATION = str.maketrans(
    dict.fromkeys("\u2018\u2019\u201c\u201d\u201e\u00ab\u00bb\uff0c\u3001\u3002", "a")
)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """Without the spaces and invisible characters at either end (a line of only those is empty)."""
    while start < end and (text[start].isspace() or text[start] in _INVISIBLE_CHARS):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _INVISIBLE_CHARS):
        end -= 1
    return start, end


def _hard_wrapped_markers(text: str, lines: list[tuple[int, int]], widths: list[int] | None = None) -> list[str] | None:
    """Each line's list marker (:func:`_list_marker_at`, "" for none) when the block is
    hard-wrapped, else None: read here, where lists are told from wrapped text, and not again where
    the block is cut into paragraphs. A block is hard-wrapped when its lines are short, mostly run on, and were
    cut where the next line's first word would not have fitted; or when a word is
    hyphenated across two of its lines (see ``_SOFT_BREAK``), which a copy with
    one paragraph per line never does.

    The fit test keeps lists apart: a tag cloud, a menu or a list of headlines
    also has short lines that end no sentence, but most of them leave room for
    the next entry's first word, and a long list starts every entry in capitals
    where wrapped sentences go on in lower case. Merged, such a list read as one
    paragraph of odd word sequences and was flagged as spun. ``widths``: each line's width as it
    shows (see :func:`_shown`), by default its length.
    """
    if _SOFT_BREAK.search(text, lines[0][0], lines[-1][1]):
        return [_list_marker_at(text, a) for a, _ in lines]
    widths = widths or [b - a for a, b in lines]
    if max(widths) > 100:  # one paragraph per line, as web copies have it
        return None
    # The width the middle line reaches, not the widest: long URLs or headings, up to half of the
    # lines, do not set it (the median, rounded up: of two lines, the wider).
    full = sorted(widths)[math.ceil(0.5 * (len(widths) - 1))]
    if full < 15:  # a column of text is wider than a column of tags
        return None
    markers = [_list_marker_at(text, a) for a, _ in lines]
    if sum(map(bool, markers)) > 0.5 * len(lines):  # a list, not a wrapped text
        return None
    running_on = [
        (width, following)
        for (a, b), width, (following, _) in zip(lines, widths, lines[1:])
        if not _SENTENCE_END.search(text[a:b])
    ]
    if len(running_on) < 0.5 * (len(lines) - 1):
        return None
    # (every part of _NEXT_WORD may be empty: it matches anywhere)
    next_words = [_NEXT_WORD.match(text, following)[1] for _, following in running_on]  # type: ignore[index]
    wrapped = sum(width + 1 + _shown(word) > 0.85 * full for (width, _), word in zip(running_on, next_words))
    # Prose wrapped over five lines or more goes on in lower case somewhere (in every seed paragraph
    # wrapped at 20-80 characters); a list of headlines or a poem starts every line anew.
    goes_on_lower = any(word[:1].islower() for word in next_words)
    if not goes_on_lower and wrapped >= 0.9 * len(running_on):  # capitals throughout, filled to the width
        goes_on_lower = not any(c.islower() for c in text[lines[0][0] : lines[-1][1]])
    return markers if wrapped >= 0.7 * len(running_on) and (goes_on_lower or len(running_on) < 5) else None


# A list item's start: a bullet, "1." / "(2)" or "a)" / "(b)" (a PDF's lines use it too).
LIST_ITEM = re.compile(r"(?:[\u2022\u25e6\u25aa\u2023\u2219\u00b7*\u2013-]|\(?\d{1,3}[.)]|\(?[a-z]\))\s")

# A lettered list item's marker ("a) ", "(b) ") at the start of a paragraph, after any spaces. A
# number's ("1. ", "(2) ") reads as a number, as numbers are read anywhere; a bullet is no token.
_LEADING_ITEM = re.compile(r"\s*\(?[a-z]\)\s")
_LEADING_PARENTHESIZED = re.compile(r"\s*[\u249c-\u24b5]\s")

# A line's first word, after what may come before it within the line: e-mail quoting ("> "),
# quotes, brackets; not a table's "|", whose cells are no wrapped sentence. It ends at a Hangul
# filler too, which shows as a space (_HANGUL_FILLERS).
_NEXT_WORD = re.compile(rf"""[ \t>"'(\[\u2018\u201c]*([^\s{_HANGUL_FILLERS}]*)""")


# Typographic ligatures, common in text extracted from PDFs ("ﬁnd", "efﬁcient").
# They are expanded in the tokens, not in the text, whose offsets must stay
# those of the original; left alone, a paragraph full of them read as not English.
_LIGATURES = (
    ("\ufb00", "ff"),
    ("\ufb01", "fi"),
    ("\ufb02", "fl"),
    ("\ufb03", "ffi"),
    ("\ufb04", "ffl"),
    ("\ufb05", "st"),
    ("\ufb06", "st"),
)


def _expand_ligatures(text: str) -> str:
    for ligature, letters in _LIGATURES:
        text = text.replace(ligature, letters)
    return text


# A word hyphenated at a line end, as text copied from PDFs and hard-wrapped
# pages has it ("classi-\nfier"): a letter, a hyphen, the line break, a lowercase
# letter. Tokens are read with the break taken out, so the word is one token
# rather than two unknown halves; a compound broken at its own hyphen
# ("well-\nknown") becomes one word too, the price of the common case.
# A soft hyphen may stand for the hyphen, and invisible characters (_INVISIBLE) may sit around it;
# decomposed accents may end the first half ("re\u0301-\nsume\u0301").
_SOFT_BREAK = _LazyPattern(
    rf"(?<=[^\W\d_])[{_INVISIBLE_CLASS}\u0300-\u036f]*[-\u00ad][ \t{_INVISIBLE_CLASS}]*"
    rf"(?:\r\n?|[\n\v\x85\u2028])[ \t{_INVISIBLE_CLASS}]*(?=[a-z])"
)


# Combining accents after a letter are taken out the same way, and the letter before them becomes
# the precomposed letter (NFC) when there is one. Text in decomposed form (NFD: "e" then U+0301,
# as some PDFs and macOS file names have it) read "résumé" as the odd words "re" and "sume"; it
# reads as the same tokens as "résumé" written precomposed, and an evidence span still ends after
# the word's last accent. So are the other blocks of combining marks (the extended and supplementary
# diacritics, those for symbols, the half marks), and the marks that strike through or underline a
# letter ("s\u0336t\u0336r\u0336u\u0336c\u0336k\u0336", "u\u0332n\u0332d\u0332e\u0332r\u0332"), which
# compose with none: a spun paragraph with one on every letter, as "fancy text" generators write
# it, read each letter as a word, or was "not prose" (30 of 30). The generators put these after every
# character (_LINE_MARKS), and they are taken out after anything but a space: kept after an apostrophe,
# a digit or a full stop, they cut "Russia'\u0336s\u0336" to "russia s", "4\u03361\u03362\u0336" to three
# numbers and "U.S." apart. (Another mark after no letter, an accent, joins nothing.)
_COMBINING_RANGES = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))
_COMBINING = "".join(f"{chr(a)}-{chr(b)}" for a, b in _COMBINING_RANGES)
_COMBINING_CHARS = frozenset(chr(code) for a, b in _COMBINING_RANGES for code in range(a, b + 1))
_COMBINING_RUN = re.compile(f"[{_COMBINING}]+")
# A line that ends a sentence (hard-wrapped text), the marks and invisible characters after its full
# stop read through: struck or dotted short lines ("s\u0336a\u0336i\u0336d\u0336.\u0336") ran on,
# and were joined into one paragraph where the plain lines were each one
_SENTENCE_END = re.compile(f"[.!?:\u2026\"'\u201d\u2019)\\]][{_INVISIBLE_CLASS}{_COMBINING}]*\\s*$")
# the marks that strike through, overlay, underline or overline a character
_LINE_MARKS = frozenset("\u0305\u0332\u0333\u0334\u0335\u0336\u0337\u0338\u033f\u20d2\u20d3\u20e5\u20e6\u20eb")
# A word whose first three letters or more have the same mark after each ("\u1e6d\u1e25\u1eb9" written
# t, h, e, each and U+0323), as generators of "dotted" or "underlined" text write them: a mark that
# makes real letters with some of them (the dot below, the macron below, the cedilla, the diaeresis)
# made unknown words of them, so that a spun paragraph so written was "not English" (30 of 30). In a
# text where more than half of the words a mark is in (of three letters or more) are such words, it
# is read as _LINE_MARKS are, after any character but a space and composing with none (_decorations).
# No word of Vietnamese, French, Pinyin or Sanskrit ("Kr\u0323s\u0323n\u0323a") has the same mark on its
# first three letters; one of Yoruba may ("e\u0323s\u0323e\u0323"), but not more than half of a text's
# words with a dot (of its letters with a dot, the share counted before, half of a short sentence's
# could be: it lost its dots).
# (other marks and invisible characters may stand around each; those read through anyway are none)
# No letter is one of _MARKS, so what follows a letter's marks is the same whichever of them is
# taken: they are read possessively, and the first letter's mark is looked for among its first
# 32 only. Read back one at a time, a letter with 50,000 marks after it took 34 s (quadratic).
_MARKS = f"[{_INVISIBLE_CLASS}{_COMBINING}]"
_DECORATED_WORD = _LazyPattern(
    f"(?<![^\\W\\d_])[^\\W\\d_]{_MARKS}{{0,31}}?(?![{''.join(_LINE_MARKS)}])([{_COMBINING}]){_MARKS}*+"
    f"(?:[^\\W\\d_](?>{_MARKS}*?\\1){_MARKS}*+){{2,}}"
)
# One character class finds both; a run that starts with an accent is cut only after a letter (one
# of _LINE_MARKS after anything but a space), checked in Python (a lookbehind or an alternation in
# the pattern, or a second scan, slowed every non-ASCII paragraph by a tenth to a quarter).
# (one character, then the rest of the run: "[...]+" is the same matches, but re finds the start of
# a repeat by trying the pattern at every character, where it skips to one of a class, 11 ns a
# character of text against 7)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CLASS}{_COMBINING}][{_INVISIBLE_CLASS}{_COMBINING}]*")


# Letter-spaced text: "t h e  p l a n", or letters a hair or thin space apart and words a space
# apart, which shows nearly as plain text, or letters a no-break space apart (HTML's &nbsp;, which
# a page does not collapse as it collapses spaces). Each letter was a word: the paragraph was "not English",
# a spun one never scored. Where most characters stand one gap apart, with a wider or other gap
# between words, the gaps between two characters are read through; with one gap between letters
# and words alike, the words cannot be told apart, and the text is read as it is.
_LETTER_GAPS = " \u00a0\u2005\u2006\u2008\u2009\u200a\u202f"
_LETTER_GAP = {gap: re.compile(rf"(?<=\S){gap}(?=\S)") for gap in _LETTER_GAPS}
# the gaps no wider than a space, so no word gap between letters a space apart (_letter_gaps); not the
# four-per-em space, which Hangul fillers are read as (_STYLED_TABLE): one shows a wide blank, and
# between words of letters a space apart, so read, left every letter a word
_NARROW_GAPS = _LETTER_GAPS[1:].replace("\u2005", "")


def _letter_gaps(text: str, ascii_only: bool) -> list[tuple[int, int]]:
    """The gaps between the letters of letter-spaced words in ``text`` (see ``_LETTER_GAPS``), or []
    when it is not letter-spaced: a third or more of a letter-spaced text is gaps, a sixth of plain
    English, and in it most characters have a gap after them, where a word has one in five. The
    spaces between its words are not counted when its letters stand another gap apart, and outside
    ASCII a quarter will do, as its words may stand one wider space apart: letters a hair space
    apart with words three spaces apart were a fifth of the text, "I am a man" with letters a space
    and words an ideographic space apart 0.28, and both stayed letters. With letters a space apart,
    a lone no-break or narrower space shows no wider a gap between words: "U\u2009S\u2009A or U S A"
    was read "U S AORUSA"."""
    shown, letters = len(text), -1  # (the characters that are no space, counted once needed)
    for gap in " " if ascii_only else _LETTER_GAPS:
        count = text.count(gap)
        if (3 if ascii_only else 4) * count >= shown:
            if letters < 0:
                pieces = text.split()
                letters = sum(map(len, pieces))
            if 2 * count < letters:  # too few gaps, found or not: Korean's short words, a quarter of it spaces
                if gap == " ":
                    shown -= count
                continue
            gaps = [m.span() for m in _LETTER_GAP[gap].finditer(text)]
            word_gaps = len(pieces) - 1 - len(gaps)  # the other runs of spaces
            if gap == " " and not ascii_only:  # but a lone no-break or narrower space, no wider than a gap
                word_gaps -= sum(len(_LETTER_GAP[other].findall(text)) for other in _NARROW_GAPS)
            if len(gaps) >= 0.5 * letters and 20 * word_gaps >= len(gaps):
                return gaps
        if gap == " ":
            shown -= count
    return []


def _soft_break_runs(text: str) -> tuple[list[tuple[int, int]] | None, str]:
    """The (start, end) runs of ``text`` left when line-end hyphenation, invisible characters and
    the gaps of letter-spaced words are taken out (None when there are none), and ``text`` with
    each letter that decomposed accents follow made precomposed (the same length: the accents are
    among the cuts)."""
    ascii_only = text.isascii()
    cuts = []
    if ("-" in text or not ascii_only) and (
        "\n" in text or "\r" in text or "\u2028" in text or "\x85" in text or "\v" in text
    ):
        cuts = [m.span() for m in _SOFT_BREAK.finditer(text)]
    invisible = _letter_gaps(text, ascii_only)
    decorations = _LINE_MARKS
    if not ascii_only:
        spans = [m.span() for m in _INVISIBLE.finditer(text)]
        hidden = [text[a] in _INVISIBLE_CHARS for a, _ in spans]
        # marks that decorate every letter of a word (_DECORATED_WORD), read as _LINE_MARKS are, found
        # with the letters written precomposed decomposed (_PRECOMPOSED_RANGES); a run of marks may
        # start with an invisible character ("a\ufe0f\u0327")
        precomposed, side_by_side = _precomposed_letters()
        marked = not all(hidden) or bool(spans and _COMBINING_RUN.search(text))
        if marked or side_by_side.search(text):
            decorations = _decorations(text.translate(precomposed))
            text = _undecorated(text, decorations)
        # a web address, "//" or "www." split (_without_urls), or written with decorated letters
        # precomposed ("\u1e87\u1e87\u1e87.", as dotted text has it), which only now reads as one
        if (spans and _HIDDEN_ADDRESS.search(text)) or (
            decorations is not _LINE_MARKS and ("www." in text or "//" in text)
        ):
            text = _HIDDEN_ADDRESS_READ.sub(lambda m: " " * (m.end() - m.start()), text)
        invisible += [
            (a, b)
            for (a, b), shows_nothing in zip(spans, hidden)
            if shows_nothing
            or (a and (text[a - 1].isalpha() or (text[a] in decorations and not text[a - 1].isspace())))
        ]
    if invisible:  # in order, and one cut where a line-end hyphenation holds invisible characters
        merged: list[tuple[int, int]] = []
        for a, b in sorted(cuts + invisible):
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((a, b))
        cuts = merged
        text = _compose_accents(text, cuts, decorations)
    if not cuts:
        return None, text
    return list(zip([0] + [end for _, end in cuts], [start for start, _ in cuts] + [len(text)])), text


# A word carries one mark on every letter, seldom two: passes beyond these find nothing real, and
# each costs a scan of the text
_MAX_DECORATION_PASSES = 4
# A decoration marks whatever letters its words are written with; an alphabet marks a few: Yoruba's dot
# below is on e, o and s alone, so its words "ṣẹ̀ṣẹ̀" and "ẹ̀ṣẹ̀" carry it on every letter,
# and a Yoruba sentence (or such words quoted in English, which then scored higher) was read without its
# dots ("sese", "ese"). The decorated words of a text must hold at least this many different letters
# between them: one dotted "and" does, Yoruba's seldom do (all three of e, o and s in such words).
_DECORATED_LETTERS = 3
# a word of three letters or more, with the marks its letters carry
_WORD_AND_MARKS = _LazyPattern(f"(?:[^\\W\\d_]{_MARKS}*+){{3,}}+")
# A word whose first three letters or more each carry a mark, not the same: the "dotted" text of
# generators puts a dot above where Unicode has no letter with a dot below ("\u1e6d\u1e25\u1eb9
# \u1eb9\u1e8b\u1e57\u1eb9\u1e5b\u1e6d\u1e61"). Each letter is read atomically: backtracking into one
# letter's marks finds no other way on, and took quadratic time on a long run of them.
_MARKED_WORD = _LazyPattern(
    f"(?<![^\\W\\d_])(?>[^\\W\\d_]{_MARKS}*?(?![{''.join(_LINE_MARKS)}])[{_COMBINING}]{_MARKS}*+){{3,}}"
)


def _decorations(text: str) -> frozenset[str]:
    """_LINE_MARKS, and the marks of ``text`` that more than half of the words they are in (of three
    letters or more) carry on every letter (``_DECORATED_WORD``); those found are taken out before
    the next are looked for, as a word may carry two. In a text where some are found, a mark is one
    too when more than half of the words it is in are words whose first three letters or more each
    carry a mark, not the same (``_MARKED_WORD``)."""
    found, rest = _LINE_MARKS, text
    marked: Counter[str] = Counter()
    letters: set[str] = set()  # the letters the words so decorated are written with
    for _ in range(_MAX_DECORATION_PASSES):
        words = list(_DECORATED_WORD.finditer(rest))
        if not words:
            break
        decorated = Counter(word[1] for word in words)
        marked = marked or _words_marked(text)
        new = {mark for mark, count in decorated.items() if 2 * count > marked[mark]}
        if not new:
            break
        letters.update(c for word in words if word[1] in new for c in word.group().lower() if c.isalpha())
        found = found.union(new)
        rest = rest.translate(dict.fromkeys(map(ord, new)))
    if len(letters) < _DECORATED_LETTERS:
        return _LINE_MARKS
    in_words = Counter(chain.from_iterable(map(_COMBINING_CHARS.intersection, _MARKED_WORD.findall(text))))
    return found.union(mark for mark, words in in_words.items() if 2 * words > marked[mark])


def _words_marked(text: str) -> Counter[str]:
    """How many words of ``text`` of three letters or more (those that can be decorated) each
    combining mark is in: words, not letters, as a Yoruba word holds three dots below
    ("\u1eb9\u1e63\u1eb9"), and its letters held half of a short sentence's."""
    return Counter(chain.from_iterable(map(_COMBINING_CHARS.intersection, _WORD_AND_MARKS.findall(text))))


# Latin letters written with their marks as one character ("\u1ea1", "\u1e05", "\u1e61", "\u00eb"), as
# generators of "dotted" text write those that Unicode has (the others decomposed, or plain): each
# word was unknown, and a spun paragraph so written "not English" (30 of 30, with the dot below, dot
# above, macron below, diaeresis or acute). Decorated words are looked for in the text as if these
# were decomposed (NFD: the ASCII letter, then marks of _COMBINING), and a letter carrying a mark so
# found is read without it, one for one ("\u1ec7" with a decorating dot below as "\u00ea"). A text
# with no combining mark is looked at only when two such letters stand side by side (a decorated
# word has three marked letters in a row): most text with an accent has none.
_PRECOMPOSED_RANGES = ((0x00C0, 0x024F), (0x1E00, 0x1EFF))  # Latin-1 Supplement to Extended-B, Extended Additional


@cache
def _precomposed_letters() -> tuple[dict[int, str], re.Pattern[str]]:
    """Each Latin letter with marks as one character, and its decomposed form; and a pattern for
    two of them side by side, marks between them or not. Made when first used, as the patterns of
    the other rare paths are (_LazyPattern)."""
    table = {}
    for a, b in _PRECOMPOSED_RANGES:
        for code in range(a, b + 1):
            decomposed = unicodedata.normalize("NFD", chr(code))
            letter, marks = decomposed[0], set(decomposed[1:])
            if letter.isascii() and letter.isalpha() and marks and marks <= _COMBINING_CHARS:
                table[code] = decomposed
    letters = "".join(map(chr, table))
    return table, re.compile(f"[{letters}]{_MARKS}*+[{letters}]")


@cache
def _base_letters() -> dict[int, str]:
    """Each letter of ``_precomposed_letters`` as its ASCII letter alone, one for one: a web address
    in dotted text, written with such letters ("\u1e23\u1e6b\u1e6b\u1e57\u1e61:"), is found in
    them (detector._link_marks)."""
    return {code: decomposed[0] for code, decomposed in _precomposed_letters()[0].items()}


def _undecorated(text: str, decorations: frozenset[str]) -> str:
    """``text`` with each precomposed letter (``_precomposed_letters``) that carries one of
    ``decorations`` read without it, one for one: as the letter and its other marks compose."""
    if decorations is _LINE_MARKS:
        return text
    precomposed, _ = _precomposed_letters()
    plain = {}
    for code in map(ord, set(text)):
        if code in precomposed and not decorations.isdisjoint(precomposed[code][1:]):
            letter, marks = precomposed[code][0], precomposed[code][1:]
            kept = "".join(mark for mark in marks if mark not in decorations)
            plain[code] = unicodedata.normalize("NFC", letter + kept)[0]
    return text.translate(plain)


def _compose_accents(text: str, cuts: list[tuple[int, int]], decorations: frozenset[str] = _LINE_MARKS) -> str:
    """``text`` with the letter before each cut that starts with accents replaced by its
    precomposed form ("e" + U+0301 -> "é"), with none of ``decorations`` (see _DECORATED_WORD); the
    accents themselves are cut. A letter that NFC replaces alone (the Greek numeral sign U+0374, drawn
    as an apostrophe, by the modifier prime U+02B9; the Kelvin and Ohm signs) is replaced only when it
    composes with an accent: a strike through it made "Russia\u0374s" an unknown word."""
    fixes = []
    for a, b in cuts:
        if a and text[a] in _COMBINING_CHARS and text[a - 1].isalpha():
            accents = _COMBINING_RUN.match(text, a).group()  # type: ignore[union-attr]
            if len(decorations) > len(_LINE_MARKS):
                accents = "".join(accent for accent in accents if accent not in decorations)
            if len(accents) > 32:
                accents = _in_canonical_order(accents)
            composed = unicodedata.normalize("NFC", text[a - 1] + accents)
            if composed[0] != text[a - 1] and composed[0] != unicodedata.normalize("NFC", text[a - 1])[0]:
                fixes.append((a - 1, composed[0]))
    if not fixes:
        return text
    chars = list(text)
    for at, letter in fixes:
        chars[at] = letter
    return "".join(chars)


def _in_canonical_order(marks: str) -> str:
    """``marks`` in the order NFC puts them in: each run of marks of a combining class other than 0
    sorted (stably) by class. NFC sorts them one swap at a time: a letter with 50,000 marks of
    two classes in turn took 5 s, a megabyte of them minutes; given them sorted, it swaps none.
    (The marks of _COMBINING that decompose, to marks of their own class, keep their place.)"""
    classes = [unicodedata.combining(mark) for mark in marks]
    runs = list(accumulate(not combining for combining in classes))  # a class 0 mark starts a run
    return "".join(marks[i] for i in sorted(range(len(marks)), key=lambda i: (runs[i], classes[i])))


def _keep_runs(text: str, runs: list[tuple[int, int]] | None) -> str:
    return text if runs is None else "".join(text[a:b] for a, b in runs)


# Cyrillic and Greek letters drawn as Latin ones ("bridg\u0435" with a Cyrillic "e"), as plagiarists
# put them into a spun text to hide it from detectors: each such word was an unknown non-English
# token, so a few hid the swapped words around them (8 of 20 spun paragraphs no longer flagged with
# a fifth of their a/e/o/p/c so replaced) or flagged a clean paragraph, and many made it "not
# English". Only letters that look the same as a Latin one are read so, one for one (offsets do not
# move), and only in a word that holds a Latin letter and no other Greek or Cyrillic letter, which
# no word of Russian, Ukrainian or Greek does; then the trick is plain, and a word made of lookalikes
# alone (an "\u0430" for "a") in the same text is read so too, but among words of its own script that
# hold another letter of it (_fold_lookalike_words): a Russian "\u0441\u043e\u0440" in a Russian sentence
# beside a disguised English one was read as "cop". Elsewhere they keep their letters:
# in Greek or Cyrillic text, a Russian word quoted in English ("\u0441\u043e\u0440"), or a Greek
# letter used as a symbol ("\u03c1 = 0.4", "\u0397").
_LOOKALIKES = str.maketrans(
    "\u0430\u0441\u0501\u0435\u04bb\u0456\u0458\u04cf\u043e\u0440\u051b\u0455\u051d\u0445\u0443"
    "\u0410\u0412\u0421\u0415\u041d\u0406\u0408\u041a\u041c\u041e\u0420\u0405\u0422\u0425\u04ae\u051a\u051c"
    "\u03bf\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7",
    "acdehijlopqswxyABCEHIJKMOPSTXYQWoABEZHIKMNOPTYX",
)
_LOOKALIKE = "".join(map(chr, _LOOKALIKES))
_GREEK_OR_CYRILLIC = re.compile("[\u0370-\u052f]")
# Latin letters drawn as others: the phonetic alpha and script g ("w\u0251s", "bri\u0261ht") and the dotless
# i and j ("f\u0131nd"), as the same trick puts them in (24 of 30 spun paragraphs with every "a" so
# written were "not English", 15 of 30 with every "i"; with every "g", 5 of 20 flagged ones were no
# longer flagged). They are read as "a", "g", "i" and "j" in a word of ASCII letters and lookalikes holding both,
# and then alone too, as the Cyrillic ones are (_fold_latin_lookalikes): a word of other letters
# keeps them, as a phonetic transcription ("/\u0261\u028ad/") or Turkish (a word holding "\u015f", "\u011f",
# "\u00e7", "\u00f6" or "\u00fc"); a Turkish word of ASCII letters and "\u0131" ("Alt\u0131n") reads as it does
# in capitals ("ALTIN"), whose "I" lowercases to "i".
_LATIN_LOOKALIKES = str.maketrans("\u0251\u0261\u0131\u0237", "agij")
_LATIN_LOOKALIKE = "".join(map(chr, _LATIN_LOOKALIKES))
_LATIN_MIXED_WORD = _LazyPattern(
    f"(?<![^\\W\\d_])(?:[A-Za-z]++[{_LATIN_LOOKALIKE}]|[{_LATIN_LOOKALIKE}]++[A-Za-z])"
    f"[A-Za-z{_LATIN_LOOKALIKE}]*+(?![^\\W\\d_])"
)
_LATIN_LOOKALIKE_WORD = _LazyPattern(f"(?<![^\\W\\d_])[{_LATIN_LOOKALIKE}]++(?![^\\W\\d_])")
# (Latin letters, with these: a word holding one of them and a Cyrillic lookalike is read as Latin)
_LATIN = f"A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f{_LATIN_LOOKALIKE}"
# A word of Latin letters and lookalikes holding both; possessive, so linear in the word's length
_MIXED_WORD = _LazyPattern(
    f"(?<![^\\W\\d_])(?:[{_LATIN}]++[{_LOOKALIKE}]|[{_LOOKALIKE}]++[{_LATIN}])[{_LATIN}{_LOOKALIKE}]*+(?![^\\W\\d_])"
)
_LOOKALIKE_WORD = _LazyPattern(f"(?<![^\\W\\d_])[{_LOOKALIKE}]++(?![^\\W\\d_])")
# A run of Cyrillic words, or of Greek ones, with nothing but spaces, digits and punctuation between
# them; and a letter that is no lookalike (in such a run: one of its script's own)
_CYRILLIC = "\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f"
_GREEK = "\u0370-\u03ff\u1f00-\u1fff"
_SCRIPT_RUN = _LazyPattern(f"[{_CYRILLIC}]++(?:[\\W\\d_]++[{_CYRILLIC}]++)*+|[{_GREEK}]++(?:[\\W\\d_]++[{_GREEK}]++)*+")
_NOT_LOOKALIKE = _LazyPattern(f"[^\\W\\d_{_LOOKALIKE}]")


# Marks drawn as the apostrophe (Unicode's confusables of "'" among modifier letters, Greek, Armenian,
# Hebrew and NKo signs, and the reversed prime), as a trick against filters or by keyboards and
# converters: "don\ua78ct", "it\u02bbs", "city\u02c8s". A letter among them made one unknown word of
# "don\ua78ct", and of "time.\ua78c\ua78c" a word "\ua78c\ua78c"; a sign cut "it\u2035s" into the words
# "it" and "s": a paragraph with every apostrophe so replaced lost its contractions and possessives.
# Each is read as "'" (one for one; a run of them as one) where no letter of another script than
# the Latin touches it, so as "'" is read: in contractions, possessives, names ("O\u02bbBrien") and
# quotes ("Hawai\u02bbi" as "Hawai'i"); in a Greek, Armenian or Hebrew word (the Greek "\u03ba\u03b1\u03c4\u1fbf",
# the Armenian apostrophe, the Hebrew geresh) or after a phonetic letter ("pr\u0259\u02c8na\u028ans") it
# stays. A lookalike of a Latin letter (_LOOKALIKE) counts as Latin here, so that "it\ua78c\u0455" is
# read when its "\u0455" is. (The modifier apostrophe, the primes, the full-width apostrophe, "`" and
# "\u00b4" are read as "'" everywhere, by _NORMALIZE_TABLE.)
_APOSTROPHE_LIKE = (
    "\ua78c\u02bb\u02bd\u02be\u02bf\u02c8\u02ca\u02cb\u2035\u055a\u055d\u05f3\u0374\u0384"
    "\u1fbd\u1fbf\u1fef\u1ffd\u1ffe\u07f4\u07f5"
)
_LATIN_LIKE = f"{_LATIN}{_LOOKALIKE}"
# It starts with the character, not a lookbehind, so that the search skips to where one is.
_APOSTROPHE_LIKE_AT_WORD = _LazyPattern(
    f"[{_APOSTROPHE_LIKE}](?<!(?:[^\\W\\d_{_LATIN_LIKE}]|[{_APOSTROPHE_LIKE}]).)"
    f"[{_APOSTROPHE_LIKE}]*+(?![^\\W\\d_{_LATIN_LIKE}{_APOSTROPHE_LIKE}])"
)
# what calls for a look at the text's words: any of the above, or a Greek or Cyrillic letter
_TO_FOLD = re.compile(f"[\u0370-\u052f{_APOSTROPHE_LIKE}{_LATIN_LOOKALIKE}]")


def _to_latin(match: re.Match) -> str:
    return match.group().translate(_LOOKALIKES)


def _to_ascii(match: re.Match) -> str:
    return match.group().translate(_LATIN_LOOKALIKES)


def _to_apostrophes(match: re.Match) -> str:
    return "'" * (match.end() - match.start())


def _fold_lookalikes(text: str) -> str:
    """``text`` with the Greek, Cyrillic and other Latin letters drawn as ASCII ones read as those,
    where they stand for them (see ``_LOOKALIKES`` and ``_LATIN_LOOKALIKES``), and the marks drawn
    as an apostrophe read as "'" in Latin words (see ``_APOSTROPHE_LIKE``)."""
    if text.isascii() or not _TO_FOLD.search(text):
        return text
    text = _APOSTROPHE_LIKE_AT_WORD.sub(_to_apostrophes, text)
    if _GREEK_OR_CYRILLIC.search(text):
        folded, mixed = _MIXED_WORD.subn(_to_latin, text)
        if mixed:
            text = _fold_lookalike_words(folded)
    return _fold_latin_lookalikes(text)


def _fold_lookalike_words(text: str) -> str:
    """``text`` with each word of lookalikes alone read as Latin letters, but in a run of words of
    its script that holds another letter of that script (``_SCRIPT_RUN``): Russian or Greek text."""
    own = [m.span() for m in _SCRIPT_RUN.finditer(text) if _NOT_LOOKALIKE.search(m.group())]
    starts = [a for a, _ in own]

    def fold(match: re.Match) -> str:
        at = bisect_right(starts, match.start()) - 1
        return match.group() if at >= 0 and match.start() < own[at][1] else _to_latin(match)

    return _LOOKALIKE_WORD.sub(fold, text)


def _fold_latin_lookalikes(text: str) -> str:
    """``text`` with the Latin letters drawn as ASCII ones read as those (``_LATIN_LOOKALIKES``)."""
    if not any(letter in text for letter in _LATIN_LOOKALIKE):
        return text
    folded, mixed = _LATIN_MIXED_WORD.subn(_to_ascii, text)
    return _LATIN_LOOKALIKE_WORD.sub(_to_ascii, folded) if mixed else text


# The pairs that replace an ASCII character, as a bytes table: an ASCII text (nearly every one) is
# translated in one pass of bytes.translate, 2.4 times faster than the 28 replacements.
_ASCII_NORMALIZE_BYTES = bytes.maketrans(
    "".join(old for old, _ in _NORMALIZE_PAIRS if old.isascii()).encode("ascii"),
    "".join(new for old, new in _NORMALIZE_PAIRS if old.isascii()).encode("ascii"),
)


def _normalize_chars(text: str) -> str:
    """``text.translate(_NORMALIZE_TABLE)``, faster (see ``_NORMALIZE_PAIRS``)."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_NORMALIZE_BYTES).decode("ascii")
    if _MAY_BE_STYLED.search(text) and _STYLED.search(text):  # the first test three times faster
        if ("\u115f" in text or "\u1160" in text) and _SYLLABLE_FILLER.search(text):
            text = _styled_but_syllables(text)
        else:
            text = text.translate(_STYLED_TABLE)
        if "\U0001f1e6" <= max(text):  # a regional indicator letter, perhaps (see _LONE_REGIONAL)
            text = _LONE_REGIONAL.sub(_regional_letter, text)
    for old, new in _NORMALIZE_PAIRS:
        text = text.replace(old, new)
    return text


def _styled_but_syllables(text: str) -> str:
    """``text.translate(_STYLED_TABLE)`` but for the Hangul fillers inside a syllable (_SYLLABLE_FILLER)."""
    pieces = _SYLLABLE_FILLER.split(text)
    kept = _SYLLABLE_FILLER.findall(text)
    return "".join(chain.from_iterable(zip([piece.translate(_STYLED_TABLE) for piece in pieces], [*kept, ""])))


def _regional_letter(match: re.Match) -> str:
    return chr(ord(match.group()) - 0x1F1E6 + ord("A"))


def _without_list_marker(text: str, given: str) -> str:
    """``text`` with the letter that opens it as a list item ("a) ", "(b) ") read as spaces, one for
    one. Left in, it was read as a word ("a) The plan ..." as "a the plan", "i) We ..." as "i we"):
    a clean item scored up to 0.85 higher than the same paragraph without its marker. ``given``: the
    text before _normalize_chars, which reads a parenthesized letter ("\u249c ") as a letter."""
    item = _LEADING_ITEM.match(text) or (None if given.isascii() else _LEADING_PARENTHESIZED.match(given))
    return text if item is None else " " * item.end() + text[item.end() :]


# A web address in running text ("Read more: https://...", a Markdown link's "(https://...)"), up to
# the punctuation that may follow it. Invisible characters may sit in it (_INVISIBLE_CHARS), as posts
# put a zero-width space in "www\u200b.example.com" or "https\u200b://" to stop it being made a link,
# or a spinner between every two characters: read as words, such an address put "https www example
# com" into the paragraph (a clean one so scored up to 0.44 higher; 0.77 with one between every two).
# So may combining marks, as generators strike through or underline every character
# ("w\u0336w\u0336w\u0336.\u0336"): the marks a last character carries belong to it, and the full
# stop after it, struck too, is no part of the address. A Hangul filler, a space as it shows
# (_HANGUL_FILLERS), may stand before or after it. A scheme ("https", with what may sit in it) is
# read up to 32 characters: unbounded, the search for one ran on from every word of a long run of
# letters and full stops ("a.a.a. ... //") to its end, quadratic time (100 kB took 37 s to tokenize).
_I = f"[{_INVISIBLE_CLASS}{_COMBINING}]*"
_AT_WORD = rf"(?<![^\W{_HANGUL_FILLERS}])"
WEB_ADDRESS_IN_TEXT = _LazyPattern(
    rf"(?:{_AT_WORD}[a-z][a-z+.{_INVISIBLE_CLASS}{_COMBINING}-]{{0,31}}:{_I}/{_I}/|{_AT_WORD}w{_I}w{_I}w{_I}\.)"
    rf"[^\s<>\"'()\[\]{{}}\u201c\u201d{_HANGUL_FILLERS}]*"
    rf"[^\s<>\"'()\[\]{{}}\u201c\u201d.,;:!?{_HANGUL_FILLERS}{_COMBINING}][{_COMBINING}]*+",
    re.I,
)
# Where a web address with invisible characters or marks may be, "//" and "www." split: one between
# two slashes, or after a "w"
_HIDDEN_ADDRESS = _LazyPattern(f"[/:w][{_INVISIBLE_CLASS}{_COMBINING}]+[/w.]", re.I)
# Such an address once _normalize_chars has read ":" as ","; blanked where the tokens find invisible
# characters or marks (_soft_break_runs), which no search of every text need look for
_HIDDEN_ADDRESS_READ = _LazyPattern(
    rf"(?:\b[a-z][a-z+.{_INVISIBLE_CLASS}{_COMBINING}-]{{0,31}}[:,]{_I}/{_I}/|\bw{_I}w{_I}w{_I}\.)"
    rf"[^\s<>\"'()\[\]{{}}]*[^\s<>\"'()\[\]{{}}.,{_COMBINING}][{_COMBINING}]*+",
    re.I,
)
# A web address letter-spaced ("w w w . e x a m p l e . c o m", "h t t p s : / / ..."), each
# character one gap from the next (one of _LETTER_GAPS or a Hangul filler, the same throughout; with
# invisible characters or marks beside it, or spaced out like characters), in plain text too: read
# as words, its letters put "w w w e x a m p l e" into the paragraph (a clean one so scored 0.04
# higher on average, up to 0.46). It ends where a character has no gap after it, at the next word
# or a wider gap (as in a paragraph letter-spaced throughout), with the punctuation that may follow
# it left out (_blank_spaced_address); a word of one letter right after it is taken for part of it.
# A scheme is read up to 16 letters, as above, and not from inside a run of letters a gap apart: from
# each letter of a letter-spaced paragraph, the search took six times as long as the paragraph's tokens.
# (A Hangul filler so spaced out, put for a space before the text was letter-spaced, is no letter of it.)
_GAP = f"[{_LETTER_GAPS}{_HANGUL_FILLERS}]"
_CLOSING = r".,;:!?)\]\"'\u201d\u2019"  # what may follow its last character without a gap
# what calls for that search: "//" or "ww" so spaced, the gap in group 2 (in text with other gaps than a space)
_SPACED_ADDRESS_START = _LazyPattern(rf"([/w]){_MARKS}*({_GAP})(?:{_MARKS}++\2)*+{_MARKS}*\1")


@cache
def _spaced_address(gap: str) -> re.Pattern[str]:
    """The pattern of a web address letter-spaced with ``gap`` (see above)."""
    spacing = rf"{_MARKS}*{gap}(?:{_MARKS}++{gap})*+{_MARKS}*"  # between two characters
    return re.compile(
        rf"{_AT_WORD}(?<!{gap}[^\W_{_HANGUL_FILLERS}]{gap})"
        rf"(?:[a-z](?:{spacing}[a-z+.-]){{0,15}}{spacing}:{spacing}/{spacing}/|w{spacing}w{spacing}w{spacing}\.)"
        rf"(?:{spacing}[^\s<>\"'()\[\]{{}}\u201c\u201d{_HANGUL_FILLERS}{_INVISIBLE_CLASS}{_COMBINING}]"
        rf"(?![^\s{_HANGUL_FILLERS}{_CLOSING}{_INVISIBLE_CLASS}{_COMBINING}]))*+",
        re.I,
    )


_SPACED_ADDRESS_TAIL = frozenset(_LETTER_GAPS + _HANGUL_FILLERS + _INVISIBLE_CHARS)
_NOT_A_GAP = _LazyPattern(f"[^{_LETTER_GAPS}{_HANGUL_FILLERS}]")


def _may_hold_address(text: str) -> bool:
    """Whether ``text`` may hold a web address (``WEB_ADDRESS_IN_TEXT``): a cheap test first."""
    return "//" in text or "www." in text or (not text.isascii() and bool(_HIDDEN_ADDRESS.search(text)))


def _without_urls(text: str) -> str:
    """``text`` with each web address in it read as spaces, one for one. Left in, its pieces
    ("https www example com news story 0") read as a run of odd words: a clean paragraph with one
    Markdown link or "Read more:" address scored 0.05 higher on average, and up to 0.57. (One with
    "//" or "www." split by invisible characters or marks is read so by _soft_break_runs.)"""
    if "//" in text or "www." in text:
        text = WEB_ADDRESS_IN_TEXT.sub(lambda m: " " * (m.end() - m.start()), text)
    for gap in _spaced_address_gaps(text):
        text = _spaced_address(gap).sub(_blank_spaced_address, text)
    return text


def _spaced_address_gaps(text: str) -> Iterable[str]:
    """The gaps a web address in ``text`` may be letter-spaced with (``_spaced_address``), in one
    order: two addresses spaced with different gaps can share a character ("w w w . a\u00a0:\u00a0/"),
    and the first read takes it; in a set's order, that changed with PYTHONHASHSEED from run to run."""
    if text.isascii():
        return " " if "/ /" in text or "w w w" in text else ""
    return sorted({match[2] for match in _SPACED_ADDRESS_START.finditer(text)})


def _blank_spaced_address(match: re.Match) -> str:
    """A letter-spaced web address (``_spaced_address``) as spaces, but the punctuation that ends it
    a gap after the character before, with its marks: "w w w . x . c o m ." keeps its full stop. Its
    gaps are kept: in a paragraph letter-spaced throughout, a long address as spaces left too few
    gaps for the paragraph to be read as letter-spaced (_letter_gaps)."""
    address = match.group()
    end = len(address)
    while True:
        at = end
        while address[at - 1] in _COMBINING_CHARS:
            at -= 1
        if address[at - 1] not in ".,;:!?":
            break
        at -= 1
        while address[at - 1] in _SPACED_ADDRESS_TAIL:
            at -= 1
        end = at
    return _NOT_A_GAP.sub(" ", address[:end]) + address[end:]


def _without_styled_urls(read: str, given: str) -> str:
    """``read`` (``given`` as _without_urls and _normalize_chars leave it) with each web address that
    ``given`` writes in styled or full-width letters ("\U0001d430\U0001d430\U0001d430.",
    "\uff48\uff54\uff54\uff50\uff53\uff1a\uff0f\uff0f") as spaces, one for one: found in ``given``
    with its letters read as plain ones, as _without_urls may have taken the rest of it in ASCII and
    left a styled scheme ("\U0001d4fc://www...") or part of one. Read as words, a full-width address raised a clean
    paragraph's score by 0.34 on average and up to 0.72. One without such letters (in ASCII, with
    invisible characters or marks: _soft_break_runs reads those), and one _without_urls took whole,
    are left as they are. "!", "?" and "\u2026" are read as no full stop: "\uff57\uff57\uff57\uff01great"
    (laughter) was "www." and an address."""
    pieces, at = [], 0
    for match in _HIDDEN_ADDRESS_READ.finditer(_normalize_chars(given.translate(_NO_FULL_STOPS))):
        a, b = match.span()
        if read[a] != " " and _STYLED.search(given, a, b):
            pieces += [read[at:a], " " * (b - a)]
            at = b
    return "".join(pieces) + read[at:] if pieces else read


def _read_runs(text: str) -> tuple[list[tuple[int, int]] | None, str]:
    """What the tokenizer reads, and the runs of ``text`` it is joined from (None when it is read one
    for one): ``text`` with house style normalised and what is no word of it (a list marker, web
    addresses) read as spaces, one for one, then the runs left when soft breaks, invisible characters,
    decorating marks and letter gaps are taken out (_soft_break_runs) joined, lookalikes folded. A
    list marker so disguised ("\u180f(b) ", "(b\u033f) ") shows only once they are joined, and is read
    as spaces then: read as a word, a short list item disguised scored 0.31, plain 0.09 (fuzz.py)."""
    read = _normalize_chars(_without_urls(text))
    # an address in styled letters, perhaps, or one whose scheme is ("h\u200b\uff54tp://": cut at "p")
    if not text.isascii() and ("/" in text or "/" in read or "www." in read):
        read = _without_styled_urls(read, text)
    unmarked = _without_list_marker(read, text)
    runs, kept = _soft_break_runs(unmarked)
    joined = _fold_lookalikes(_keep_runs(kept, runs))
    if unmarked is read and joined != unmarked:  # no marker before they were joined, and the join changed it
        # (a parenthesized letter is looked for in the text as given, so joined: "\u200b\u249c ")
        joined = _without_list_marker(joined, _keep_runs(text, runs))
    return runs, joined


def normalize(text: str) -> str:
    """Lowercase and map style variants onto one form, as the tokens are (ligatures
    expanded, styled and lookalike letters read as Latin ones, decomposed accents composed, and
    line-end hyphenation, invisible characters, other combining marks and the gaps of letter-spaced
    text taken out; web addresses read as spaces)."""
    return _expand_ligatures(_read_runs(text)[1].lower())


def tokenize(text: str) -> list[str]:
    """Normalised tokens of ``text`` (no offsets); the same tokens as :func:`tokenize_cased`."""
    return tokenize_cased(text)[0]


_CASED_PATTERN = re.compile(TOKEN_PATTERN.pattern, re.IGNORECASE)
# The token rules as one group: re.split then returns tokens and the text between them.
_SPLIT_PATTERN = re.compile(f"({TOKEN_PATTERN.pattern})")
_CASED_SPLIT_PATTERN = re.compile(_SPLIT_PATTERN.pattern, re.IGNORECASE)
# The same rules for ASCII text (nearly all), compiled with re.ASCII: on ASCII characters \w, \d
# and case folding mean what they mean without it, so the tokens are the same, found a fifth faster.
_CASED_ASCII_PATTERN = re.compile(TOKEN_PATTERN.pattern, re.IGNORECASE | re.ASCII)
_SPLIT_ASCII_PATTERN = re.compile(_SPLIT_PATTERN.pattern, re.ASCII)


def tokenize_cased(text: str) -> tuple[list[str], np.ndarray]:
    """Normalised tokens plus whether each began with a capital letter in ``text``.

    Capitals tell names ("Lu", "Texas") from common words, which the
    lowercased tokens cannot. In a text without a lowercase letter (a wire
    story or a heading in capitals) they tell nothing, and no token is marked:
    marked, every word looked like a name set among common words, and such a
    clean paragraph scored as if half spun.
    """
    return tokenize_cased_many([text])[0]


def tokenize_cased_many(texts: Iterable[str]) -> list[tuple[list[str], np.ndarray]]:
    """:func:`tokenize_cased` of each text.

    Lowercasing and the capital test run once on the joined tokens of all
    texts: per text, their fixed cost was a fifth of tokenizing.
    """
    tokens, capitals, ends = _tokenize_group(texts)
    return [(list(tokens[a:b]), capitals[a:b]) for a, b in zip([0, *ends], ends)]


def _tokenize_group(texts: Iterable[str]) -> tuple[tuple[str, ...], np.ndarray, list[int]]:
    """The tokens of all ``texts`` in one tuple, whether each is capitalised, and where each text's
    tokens end: :func:`tokenize_cased_many` before it cuts them per text, for the detector.

    The detector holds its texts' tokens as slices of the tuple: a tuple of strings leaves the
    garbage collector's lists at the first collection it survives, where a list is traversed,
    item by item, by every collection of its generation. The token lists of a group of
    paragraphs, held while it is scored, made the collections 4 % of the time of scoring (2 %
    with tuples).
    """
    texts = list(texts)
    flat: list[str] = []
    counts, in_capitals = [], []
    for text in texts:
        read = _read_runs(text)[1]
        tokens = (_CASED_ASCII_PATTERN if read.isascii() else _CASED_PATTERN).findall(read)
        flat += tokens
        counts.append(len(tokens))
        # all in capitals (see tokenize_cased); squared letters ("\U0001f130") have no case to
        # Unicode, and a text of them, in capitals as read, was read as every word capitalised; the
        # saltillo read as an apostrophe ("TRUMAN\ua78cS", _APOSTROPHE_LIKE) is a small letter to it
        in_capitals.append(
            text.isupper()
            or (not text.isascii() and read.isupper() and (bool(_STYLED.search(text)) or "\ua78c" in text))
        )
    cased = "\x00".join(flat)
    if flat and cased.isascii():
        # a token's first character is a capital when it is A-Z, read off the joined bytes (no token
        # holds "\x00"): 2.5 times faster than str.isupper of an array of first characters
        codes = np.frombuffer(cased.encode("ascii"), np.uint8)
        firsts = codes[np.concatenate(([0], np.flatnonzero(codes == 0) + 1))]
        capitals = (firsts >= 65) & (firsts <= 90)
    else:
        capitals = np.char.isupper(np.array(flat, dtype="<U1"))
    joined = cased.lower()
    if not joined.isascii():
        joined = _expand_ligatures(joined)
    lowered = tuple(joined.split("\x00"))
    if len(lowered) != len(flat):
        lowered = tuple(_expand_ligatures(t.lower()) for t in flat)
    ends = list(accumulate(counts))
    for upper, a, b in zip(in_capitals, [0, *ends[:-1]], ends):
        if upper:
            capitals[a:b] = False
    return lowered, capitals, ends


def tokenize_with_offsets(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Tokens with ``(start, end)`` character offsets into ``text``."""
    tokens, spans = token_spans(text)
    starts, ends = spans.T.tolist()
    return tokens, list(zip(starts, ends))


def token_spans(text: str) -> tuple[list[str], np.ndarray]:
    """Tokens with their character offsets into ``text`` as an (n, 2) array of starts and ends.

    ``str.lower`` can change the length of a few characters (for example the
    Turkish dotted capital I), or lower a capital sigma by its context; then
    each token is lowercased on its own so that offsets still point into the
    original and the tokens are those of :func:`tokenize`. Offsets come from the lengths of
    the pieces ``re.split`` returns (the text between tokens, then a token,
    ...), not from a match object per token; an array, not a tuple per token,
    for callers that need a few of them.
    """
    tokens, bounds = _token_bounds(text)
    return tokens, np.array(bounds, dtype=np.intp).reshape(-1, 2)


def _token_bounds(text: str) -> tuple[list[str], list[int]]:
    """:func:`token_spans` with the offsets as one list, start and end of each token in turn: the
    evidence reads a few of them, and making the array cost it more than finding the tokens."""
    runs, translated = _read_runs(text)
    lowered = translated.lower()
    # A capital sigma lowers to final "ς" or "σ" by what follows it, in the text as in a token alone
    # (tokenize): "ΧΑΟΣ's" was "χαοσ" here and "χαος" there.
    if len(lowered) == len(translated) and "\u03a3" not in translated:
        pieces = (_SPLIT_ASCII_PATTERN if lowered.isascii() else _SPLIT_PATTERN).split(lowered)
        tokens = pieces[1::2]
    else:
        pieces = _CASED_SPLIT_PATTERN.split(translated)
        tokens = [t.lower() for t in pieces[1::2]]
    if not translated.isascii() and any(ligature in translated for ligature, _ in _LIGATURES):
        tokens = [_expand_ligatures(t) for t in tokens]
    bounds = list(accumulate(map(len, pieces)))
    del bounds[-1]  # the end of the text after the last token
    if runs is not None and bounds:  # back to offsets in the text as given
        spans = np.array(bounds, dtype=np.intp).reshape(-1, 2)
        positions = np.concatenate([np.arange(a, b) for a, b in runs])
        spans = np.stack([positions[spans[:, 0]], positions[spans[:, 1] - 1] + 1], axis=1)
        if _COMBINING_RUN.search(text):  # a word's last accents belong to it
            spans[:, 1] = _past_combining(text)[spans[:, 1]]
        bounds = spans.ravel().tolist()
    return tokens, bounds


def _past_combining(text: str) -> np.ndarray:
    """For each offset into ``text`` (and its end), the first offset at or after it that is not a
    combining accent."""
    accent = np.zeros(len(text) + 1, bool)
    for match in _COMBINING_RUN.finditer(text):
        accent[match.start() : match.end()] = True
    offsets = np.arange(len(text) + 1)
    offsets[accent] = len(text)
    return np.minimum.accumulate(offsets[::-1])[::-1]


_INITIALISM_LETTERS = 4  # "US", "UK", "USA", "NATO"


def match_case(word: str, original: str) -> str:
    """``word`` in the case of the ``original`` it replaces: "Highest" -> "Top", "HIGHEST" -> "TOP",
    "A" -> "The" (one capital letter is a capitalised word, not an all-caps one). A ``word`` that
    has capitals of its own keeps them: "britain" -> "UK", "Britain" -> "UK", and after an
    initialism too ("US" -> "United States", not "UNITED STATES": a short capital word is a name
    written so more often than shouting)."""
    if original.isupper() and len(original) > 1:
        if word != word.lower() and len(original) <= _INITIALISM_LETTERS and original.isalpha():
            return word
        return word.upper()
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
