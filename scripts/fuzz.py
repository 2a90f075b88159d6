#!/usr/bin/env python3
"""Throw hostile input at spincheck and count crashes and broken promises.

Usage (from the repository root)::

    python scripts/fuzz.py                     # 10,000 cases, seed 0, library + CLI
    python scripts/fuzz.py --cases 500 --seed 7
    python scripts/fuzz.py --only 1234         # rerun one case and print it
    python scripts/fuzz.py --json fuzz.json --save /tmp/fuzz-failures
    python scripts/fuzz.py --seeds lines.txt --min-seed-words 1   # short seeds: headlines, list items

Each case is drawn from its own ``random.Random(f"{seed}:{index}")``, so any
case can be rerun alone with ``--only``. Kinds of input: random bytes (decoded
with :func:`spincheck.text.decode_bytes`), random odd code points (combining
marks, bidi controls, zero-width and line/paragraph separators, noncharacters,
private use, astral planes, case-changing letters such as "İ" and "ﬁ"),
mutated English paragraphs, huge repeated tokens, very long words, only
punctuation, mixed scripts, NUL bytes, lone CRs and byte-order marks; and English
disguised with what the text stage reads through, at random and in part
(invisible characters inside words, numbers and web addresses, at line ends and
around punctuation; Cyrillic, Greek and Latin lookalikes; styled, struck (or dotted,
precomposed too) and letter-spaced letters; Hangul fillers for spaces or between letters; apostrophe
lookalikes; blank lines of invisible characters).

Each case goes through ``Detector.score_text``, then its paragraphs through
``Detector.score_paragraphs``, and 40 % of the cases also as raw lines
(empty and whitespace-only ones included); a fifth of the cases run with
``explain=True``. The results are checked:

- one result per paragraph; probability finite and in [0, 1];
  ``spun`` in {True, False, None}; ``reason`` given exactly when not scored;
  ``spun == (probability >= threshold)`` when scored, unless ``by_context``
  (then ``CONTEXT_P <= probability < threshold``);
- every evidence span inside its paragraph, ``paragraph[start:end] == phrase``,
  strength in [0, 1], at most ``MAX_EVIDENCE`` of them;
- ``score_text``: paragraph spans in order, not overlapping, inside the text,
  stripped, with ``text[start:end] == paragraph.text``; and the same
  paragraphs through ``score_paragraphs`` and ``apply_document_context``
  give the same results;
- ``score_documents`` (a fifth of the cases, with an empty and a half text
  beside): the same checks, and the same results as ``score_text``.
- a disguised text whose tricks docs/input.md all says are read through scores as
  the plain text does (the same paragraphs and results); cut into chunks at blank
  lines as a streamed file is, a disguised text or page gives the whole text's
  paragraphs.

If ``spincheck.cli`` exists, the cases are also written to temporary files
(``.txt``, ``.md``, ``.html``, ``.jsonl``, ``.pdf``, ``.docx``, ``.odt``, ``.rtf``, ``.epub``, no suffix;
as text or raw bytes, a web page's lines now and then kept apart by ``<br>`` with navigation left
open, some compressed with gzip, bzip2 or xz and some of those cut short) and
run through ``spincheck.cli.main(["score", ...])`` in groups, plus ``explain``
and ``compare`` (against another case of the group) on a sample and ``score -``
on stdin, in-process. A CLI crash is an exception
escaping ``main`` or the CLI's own "this is a bug in spincheck" message; an
exit status outside {0, 1, 2}, or 2 without an error message, is a violation.

Crashing inputs are shrunk (greedy chunk deletion) and, with ``--save``,
written to files. Exit status: 0 when nothing failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import bz2
import contextlib
import gzip
import io
import json
import lzma
import math
import random
import re
import sys
import tempfile
import time
import traceback
import unicodedata
import xml.sax.saxutils
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from script_args import check_output_dir, load_detector, positive_int  # noqa: E402

import spincheck  # noqa: E402
from spincheck.detector import CONTEXT_P, MAX_EVIDENCE, Evidence, Result  # noqa: E402
from spincheck import inputs  # noqa: E402
from spincheck.text import _BLANK_LINE, decode_bytes, looks_binary, split_paragraphs  # noqa: E402

SEEDS = [
    "Secretary of State Antony Blinken is heading to Central Asia hoping that greater U.S. engagement will "
    "reassure former Soviet republics rattled by the war, although Russia's historic clout limits the extent "
    "of cooperation.",
    "Days after the anniversary of the invasion, the top U.S. diplomat will hold talks on Tuesday in Kazakhstan "
    "and then Uzbekistan and meet jointly with foreign ministers of all five states in the capital.",
    '"We have something to offer in terms of engagement economically, but we also have something to offer in '
    'terms of the values that we bring to the table," Lu told reporters.',
    "The central bank said on Thursday it would keep its key interest rate at 4.5 percent for the time being, "
    "citing weak demand and falling energy costs in the first half of the year.",
    "Farmers in the region have been hit hard by the drought, and many say they can't afford to plant this "
    "season. Prices for wheat have fallen sharply over the past year because of weak demand from China.",
    "Net profit for the year rose to 412.5 million dollars from 388.1 million a year earlier, the company said "
    "in a statement, adding that it planned to sell its shipping unit and use the money to reduce its debt.",
    "It was the third time this year that the statistics office had raised its estimate of industrial output; "
    "analysts said the figures showed the economy was growing faster than most economists had expected!",
    "Officials in Geneva said the talks had made good progress but that several issues were still open, "
    "including the cost of the agreement and who would pay for it.",
    # spun versions, as a content farm would publish them
    "Secretary of State Antony Blinken is heading to Central Asia hoping that larger US engagement will "
    "reassure former Soviet republics rattled by the conflict, though Russia's historic clout limits the extent "
    "of cooperation.",
    "Days after the anniversary of the invasion, the highest US diplomat will maintain talks on Tuesday in "
    "Kazakhstan after which Uzbekistan and meet collectively with overseas ministers of all 5 states.",
]

ODD_CHARS = (
    "\u0301\u0308\u0327\u20dd"  # combining marks
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width, word joiner, BOM
    "\u202e\u202d\u2066\u2069\u200f\u061c"  # bidi controls
    "\u2028\u2029\u0085\x0b\x0c\x1c\x1d\x1e"  # line and paragraph separators Python splits on
    "\x00\x01\x07\x1b\x7f\x80\x9f"  # C0/C1 controls
    "\ufffe\uffff\ufdd0\U0001fffe\U0010ffff"  # noncharacters
    "\ue000\U000f0000"  # private use
    "\U0001f600\U0001f1fa\U0001f1f8\U0001f44d\U0001f3fd"  # emoji, flags, skin tone
    "\U0001d400\U00020000\U0002a6d6"  # math bold, CJK extension B
    "\u0130\u0131\u00df\ufb01\ufb03\u1e9e\u03a3\u03c2\u0149\u01c5\u2126\u212a"  # case-changing letters
    "\u00a0\u2007\u202f\u3000\u1680"  # odd spaces
    "\u2018\u2019\u201c\u201d\u02bc`\u00b4"  # quotes the normaliser maps
    "\u0660\u06f1\u0966\uff11\u2460\u00b2\u00bd"  # non-ASCII digits and number forms
    "\u05d0\u0627\u0928\u4e2d\u3042\uac00\u0e01\u10d0\u0410\u03b1"  # other scripts
)
HOMOGLYPHS = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441", "i": "\u0456"}
PUNCT = ".,;:!?'\"()[]{}-\u2014\u2013\u2026/\\|@#$%^&*_~`<>=+"
BOMS = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"]
CLI_SUFFIXES = [".txt", ".md", ".html", ".jsonl", ".pdf", ".docx", ".odt", ".rtf", ".epub", ""]
MAX_GROUPS = 15  # kinds of failure printed in full


# ---- case generators -------------------------------------------------------------------------
def _random_unicode(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.35:
            out.append(rng.choice(ODD_CHARS))
        elif roll < 0.55:
            out.append(rng.choice(" \n\t\r"))
        elif roll < 0.75:
            out.append(chr(rng.randint(0x20, 0x7E)))
        else:
            cp = rng.randint(0, 0x10FFFF)
            if 0xD800 <= cp <= 0xDFFF:  # no lone surrogates: they cannot be encoded
                cp = 0xFFFD
            out.append(chr(cp))
    return "".join(out)


def _mutate(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 12)):
        op = rng.randrange(12)
        pos = rng.randint(0, len(chars))
        if op == 0 and chars:
            del chars[min(pos, len(chars) - 1)]
        elif op == 1:
            chars.insert(pos, rng.choice(ODD_CHARS))
        elif op == 2:
            chars.insert(pos, rng.choice(["\n", "\n\n", "\r", "\r\n", "\x00", "\ufeff", "\t", " \n \n"]))
        elif op == 3 and chars:
            i = min(pos, len(chars) - 1)
            chars[i] = chars[i].upper() if rng.random() < 0.5 else chars[i].lower()
        elif op == 4:
            chars.insert(pos, rng.choice(PUNCT) * rng.randint(1, 30))
        elif op == 5 and chars:
            i = min(pos, len(chars) - 1)
            chars[i] = HOMOGLYPHS.get(chars[i], chars[i])
        elif op == 6 and len(chars) > 2:  # duplicate a slice
            a = rng.randint(0, len(chars) - 1)
            b = min(len(chars), a + rng.randint(1, 60))
            chars[pos:pos] = chars[a:b] * rng.randint(1, 5)
        elif op == 7:
            chars.insert(pos, rng.choice(["n't", "'s", "U.S.", "u.s.a.", "'", "''", "'re'", "n'tn't", "0.0.0"]))
        elif op == 8 and len(chars) > 10:  # cut
            a = rng.randint(0, len(chars) - 1)
            del chars[a : a + rng.randint(1, 40)]
        elif op == 9:
            chars.insert(pos, str(rng.randint(0, 10**12)))
        elif op == 10:
            chars.insert(pos, _random_unicode(rng, rng.randint(1, 8)))
        else:
            chars.insert(pos, rng.choice([" the", " of the", " and", " said", " which"]))
    return "".join(chars)


def _english(rng: random.Random, seeds: list[str], k: int) -> str:
    return rng.choice(["\n\n", "\n", " ", "\r\n\r\n", "\n \n"]).join(rng.choice(seeds) for _ in range(k))


# ---- disguises: what the text stage reads through ------------------------------------------------
# Unicode's default-ignorable characters, as docs/input.md lists them (soft hyphen, zero-width space,
# joiners, word joiner, byte-order mark, direction marks, embeddings, overrides and isolates, the
# combining grapheme joiner, the Mongolian vowel separator, invisible operators, variation selectors
# and tag characters)
INVISIBLE = (
    "\u00ad\u034f\u061c\u180b\u180e\u180f\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206f\ufe00\ufe0f\ufeff"
    "\U000e0001\U000e0020\U000e0041\U000e007f\U000e0100\U000e01ef"
)
# Greek, Cyrillic and Latin letters drawn as ASCII ones
LOOKALIKE_OF = {
    "a": "\u0430\u0251", "c": "\u0441", "d": "\u0501", "e": "\u0435", "g": "\u0261", "h": "\u04bb",
    "i": "\u0456\u0131", "j": "\u0458\u0237", "l": "\u04cf", "o": "\u043e\u03bf", "p": "\u0440",
    "q": "\u051b", "s": "\u0455", "w": "\u051d", "x": "\u0445", "y": "\u0443",
    "A": "\u0410\u0391", "B": "\u0412\u0392", "C": "\u0421", "E": "\u0415\u0395", "H": "\u041d\u0397",
    "I": "\u0406\u0399", "J": "\u0408", "K": "\u041a\u039a", "M": "\u041c\u039c", "N": "\u039d",
    "O": "\u041e\u039f", "P": "\u0420\u03a1", "S": "\u0405", "T": "\u0422\u03a4", "X": "\u0425\u03a7",
    "Y": "\u04ae\u03a5", "Z": "\u0396",
}  # fmt: skip
# Marks drawn as, or typed for, an apostrophe
APOSTROPHES = (
    "\u2019\u02bc\u2032\u02b9`\u00b4\uff07\ua78c\u02bb\u02bd\u02be\u02bf\u02c8\u02ca\u02cb\u2035"
    "\u055a\u055d\u05f3\u0374\u0384\u1fbd\u1fbf\u1fef\u1ffd\u1ffe\u07f4\u07f5"
)
# Combining marks that strike through, overline or underline a letter and compose with none
STRIKES = "\u0332\u0333\u0335\u0336\u0305\u033f\u20e5"
# and marks that make real letters with some (dot, diaeresis, ring, tilde and macron below, cedilla,
# dot above), read through when more than half of the words of three letters or more they are in carry
# them on every letter; written precomposed too (one character a letter where Unicode has one)
DOTS = "\u0323\u0324\u0325\u0330\u0331\u0327\u0307"


def _precomposed(text: str, mark: str) -> str:
    """``text`` with each ASCII letter followed by ``mark`` written as one character where Unicode has one."""
    return re.sub(f"[A-Za-z]{mark}", lambda m: unicodedata.normalize("NFC", m.group()), text)


# Hangul fillers, letters to Unicode that show as a blank
HANGUL_FILLERS = "\u115f\u1160\u3164\uffa0"
# (gap between letters, gap between words) of letter-spaced text
LETTER_SPACING = [(" ", "  "), (" ", "   "), (" ", "\u3000"), ("\u200a", " "), ("\u2009", " "), ("\u00a0", " ")]
LETTER_SPACING += [("\u200a", "   "), ("\u2009", "\u2003")]  # words a wider gap apart
LETTER_SPACING += [(filler, " ") for filler in HANGUL_FILLERS]
URLS = [
    "https://www.example.com/news/2023/03/story-1.html",
    "http://example.org/a?b=1&c=2",
    "www.example.co.uk/path/to/page",
]


def _styled_letters() -> dict[str, str]:
    """Each ASCII letter and digit's other styles, found by their Unicode names (independently of
    spincheck.text): mathematical, circled, squared, parenthesized, superscript and subscript letters,
    regional indicators, small capitals (as lowercase letters), the letterlike symbols filling the
    mathematical alphabets' holes, full-width forms. Only those of the same case: a squared "a" reads
    as "A"."""
    import unicodedata

    named = re.compile(
        r"MATHEMATICAL (?!.*(?:DOTLESS|DIGAMMA)).*|CIRCLED LATIN .*|SQUARED LATIN CAPITAL .*|FULLWIDTH LATIN .*"
        r"|MODIFIER LETTER (?:SMALL|CAPITAL) [A-Z]|SUPERSCRIPT LATIN SMALL LETTER [A-Z]"
        r"|LATIN SUBSCRIPT SMALL LETTER [A-Z]|(?:SCRIPT|BLACK-LETTER|DOUBLE-STRUCK) (?:SMALL|CAPITAL) [A-Z]"
        r"|PLANCK CONSTANT|FULLWIDTH DIGIT .*"
    )
    out: dict[str, str] = {}
    blocks = [(0x2B0, 0x2150), (0x1D00, 0x1DC0), (0x2460, 0x2500), (0x2C7C, 0x2C7E), (0xFF10, 0xFF5B)]
    blocks += [(0x107A5, 0x107A6), (0x1D400, 0x1D800), (0x1F130, 0x1F150)]
    for code in (code for a, b in blocks for code in range(a, b)):
        char = chr(code)
        name = unicodedata.name(char, "")
        if code == 0x2113 or not named.fullmatch(name):  # "ℓ" for litres is no "l"
            continue
        plain = unicodedata.normalize("NFKC", char)
        if len(plain) == 1 and plain.isascii() and plain.isalnum():
            out[plain] = out.get(plain, "") + char
    for code in range(0x1F150, 0x1F18A):  # negative circled and squared capitals, which NFKC leaves alone
        negative = re.fullmatch(
            r"NEGATIVE (?:CIRCLED|SQUARED) LATIN CAPITAL LETTER ([A-Z])", unicodedata.name(chr(code), "")
        )
        if negative:
            out[negative[1]] = out.get(negative[1], "") + chr(code)
    # parenthesized letters, which NFKC makes three characters ("(a)"), and regional indicators (boxed
    # capitals), which it leaves alone
    for code in [*range(0x249C, 0x24B6), *range(0x1F110, 0x1F12A), *range(0x1F1E6, 0x1F200)]:
        other = re.fullmatch(
            r"PARENTHESIZED LATIN (SMALL|CAPITAL) LETTER ([A-Z])|REGIONAL INDICATOR SYMBOL LETTER ([A-Z])",
            unicodedata.name(chr(code), ""),
        )
        if other:
            letter = other[2].lower() if other[1] == "SMALL" else other[2] or other[3]
            out[letter] = out.get(letter, "") + chr(code)
    for code in range(0x1D00, 0x1D23):  # small capitals, which NFKC leaves alone
        small = re.fullmatch(r"LATIN LETTER SMALL CAPITAL ([A-Z])", unicodedata.name(chr(code), ""))
        if small:
            out[small[1].lower()] = out.get(small[1].lower(), "") + chr(code)
    return out


STYLED = _styled_letters()


def _hide_in_word(word: str, rng: random.Random, tricks: set[str], dotted: dict[str, set[str]]) -> str:
    """``word`` (ASCII letters and digits) disguised by one or two of ``tricks``, in part or whole;
    the letters of each word given one of DOTS gathered in ``dotted`` under the mark."""
    chars = list(word)
    usable = sorted(tricks & {"lookalike", "styled", "strike", "invisible"})
    composed, mark = False, ""
    for trick in rng.sample(usable, k=min(len(usable), 1 + (rng.random() < 0.3))):
        if trick == "lookalike" and len(word) >= 2 and word.isalpha():
            at = [i for i, c in enumerate(word) if c in LOOKALIKE_OF]
            # at least one ASCII letter stays: a word of lookalikes alone is read so only beside a mixed one
            rng.shuffle(at)
            for i in at[: rng.randint(1, max(1, len(word) - 1))][: len(word) - 1]:
                chars[i] = rng.choice(LOOKALIKE_OF[word[i]]) + chars[i][1:]
        elif trick == "styled":
            whole = rng.random() < 0.6
            for i, c in enumerate(word):
                if c in STYLED and (whole or rng.random() < 0.5):
                    chars[i] = rng.choice(STYLED[c]) + chars[i][1:]
        elif trick == "strike":
            mark = rng.choice(STRIKES + DOTS if sum(map(str.isalpha, word)) >= 3 else STRIKES)
            composed = mark in DOTS and rng.random() < 0.5
            if mark in DOTS:
                dotted.setdefault(mark, set()).update(c for c in word.lower() if c.isalpha())
            for i, c in enumerate(word):
                if c.isalpha():
                    chars[i] += mark
        elif trick == "invisible":
            for i in range(len(chars) - 1):
                if rng.random() < 0.6:
                    chars[i] += rng.choice(INVISIBLE)
    # two regional indicators side by side are a flag: generators keep them apart; the marks composed
    # last, so that a letter drawn in another style after it was marked keeps its mark
    hidden = _REGIONAL_PAIR.sub("\u200b", "".join(chars))
    return _precomposed(hidden, mark) if composed else hidden


_REGIONAL_PAIR = re.compile("(?<=[\U0001f1e6-\U0001f1ff])(?=[\U0001f1e6-\U0001f1ff])")


_WORD_OR_NUMBER = re.compile(r"[A-Za-z0-9]+")
_ODD_PLACE = re.compile(r"[\n.,;:!?'\"()\d/]|(?=\n)")


_BLOCKS = re.compile(r"\r?\n(?:[ \t]*\r?\n)+")


def _spaced_reads_whole(plain: str) -> bool:
    """Whether ``plain`` letter-spaced throughout must read as ``plain`` (docs/input.md, "Disguised
    text"): not if a block of two lines or more may be hard-wrapped (a line of 100 characters or
    less), as its lines letter-spaced are too long to be; nor if a line has one word, or words of
    fewer than two characters on average ("a b c"), whose letters' gaps cannot be told from the
    gaps between words. (More than letters between gaps reads otherwise too: see _disguise.)"""
    for block in _BLOCKS.split(plain):
        lines = [line for line in block.split("\n") if line.strip()]
        if len(lines) > 1 and any(len(line) <= 100 for line in lines):
            return False
        if any(len(line.split()) < 2 or len("".join(line.split())) < 2 * len(line.split()) for line in lines):
            return False
    return True


def _disguise(plain: str, rng: random.Random) -> tuple[str, bool]:
    """``plain`` disguised with what the text stage reads through, at random and in part (invisible
    characters at odd places and inside words, numbers and web addresses; lookalike, styled and struck
    letters; apostrophe lookalikes; Hangul fillers for spaces; letter-spaced lines, Hangul fillers
    between letters too; blank lines of invisible characters), and
    whether every trick used is one docs/input.md promises to read through: then ``plain``'s scores
    must be the disguised text's."""
    tricks = {t for t in ["lookalike", "styled", "strike", "invisible", "apostrophe", "odd places", "blank", "filler"]
              if rng.random() < 0.45} or {"invisible"}  # fmt: skip
    urls = [(m.start(), m.end()) for m in re.finditer(r"(?:https?://|www\.)\S+", plain)]
    spaced = rng.random() < 0.15
    exact = not (spaced and (tricks & {"strike", "invisible", "odd places"} or not _spaced_reads_whole(plain)))
    density = rng.choice([0.1, 0.4, 1.0])
    dotted: dict[int, dict[str, set[str]]] = {}  # by line of ``plain``

    def word(match: re.Match) -> str:
        if any(a <= match.start() < b for a, b in urls):
            if rng.random() < 0.9:
                return match.group()
            nonlocal exact
            # an address in lookalike letters is no address to the text stage, nor one with marks on
            # some of its letters, nor one letter-spaced; one in styled or full-width letters is
            # (docs/input.md)
            exact = exact and not spaced and not tricks & {"lookalike", "strike"}
        if rng.random() >= density:
            return match.group()
        return _hide_in_word(match.group(), rng, tricks, dotted.setdefault(plain.count("\n", 0, match.start()), {}))

    text = _WORD_OR_NUMBER.sub(word, plain)
    # a mark of DOTS is read through only where the words it decorates in a paragraph hold three
    # different letters or more between them (docs/input.md): one dotted "all" keeps its dots (a
    # paragraph holds one line or more)
    if any(len(letters) < 3 for marks in dotted.values() for letters in marks.values()):
        exact = False
    if "strike" in tricks and rng.random() < 0.2:  # as generators write it: after every character
        mark = rng.choice(STRIKES + DOTS)
        # (a line of spaces so marked shows a line, no blank one)
        text = "\n".join(line if not line.strip() else "".join(c + mark for c in line) for line in text.split("\n"))
        text = text.replace("\r" + mark, "\r")
        if mark in DOTS and rng.random() < 0.5:
            text = _precomposed(text, mark)
    if "filler" in tricks:  # Hangul fillers for spaces between words
        text = re.sub(
            r"(?<=[A-Za-z]) (?=[A-Za-z])", lambda m: rng.choice(HANGUL_FILLERS) if rng.random() < 0.5 else " ", text
        )
    if "apostrophe" in tricks:
        text = re.sub("['\u2019]", lambda m: rng.choice(APOSTROPHES) if rng.random() < 0.8 else m.group(), text)
    if "odd places" in tricks or urls:
        # invisible characters at line ends, around punctuation, inside numbers and web addresses
        chars = list(text)
        places = [m.start() for m in _ODD_PLACE.finditer(text)]
        for m in re.finditer(r"(?:https?://|www\.)\S+", text):
            places += rng.sample(range(m.start() + 1, m.end()), k=min(4, m.end() - m.start() - 1))
        for i in sorted(set(places), reverse=True):
            if rng.random() < 0.5 and not (i and text[i - 1] == "\r" and text[i] == "\n"):
                pick = rng.choice(INVISIBLE)
                if pick == "\u00ad" and ("\n" in text[i - 1 : i + 1]):
                    pick = "\u200b"  # a soft hyphen at a line end is a hyphenation
                chars.insert(i, pick * rng.choice([1, 1, 2]))
        text = "".join(chars)
    if "blank" in tricks:
        text = re.sub(
            r"\n\n", lambda m: "\n" + "".join(rng.choices(INVISIBLE + " \u3000", k=rng.randint(1, 3))) + "\n", text
        )
    if spaced:
        gap, word_gap = rng.choice(LETTER_SPACING)
        text = "\n".join(word_gap.join(gap.join(w) for w in line.split(" ")) for line in text.split("\n"))
        # a blank line of invisible characters so spaced holds a filler: it shows as a blank, but is none
        # (the "blank" trick's, or the invisible characters put at line ends around a web address)
        blank = set(INVISIBLE + " \u3000\r" + gap)
        exact = exact and not (gap in HANGUL_FILLERS and any(gap in ln and set(ln) <= blank for ln in text.split("\n")))
    if rng.random() < 0.2:
        text, exact = _mutate(text, rng), False
    return text, exact


@dataclass
class Case:
    index: int
    kind: str
    data: str | bytes
    big: bool = False
    plain: str | None = None  # what a disguised text must score as (see _disguise)


def make_case(seed: int, index: int, seeds: list[str]) -> Case:
    rng = random.Random(f"{seed}:{index}")
    case = _undisguised_case(rng, index, seeds)
    # drawn after the case, so that the others are those of earlier versions of this script
    if case.kind in ("mutated English", "control separators", "multi-paragraph page") and rng.random() < 0.4:
        return _disguised_case(rng, index, seeds)
    return case


def _disguised_case(rng: random.Random, index: int, seeds: list[str]) -> Case:
    """English paragraphs, with web addresses now and then, disguised (see _disguise)."""
    paragraphs = []
    for _ in range(rng.randint(1, 6)):
        paragraph = rng.choice(seeds)
        if rng.random() < 0.3:
            url = rng.choice(URLS)
            paragraph = rng.choice([f"{paragraph} Read more: {url}", f"{paragraph} ({url})", f"See {url} {paragraph}"])
        paragraphs.append(paragraph)
    plain = rng.choice(["\n\n", "\n", " ", "\r\n\r\n", "\n \n"]).join(paragraphs)
    text, exact = _disguise(plain, rng)
    return Case(index, "disguised English", text, plain=plain if exact else None)


def _undisguised_case(rng: random.Random, index: int, seeds: list[str]) -> Case:
    roll = rng.random()
    if roll < 0.14:
        n = rng.choice([0, 1, 2, 3, 16, 200, 1000, 5000])
        data = bytes(rng.getrandbits(8) for _ in range(n))
        if rng.random() < 0.3:
            data = rng.choice(BOMS) + data
        return Case(index, "random bytes", data)
    if roll < 0.26:
        return Case(index, "random unicode", _random_unicode(rng, rng.choice([1, 5, 50, 400, 3000])))
    if roll < 0.58:
        return Case(index, "mutated English", _mutate(_english(rng, seeds, rng.randint(1, 6)), rng))
    if roll < 0.66:
        text = _english(rng, seeds, rng.randint(1, 4))
        raw = text.encode(
            rng.choice(["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252"]), errors="replace"
        )
        if rng.random() < 0.5:
            raw = rng.choice(BOMS) + raw
        if rng.random() < 0.5:
            cut = rng.randint(0, len(raw))
            raw = raw[:cut] + bytes([rng.getrandbits(8)]) + raw[cut:]
        return Case(index, "encoded English", raw)
    if roll < 0.70:
        text = rng.choice(seeds)
        glue = rng.choice(["\r", "\x00", "\ufeff", "\u2028", "\u2029", "\x0b", "\x0c", "\u0085", "\r\r\n"])
        return Case(index, "control separators", glue.join(text.split(" ")))
    if roll < 0.75:
        return Case(index, "only punctuation", "".join(rng.choice(PUNCT + " \n") for _ in range(rng.randint(1, 2000))))
    if roll < 0.81:
        words = rng.choice(seeds).split()
        scripts = [
            "\u4e2d\u6587\u5b57",
            "\u0440\u0443\u0441\u0441\u043a\u0438\u0439",
            "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
            "\u05e2\u05d1\u05e8\u05d9\u05ea",
            "\u0939\u093f\u0928\u094d\u0926\u0940",
            "\U0001f600\U0001f600",
            "\u03b5\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac",
        ]
        for i in range(len(words)):
            if rng.random() < 0.3:
                words[i] = rng.choice(scripts)
            elif rng.random() < 0.2:
                words[i] = "".join(HOMOGLYPHS.get(c, c) for c in words[i])
        return Case(index, "mixed scripts", " ".join(words))
    if roll < 0.86:
        word = rng.choice(
            ["a", "the", "spun", "x" * 30, "\u00e9", "U.S.", "n't", "0", "the top diplomat", "\U0001f600"]
        )
        if rng.random() < 0.85:
            n = rng.choice([50, 401, 1000, 3000])
        else:
            n = rng.choice([20_000, 100_000])
        sep = rng.choice([" ", "", "\n", ". ", ", "])
        return Case(index, "repeated token", sep.join([word] * n), big=n >= 20_000)
    if roll < 0.91:
        length = rng.choice([100, 1000, 10_000]) if rng.random() < 0.9 else rng.choice([100_000, 1_000_000])
        word = rng.choice("abcdefghijklmnopqrstuvwxyz\u00e9\u0130") * length
        seed_text = rng.choice(seeds)
        cut = rng.randint(0, len(seed_text))
        return Case(
            index, "very long word", seed_text[:cut] + " " + word + " " + seed_text[cut:], big=length >= 100_000
        )
    if roll < 0.95:
        return Case(
            index,
            "whitespace and blanks",
            "".join(
                rng.choice([" ", "\n", "\t", "\r", "\u00a0", "\u3000", "\ufeff", ""])
                for _ in range(rng.randint(0, 500))
            ),
        )
    # English with many paragraphs, some windows long, some one word
    parts = []
    for _ in range(rng.randint(2, 15)):
        r = rng.random()
        if r < 0.2:
            parts.append(rng.choice(["Advertisement", "By Staff", "1", "", "Read more", "\u00a9 2023"]))
        elif r < 0.25:
            parts.append(" ".join(rng.choice(seeds) for _ in range(rng.randint(10, 30))))
        else:
            parts.append(_mutate(rng.choice(seeds), rng) if rng.random() < 0.3 else rng.choice(seeds))
    return Case(index, "multi-paragraph page", rng.choice(["\n\n", "\n"]).join(parts))


# ---- checks ----------------------------------------------------------------------------------
@dataclass
class Failure:
    case: int
    kind: str
    where: str
    what: str
    detail: str = ""
    sample: str = ""
    shrunk: str | None = None


@dataclass
class Tally:
    cases: int = 0
    crashes: list[Failure] = field(default_factory=list)
    violations: list[Failure] = field(default_factory=list)
    cli_calls: int = 0
    paragraphs: int = 0
    by_kind: dict = field(default_factory=dict)


def check_result(r: object, para: str, threshold: float) -> list[str]:
    if not isinstance(r, Result):
        return [f"result is {type(r).__name__}, not Result"]
    bad = []
    p = r.probability
    if not isinstance(p, float) or math.isnan(p) or not 0.0 <= p <= 1.0:
        bad.append(f"probability {p!r} not in [0, 1]")
    if r.spun not in (True, False, None) or (r.spun is not None and not isinstance(r.spun, bool)):
        bad.append(f"spun is {r.spun!r}")
    if r.spun is None and not r.reason:
        bad.append("not scored but no reason")
    if r.spun is not None and r.reason is not None:
        bad.append(f"scored but reason {r.reason!r}")
    if r.by_context and not (r.spun and CONTEXT_P <= p < threshold):
        bad.append(f"by_context with spun={r.spun}, probability {p} (threshold {threshold})")
    if r.spun is not None and isinstance(p, float) and r.spun != (p >= threshold or r.by_context):
        bad.append(f"spun={r.spun} but probability {p} vs threshold {threshold}")
    if len(r.evidence) > MAX_EVIDENCE:
        bad.append(f"{len(r.evidence)} evidence items > {MAX_EVIDENCE}")
    for e in r.evidence:
        if not isinstance(e, Evidence):
            bad.append(f"evidence item is {type(e).__name__}")
            continue
        if not (0 <= e.start < e.end <= len(para)):
            bad.append(f"evidence span {e.start}:{e.end} outside paragraph of {len(para)} chars")
        elif para[e.start : e.end] != e.phrase:
            bad.append(f"evidence phrase {e.phrase!r} != paragraph[{e.start}:{e.end}] {para[e.start : e.end]!r}")
        if not (isinstance(e.strength, float) and 0.0 <= e.strength <= 1.0):
            bad.append(f"evidence strength {e.strength!r}")
        if e.suggestion is not None and not isinstance(e.suggestion, str):
            bad.append(f"suggestion {e.suggestion!r}")
    if not isinstance(r.words, int) or r.words < 0:
        bad.append(f"words {r.words!r}")
    return bad


def _same(a: Result, b: Result) -> bool:
    """Equal up to float noise: matrix products round differently with the rows in a batch (2e-9 seen)."""
    return (
        a.spun == b.spun
        and a.by_context == b.by_context
        and a.reason == b.reason
        and abs(a.probability - b.probability) <= 1e-6
        and [(e.start, e.end, e.phrase, e.suggestion) for e in a.evidence]
        == [(e.start, e.end, e.phrase, e.suggestion) for e in b.evidence]
    )


def check_document(doc, text: str, threshold: float, where: str) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    last = 0
    for i, p in enumerate(doc.paragraphs):
        if p.index != i:
            problems.append((where, f"paragraph index {p.index} at position {i}"))
        if not (last <= p.start < p.end <= len(text)):
            problems.append((where, f"span {p.start}:{p.end} out of order or outside text (prev end {last})"))
        elif text[p.start : p.end] != p.text:
            problems.append((where, f"text[{p.start}:{p.end}] != paragraph text"))
        if p.text and (p.text[0].isspace() or p.text[-1].isspace()):
            problems.append((where, f"paragraph {i} not stripped: {p.text[:1]!r}...{p.text[-1:]!r}"))
        last = max(last, p.end)
        problems += [(where, f"paragraph {i}: {b}") for b in check_result(p.result, p.text, threshold)]
    return problems


def run_library(
    det: spincheck.Detector, text: str, explain: bool, big: bool, raw: bool = True, documents: bool = False
) -> list[tuple[str, str]]:
    """Return (where, problem) pairs; exceptions propagate to the caller."""
    doc = det.score_text(text, explain=explain)
    problems = check_document(doc, text, det.threshold, "score_text")
    if big:
        return problems
    if documents and hasattr(det, "score_documents"):
        texts = [text, "", text[: len(text) // 2]]
        docs = list(det.score_documents(texts, explain=explain))
        if len(docs) != len(texts):
            problems.append(("score_documents", f"{len(docs)} documents for {len(texts)} texts"))
        for t, d in zip(texts, docs):
            problems += check_document(d, t, det.threshold, "score_documents")
        if docs and (
            len(docs[0].paragraphs) != len(doc.paragraphs)
            or not all(_same(a.result, b.result) for a, b in zip(docs[0].paragraphs, doc.paragraphs))
        ):
            problems.append(("score_documents", "differs from score_text on the same text"))
    paras = [p.text for p in doc.paragraphs]
    again = det.score_paragraphs(paras, explain=explain)
    if len(again) == len(paras):
        # score_text judges the paragraphs as one document; score_paragraphs one by one
        again = det.apply_document_context(paras, again)
    if len(again) != len(paras):
        problems.append(("score_paragraphs", f"{len(again)} results for {len(paras)} paragraphs"))
    else:
        for i, (a, b) in enumerate(zip(again, doc.paragraphs)):
            if not _same(a, b.result):
                problems.append(
                    (
                        "score_paragraphs",
                        f"paragraph {i}: differs from score_text ({a.probability} vs {b.result.probability})",
                    )
                )
    if not raw:
        return problems
    # raw pieces, including empty and whitespace-only ones, as a caller might pass them
    pieces = text.split("\n") if "\n" in text else [text, "", " "]
    res = det.score_paragraphs(pieces, explain=explain)
    if len(res) != len(pieces):
        problems.append(("score_paragraphs", f"{len(res)} results for {len(pieces)} raw lines"))
    else:
        for i, (r, piece) in enumerate(zip(res, pieces)):
            problems += [("score_paragraphs", f"raw line {i}: {b}") for b in check_result(r, piece, det.threshold)]
    return problems


def check_disguise(det: spincheck.Detector, text: str, plain: str) -> list[tuple[str, str]]:
    """A text disguised with what docs/input.md says is read through scores as the plain text does:
    the same paragraphs, each with the same result (its evidence at other offsets)."""
    ours, theirs = det.score_text(text).paragraphs, det.score_text(plain).paragraphs
    if len(ours) != len(theirs):
        return [("disguise", f"{len(ours)} paragraphs for the plain text's {len(theirs)}")]
    problems = []
    for i, (a, b) in enumerate(zip(ours, theirs)):
        r, s = a.result, b.result
        if (
            (r.spun, r.by_context, r.reason, r.words) != (s.spun, s.by_context, s.reason, s.words)
            or abs(r.probability - s.probability) > 1e-6
            # (a suggestion takes the case of the phrase as written: a superscript capital is no capital to str)
            or [(e.suggestion or "").lower() for e in r.evidence] != [(e.suggestion or "").lower() for e in s.evidence]
        ):
            problems.append(
                (
                    "disguise",
                    f"paragraph {i}: {r.probability:.4f} {r.reason or ''} ({r.words} words) for the plain "
                    f"text's {s.probability:.4f} {s.reason or ''} ({s.words} words)",
                )
            )
    return problems


def check_chunks(text: str, extra: int) -> list[tuple[str, str]]:
    """Cut into chunks at blank lines (as a streamed file is), a text whose blocks each fit in one
    gives the whole text's paragraphs."""
    blanks = list(_BLANK_LINE.finditer(text))
    if not blanks:
        return []
    starts, ends = [0, *(m.end() for m in blanks)], [*(m.start() for m in blanks), len(text)]
    widest = max(b - a for a, b in zip(starts, ends)) + max(m.end() - m.start() for m in blanks)
    old = inputs.CHUNK_CHARS
    inputs.CHUNK_CHARS = widest + 2 + extra
    try:
        chunks = list(inputs._chunks_of(text, "fuzz"))
    finally:
        inputs.CHUNK_CHARS = old
    spans = [(c.offset + s.start, c.offset + s.end) for c in chunks for s in split_paragraphs(c.text)]
    whole = [(s.start, s.end) for s in split_paragraphs(text)]
    if spans != whole:
        at = next((i for i, (a, b) in enumerate(zip(spans, whole)) if a != b), min(len(spans), len(whole)))
        return [("chunks", f"{len(spans)} paragraphs in chunks of {widest + 2 + extra} for {len(whole)}, from {at} on")]
    return []


def _crash_signature(exc: BaseException) -> tuple[str, str]:
    tb = traceback.extract_tb(exc.__traceback__)
    frame = next((f for f in reversed(tb) if "spincheck" in f.filename), tb[-1] if tb else None)
    loc = f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}" if frame else "?"
    return type(exc).__name__, loc


def shrink(text: str, still_fails, budget: int = 300) -> str:
    """Greedy chunk deletion while ``still_fails(candidate)`` holds."""
    chunk = max(1, len(text) // 2)
    tries = 0
    while chunk >= 1 and tries < budget:
        i, changed = 0, False
        while i < len(text) and tries < budget:
            candidate = text[:i] + text[i + chunk :]
            tries += 1
            if candidate != text and still_fails(candidate):
                text, changed = candidate, True
            else:
                i += chunk
        if not changed:
            chunk //= 2
    return text


def _text_of(case: Case) -> str:
    return decode_bytes(case.data)[0] if isinstance(case.data, bytes) else case.data


def fuzz_library(det, case: Case, explain: bool, tally: Tally, raw: bool = True, documents: bool = False) -> None:
    if isinstance(case.data, bytes):
        try:
            text, had_errors = decode_bytes(case.data)
            looks_binary(case.data)
            if not isinstance(text, str) or "\r" in text or not isinstance(had_errors, bool):
                tally.violations.append(
                    Failure(case.index, case.kind, "decode_bytes", "bad output", sample=repr(case.data[:80]))
                )
        except Exception as exc:  # noqa: BLE001 - counting crashes is the point
            tally.crashes.append(
                Failure(
                    case.index,
                    case.kind,
                    "decode_bytes",
                    f"{type(exc).__name__}: {exc}",
                    traceback.format_exc(limit=-3),
                    repr(case.data[:200]),
                )
            )
            return
    text = _text_of(case)
    try:
        problems = run_library(det, text, explain, case.big, raw, documents)
        if case.plain is not None:
            problems += check_disguise(det, text, case.plain)
        if case.kind == "disguised English" or (case.kind == "multi-paragraph page" and not case.big):
            problems += check_chunks(text, case.index % 50)
    except Exception as exc:  # noqa: BLE001
        sig = _crash_signature(exc)

        def fails(candidate: str) -> bool:
            try:
                run_library(det, candidate, explain, False)
            except Exception as e:  # noqa: BLE001
                return _crash_signature(e) == sig
            return False

        shrunk = None if case.big else shrink(text, fails)
        tally.crashes.append(
            Failure(
                case.index,
                case.kind,
                "library",
                f"{sig[0]} at {sig[1]}: {exc}",
                traceback.format_exc(limit=-4),
                repr(text[:200]),
                repr(shrunk) if shrunk is not None else None,
            )
        )
        return
    for where, what in problems:
        tally.violations.append(Failure(case.index, case.kind, where, what, sample=repr(text[:200])))


# ---- CLI ---------------------------------------------------------------------------------------
def _cli_main():
    try:
        from spincheck import cli
    except ImportError:
        return None
    return getattr(cli, "main", None)


@contextlib.contextmanager
def _captured(stdin_bytes: bytes | None = None):
    out, err = io.StringIO(), io.StringIO()
    old_in = sys.stdin
    if stdin_bytes is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin_bytes), encoding="utf-8", errors="replace")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            yield out, err
    finally:
        sys.stdin = old_in


def run_cli(main, argv: list[str], tally: Tally, cases: list[Case], stdin_bytes: bytes | None = None) -> None:
    tally.cli_calls += 1
    label = " ".join(argv[:3]) + (" ..." if len(argv) > 3 else "")
    ids = ",".join(str(c.index) for c in cases[:20]) + ("..." if len(cases) > 20 else "")
    try:
        with _captured(stdin_bytes) as (out, err):
            status = main(argv)
    except SystemExit as exc:
        status = exc.code
    except Exception as exc:  # noqa: BLE001
        tally.crashes.append(
            Failure(
                cases[0].index if cases else -1,
                "cli",
                label,
                f"{type(exc).__name__}: {exc} (cases {ids})",
                traceback.format_exc(limit=-4),
            )
        )
        return
    stderr = err.getvalue()
    if "this is a bug in spincheck" in stderr or "Traceback (most recent call last)" in stderr:
        lines = [ln for ln in stderr.splitlines() if "bug" in ln or "Traceback" in ln or "Error" in ln]
        tally.crashes.append(
            Failure(
                cases[0].index if cases else -1, "cli", label, f"internal error (cases {ids})", "\n".join(lines[:5])
            )
        )
    if status not in (0, 1, 2):
        tally.violations.append(Failure(cases[0].index if cases else -1, "cli", label, f"exit status {status!r}"))
    if status == 2 and "error" not in stderr:
        tally.violations.append(
            Failure(cases[0].index if cases else -1, "cli", label, "exit status 2 without an error message")
        )


def _office_file(
    case: Case, rng: random.Random, paragraph: str, members: dict[str, str], name: str, document: str
) -> bytes:
    """The case's text as a word processor's paragraphs (escaped, or raw to break the XML now and
    then): each line in ``paragraph``, all of them in ``document``, stored as ``name`` of a zip
    after ``members``."""
    text = _text_of(case)
    if rng.random() < 0.8:
        text = xml.sax.saxutils.escape(text)
    body = "".join(paragraph.format(p) for p in text.split("\n"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content)
        archive.writestr(name, document.format(body).encode("utf-8", errors="surrogatepass"))
    return out.getvalue()


def _cli_file(directory: Path, case: Case, rng: random.Random) -> Path:
    suffix = rng.choice(CLI_SUFFIXES)
    path = directory / f"case{case.index}{suffix}"
    data = case.data
    if suffix == ".jsonl" and rng.random() < 0.7:
        text = _text_of(case)
        records = [
            {"id": case.index, "text": text},
            {"id": "x", "text": rng.choice([None, 5, ["a"], {"t": 1}, "", text[:50]])},
        ]
        body = "\n".join(json.dumps(r, ensure_ascii=rng.random() < 0.5) for r in records)
        data = body + rng.choice(["", "\n", "\n{not json", "\n[1, 2]", '\n"str"', "\n\n\n"])
    elif suffix == ".html" and rng.random() < 0.7:
        text = _text_of(case)
        if rng.random() < 0.4:  # lines kept apart by <br> (read as line breaks), left open furniture around
            text = rng.choice(["<br>", "<br/>\n", "<BR \n/>", "<br>\u200b<br>"]).join(text.split("\n"))
        data = (
            "<html><head><title>t</title><script>var a = '<p>';</script></head>"
            + rng.choice(["<body>", "<body><nav>Home | News<div>", "<body><header><p>Menu</p>", "<body><footer>"])
            + f"<article><p>{text}</p><p>{text[:100]}</div></body>"
        )
    elif suffix == ".pdf" and rng.random() < 0.7:
        # a PDF header before the case: pypdf's failure paths on damaged files
        raw = data.encode("utf-8", errors="surrogatepass") if isinstance(data, str) else data
        data = rng.choice([b"%PDF-1.4\n", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"junk\n%PDF-2.0\n"]) + raw
    elif suffix == ".docx" and rng.random() < 0.7:
        data = _office_file(
            case,
            rng,
            "<w:p><w:r><w:t>{}</w:t></w:r></w:p>",
            {},
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body>{}</w:body></w:document>",
        )
    elif suffix == ".odt" and rng.random() < 0.7:
        data = _office_file(
            case,
            rng,
            "<text:p>{}</text:p>",
            {"mimetype": "application/vnd.oasis.opendocument.text"},
            "content.xml",
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
            "{}</office:text></office:body></office:document-content>",
        )
    elif suffix == ".epub" and rng.random() < 0.7:
        # the case's text as one or two chapters (escaped, or raw to break the XHTML now and then);
        # sometimes the package file or a chapter is missing
        text = _text_of(case)
        if rng.random() < 0.8:
            text = xml.sax.saxutils.escape(text)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("mimetype", "application/epub+zip")
            archive.writestr(
                "META-INF/container.xml",
                '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
                '<rootfile full-path="book.opf"/></rootfiles></container>',
            )
            if rng.random() < 0.9:
                archive.writestr(
                    "book.opf",
                    '<package xmlns="http://www.idpf.org/2007/opf"><manifest><item id="a" href="a.xhtml"/>'
                    '<item id="b" href="b%20c.xhtml"/></manifest><spine><itemref idref="a"/><itemref idref="b"/>'
                    '<itemref idref="missing"/></spine></package>',
                )
            archive.writestr("a.xhtml", f"<html><body><p>{text}</p></body></html>".encode("utf-8", "surrogatepass"))
            if rng.random() < 0.5:
                archive.writestr(
                    "b c.xhtml", f"<html><body>{text[:200]}</body></html>".encode("utf-8", "surrogatepass")
                )
        data = out.getvalue()
    elif suffix == ".rtf" and rng.random() < 0.7:
        # the case's text as RTF paragraphs, with control words that are damaged or extreme now and then
        text = _text_of(case)
        if rng.random() < 0.7:
            text = "".join(
                "\\" + c if c in "\\{}" else c if ord(c) < 128 else f"\\u{ord(c) % 65536 - 32768}?" for c in text
            )
        extra = rng.choice(["", "{", "}}}", "\\bin999999 ", "\\u99999999", "\\ansicpg65001 \\'ff\\'fe", "\\uc9 ", "\\"])
        body = "\\par\n".join(text.split("\n"))
        data = "{\\rtf1\\ansi{\\fonttbl\\f0 Times;}" + rng.choice(["", extra]) + body + rng.choice(["}", extra])
    raw = data.encode("utf-8", errors="surrogatepass") if isinstance(data, str) else data
    if rng.random() < 0.15:
        # compressed input, a third of it cut short: decompressed while read, damage reported
        suffix_c, compress = rng.choice([(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)])
        raw = compress(raw)
        if rng.random() < 1 / 3:
            raw = raw[: rng.randrange(len(raw))]
        if rng.random() < 0.7:
            path = path.with_name(path.name + suffix_c)
    path.write_bytes(raw)
    return path


def fuzz_cli(main, cases: list[Case], seed: int, tally: Tally, group: int, explain_every: int) -> None:
    rng = random.Random(f"{seed}:cli")
    with tempfile.TemporaryDirectory(prefix="spincheck-fuzz-") as tmp:
        directory = Path(tmp)
        for lo in range(0, len(cases), group):
            batch = [c for c in cases[lo : lo + group] if not c.big]
            if not batch:
                continue
            sub = directory / f"g{lo}"
            sub.mkdir()
            paths = [_cli_file(sub, c, rng) for c in batch]
            fmt = rng.choice(["text", "json", "jsonl", "csv"])
            args = ["score", "--format", fmt, *map(str, paths)]
            if rng.random() < 0.3:
                args.insert(1, "-q")
            run_cli(main, args, tally, batch)
            if rng.random() < 0.1:
                run_cli(main, ["score", "--format", "jsonl", str(sub)], tally, batch)  # a directory
            for case, path in zip(batch, paths):
                if case.index % explain_every == 0:
                    run_cli(main, ["explain", str(path), "-o", str(sub / "page.html")], tally, [case])
                    # compare it as the copy of another case (often its own group's neighbour)
                    fmt = rng.choice(["text", "json", "jsonl", "csv", "html"])
                    run_cli(main, ["compare", str(rng.choice(paths)), str(path), "--format", fmt], tally, [case])
            stdin_case = rng.choice(batch)
            raw = stdin_case.data if isinstance(stdin_case.data, bytes) else stdin_case.data.encode("utf-8")
            if stdin_case.index % 5 == 0:
                run_cli(main, ["score", "-"], tally, [stdin_case], stdin_bytes=raw)
            for p in sub.iterdir():
                p.unlink()
            sub.rmdir()


# ---- main ---------------------------------------------------------------------------------------
def _seed_texts(extra: Path | None, min_words: int = 8) -> list[str]:
    """The built-in seeds and each line of ``extra`` of ``min_words`` words or more (an article's
    headings and bylines left out unless asked for: short lines reach the gate's boundaries)."""
    seeds = list(SEEDS)
    if extra is not None:
        files = sorted(extra.iterdir()) if extra.is_dir() else [extra]
        for f in files:
            if f.is_file():
                text = decode_bytes(f.read_bytes())[0]
                seeds += [p.strip() for p in text.split("\n") if len(p.split()) >= min_words]
    return seeds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=positive_int, default=10_000, help="number of cases (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--only", type=int, help="run only this case index and print it")
    parser.add_argument("--seeds", type=Path, help="extra seed text: a file or a directory of .txt files")
    parser.add_argument(
        "--min-seed-words",
        type=positive_int,
        default=8,
        help="keep the --seeds lines of this many words or more (default 8; 1 for headlines and list items)",
    )
    parser.add_argument("--no-cli", action="store_true", help="skip the command line even if spincheck.cli exists")
    parser.add_argument(
        "--cli-group", type=positive_int, default=100, help="files per 'spincheck score' call (default 100)"
    )
    parser.add_argument(
        "--explain-every", type=positive_int, default=97, help="run 'explain' on every Nth case (default 97)"
    )
    parser.add_argument("--model", help="model directory (default: the shipped model)")
    parser.add_argument("--json", type=Path, help="write the report as JSON")
    parser.add_argument("--save", type=Path, help="write each failing input to this directory")
    args = parser.parse_args(argv)
    if args.seeds is not None and not args.seeds.exists():
        parser.error(f"--seeds {args.seeds}: no such file or directory")
    check_output_dir(parser, "--json", args.json)
    if args.save is not None and args.save.exists() and not args.save.is_dir():
        parser.error(f"--save {args.save} exists and is not a directory")

    det = load_detector(parser, args.model)
    seeds = _seed_texts(args.seeds, args.min_seed_words)
    indices = [args.only] if args.only is not None else list(range(args.cases))
    tally = Tally()
    t0, c0 = time.perf_counter(), time.process_time()
    cases = []
    for i in indices:
        case = make_case(args.seed, i, seeds)
        cases.append(case)
        if args.only is not None:
            print(f"case {i} ({case.kind}, {len(case.data)} {'bytes' if isinstance(case.data, bytes) else 'chars'}):")
            print(repr(case.data[:2000]))
        roll = random.Random(f"{args.seed}:{i}:calls").random()
        fuzz_library(
            det, case, explain=roll < 0.2, tally=tally, raw=roll < 0.2 or roll > 0.8, documents=0.1 <= roll < 0.3
        )
        tally.cases += 1
        tally.by_kind[case.kind] = tally.by_kind.get(case.kind, 0) + 1
        if args.only is None and (i + 1) % 1000 == 0:
            print(
                f"  {i + 1:,} cases, {time.perf_counter() - t0:.0f} s, {len(tally.crashes)} crashes, "
                f"{len(tally.violations)} violations",
                flush=True,
            )
    t_lib, cpu_lib = time.perf_counter() - t0, time.process_time() - c0
    main_fn = None if args.no_cli else _cli_main()
    t1, c1 = time.perf_counter(), time.process_time()
    if main_fn is not None:
        fuzz_cli(main_fn, cases, args.seed, tally, args.cli_group, args.explain_every if args.only is None else 1)
    t_cli, cpu_cli = time.perf_counter() - t1, time.process_time() - c1

    print()
    print(
        f"spincheck {spincheck.__version__}, seed {args.seed}: {tally.cases:,} cases in {t_lib:.0f} s "
        f"({cpu_lib:.0f} CPU-s) through the library"
        + (
            f", {tally.cli_calls} CLI calls in {t_cli:.0f} s ({cpu_cli:.0f} CPU-s)"
            if main_fn is not None
            else ", CLI not run"
        )
    )
    print("cases by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.by_kind.items())))
    print(f"tracebacks (crashes): {len(tally.crashes)}")
    print(f"invariant violations: {len(tally.violations)}")
    # One group per kind of failure: quoted text, numbers and the API that noticed it left out.
    groups: dict[str, list[Failure]] = {}
    for f in tally.crashes + tally.violations:
        key = f.what if f in tally.crashes else re.sub(r"'[^']*'|\"[^\"]*\"|-?\d+(\.\d+)?", "_", f.what)
        groups.setdefault(key, []).append(f)
    crashed = {id(f) for f in tally.crashes}
    shown = sorted(groups.items(), key=lambda kv: (id(kv[1][0]) not in crashed, -len(kv[1])))  # crashes first
    for key, fails in shown[:MAX_GROUPS]:
        first = fails[0]
        cases = len({f.case for f in fails})
        print(f"\n- {len(fails)} x in {cases} case(s): {key}")
        print(f"  first: [{first.where}] {first.what}")
        print(
            f"  case {first.case} ({first.kind}); rerun: python scripts/fuzz.py --seed {args.seed} --only {first.case}"
        )
        if first.sample:
            print(f"  input: {first.sample[:160]}")
        if first.shrunk:
            print(f"  shrunk: {first.shrunk[:300]}")
        if first.detail:
            print("  " + first.detail.strip().replace("\n", "\n  ")[:1200])
    if len(shown) > MAX_GROUPS:
        print(f"\n... and {len(shown) - MAX_GROUPS} more kinds of failure (see --json)")
    if args.save and (tally.crashes or tally.violations):
        args.save.mkdir(parents=True, exist_ok=True)
        for f in tally.crashes + tally.violations:
            if f.case < 0:
                continue
            case = make_case(args.seed, f.case, seeds)
            data = case.data if isinstance(case.data, bytes) else case.data.encode("utf-8", errors="surrogatepass")
            (args.save / f"case{f.case}.bin").write_bytes(data)
        print(f"\nfailing inputs written to {args.save}")
    if args.json:
        report = {
            "seed": args.seed,
            "cases": tally.cases,
            "cli_calls": tally.cli_calls,
            "library_seconds": t_lib,
            "library_cpu_seconds": cpu_lib,
            "cli_seconds": t_cli,
            "cli_cpu_seconds": cpu_cli,
            "by_kind": tally.by_kind,
            "crashes": [f.__dict__ for f in tally.crashes],
            "violations": [f.__dict__ for f in tally.violations],
        }
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 1 if tally.crashes or tally.violations else 0


if __name__ == "__main__":
    sys.exit(main())
