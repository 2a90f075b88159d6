"""Document formats: the text of a web page, PDF, Word (.docx), OpenDocument (.odt), RTF or
EPUB file, from its bytes, one paragraph per block with blank lines between (the lines a web
page's ``<br>`` breaks stay lines of their block, which split_paragraphs reads as a text file's).

:mod:`spincheck.inputs` decides what an input is and streams it; the converters here turn a
whole document into the text that is scored. Each keeps the body's text and leaves out what a
reader skips (navigation, headers and footers, footnotes, deleted text of tracked changes), and
joins lines that a PDF, or text pasted from one, wrapped into paragraphs. Only the standard
library is needed, except for PDFs (pypdf) and, when installed, trafilatura for web pages.
"""

from __future__ import annotations

import bisect
import codecs
import html.parser
import io
import itertools
import os
import posixpath
import re
import urllib.parse
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import IO
from xml.etree import ElementTree

from .text import _INVISIBLE_CHARS, LIST_ITEM, _newlines, _shown, decode_bytes, full_width, without_lone_surrogates

__all__ = [
    "html_to_text",
    "decode_html",
    "pdf_to_text",
    "pdf_paragraphs",
    "docx_to_text",
    "odt_to_text",
    "rtf_to_text",
    "epub_to_text",
    "document_text",
    "OfficeError",
    "MAX_DOCUMENT_BYTES",
    "MAX_TRAFILATURA_TAGS",
]

# Documents are read whole (and a zip archive's text parts inflated) up to this size; larger
# ones are refused unread.
MAX_DOCUMENT_BYTES = 64 << 20


# ---- HTML -------------------------------------------------------------------------------------


class _Pieces:
    """A paragraph's text as it is read, in the pieces markup cuts it into ("<i>ab</i>"), joined
    _PIECES at a time: one str a piece, 48 MB of "<i>ab</i>" took 481 MB. A label's copy of it to
    take back to (mark) holds _PIECES at most: a copy of all of them at every label made
    "ab<label></label>" repeated take quadratic time (40,000 in 1.9 s, 48 MB in hours)."""

    __slots__ = ("blocks", "loose")

    def __init__(self) -> None:
        self.blocks: list[str] = []  # pieces joined; only appended to, or cut back by back_to
        self.loose: list[str] = []

    def append(self, piece: str) -> None:
        self.loose.append(piece)
        if len(self.loose) >= _PIECES:
            self.blocks.append("".join(self.loose))
            self.loose = []

    def __bool__(self) -> bool:
        return bool(self.loose or self.blocks)

    def text(self) -> str:
        return "".join([*self.blocks, *self.loose])

    def mark(self) -> tuple[_Pieces, int, list[str]]:
        """What back_to needs to make these pieces what they are now."""
        return self, len(self.blocks), list(self.loose)

    @staticmethod
    def back_to(mark: tuple[_Pieces, int, list[str]]) -> _Pieces:
        """The pieces of a mark, made what they were when it was taken (blocks joined since are
        cut: they only ever grow by appends, as later marks were taken after this one)."""
        pieces, blocks, loose = mark
        del pieces.blocks[blocks:]
        pieces.loose = loose
        return pieces


class _MainText(html.parser.HTMLParser):
    """Stdlib fallback: visible text of block elements, minus page furniture."""

    # not "form": ASP.NET WebForms pages hold their whole body in one; a form's own furniture is skipped
    # a browser never shows a page's <title> in the page, wherever it stands: "<!DOCTYPE html><title>"
    # with no <head> around it is a whole valid head
    SKIP = frozenset(
        "script style nav header footer aside noscript template svg head iframe select textarea title".split()
    )
    BLOCK = frozenset(
        "p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr td th table section article main blockquote "
        "pre figure figcaption hr address details summary center fieldset legend caption form menu dir hgroup "
        "search".split()
    )
    # HTML lets "</head>" go unwritten: <body>, or any block of the body, closes the head as a
    # browser closes it. Counted naively, a head left open hid the whole page.
    HEAD_CLOSED_BY = BLOCK | {"body"}
    # Labels and buttons are read tentatively and their text taken back at their end tag: one left
    # open shows the rest of the page in a browser, and skipping it hid that from the reader. One
    # left open ends, as in a browser, with the block around it: a later stray end tag must not
    # take back the page ("<div><label>Name</div> ... </label>").
    TENTATIVE = frozenset({"label", "button"})
    # At most this many are read tentatively at once; those opened inside more are read as text.
    # Each block start is counted in every open one: 4,000 labels left open before 4,000 blocks
    # took 7 s (a 300 KB page of 20,000 each, minutes), and no form nests labels so deep.
    MAX_TENTATIVE = 32
    # At most this many skipped elements are tracked at once; those opened inside more are not
    # (their text is skipped anyway), so an end tag of one closes a tracked one. Each costs about
    # 350 bytes: 2,000,000 nested "<nav>", 10 MB, took 695 MB. No page nests its furniture so deep.
    MAX_SKIPPED = 1000
    VOID = frozenset({"br", "hr"})
    # Furniture left open ends, as in a browser, with the block around it ("<div><nav>Menu</div>
    # <p>Article..."): skipped to its own end tag, it hid the rest of the page. Not the elements
    # whose text a browser reads raw (script, style, textarea, title, iframe, noscript) or keeps
    # apart (template, select), nor at "</p>", which a browser's <nav> has closed already.
    ENDS_WITH_BLOCK = frozenset("nav header footer aside svg".split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping: list[str] = []  # the skipped elements open here, outermost first
        # where each name stands in self.skipping, in order: "is a <head> open", and the innermost
        # <nav>, were searches of the whole list at every tag (20,000 open <nav> took 2 s, 40,000 9 s)
        self.skipped_at: dict[str, list[int]] = {}
        self.blocks: dict[str, int] = {}  # how many blocks of each name are open here
        self.skipped_blocks: list[dict[str, int]] = []  # for each skipped element, self.blocks at its start
        self.current = _Pieces()
        self.paragraphs: list[str] = []
        # the paragraphs before those, which no label or button open can take back, joined a
        # thousand at a time: one str each, 10,000,000 of "<p>ab" (48 MB) took 817 MB
        self.joined: list[str] = []
        # each label or button open here: its name, paragraphs so far, the current paragraph's
        # text, and how many of each block opened inside it are still open
        self.tentative: list[tuple[str, int, tuple[_Pieces, int, list[str]], dict[str, int]]] = []
        self.pre = 0  # how many <pre> elements are open here

    # 48 MB of "<p></p>" took 47 s of CPU (and trafilatura's try before it more): html.parser
    # spent half of it reading each tag's name and attributes in Python, and counting lines. A
    # bare tag ("<p>", "</div>"), the commonest kind, is read here as html.parser reads it in every
    # version (the handler given its name in lower case), and lines are not counted: 24 s.

    def updatepos(self, i: int, j: int) -> int:
        """Where the parser is, in lines: nothing here asks (getpos), so they are not counted."""
        return j

    def parse_starttag(self, i: int) -> int:
        """A bare block tag: not one html.parser reads the content of as raw text (script, style)."""
        bare = _BARE_START.match(self.rawdata, i)
        if bare is None or (tag := bare[1].lower()) not in self.BLOCK:
            return super().parse_starttag(i)
        self.lasttag = tag
        self.handle_starttag(tag, [])
        return bare.end()

    def parse_endtag(self, i: int) -> int:
        """A bare end tag, unless inside a script or style (where html.parser reads it as text)."""
        bare = _BARE_END.match(self.rawdata, i)
        if bare is None or self.cdata_elem is not None:
            return super().parse_endtag(i)
        self.handle_endtag(bare[1].lower())
        return bare.end()

    def _end_paragraph(self) -> None:
        if not (self.current.loose or self.current.blocks):  # not bool(): a call, at every block edge
            return  # most block edges of a page follow another one
        # white space is one space, but a browser shows a <pre>'s lines as they are: its line breaks
        # are kept, and a blank line in it ends a paragraph (a mailing-list archive's message)
        block: list[str] = []
        for line in [*self.current.text().split("\n"), ""]:
            line = " ".join(line.split())
            if line:
                block.append(line)
            elif block:
                self.paragraphs.append("\n".join(block))
                block = []
        self.current = _Pieces()
        if len(self.paragraphs) >= _JOINED:
            # a label or button that has read a thousand paragraphs is no form's: they stay read,
            # and it holds none back (48 MB of "<p>ab" after a "<label>" took 894 MB)
            while self.tentative and len(self.paragraphs) - self.tentative[0][1] >= _JOINED:
                del self.tentative[0]
            if not self.tentative:
                self.joined.append("\n\n".join(self.paragraphs))
                self.paragraphs = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if self.skipped_at.get("head") and tag in self.HEAD_CLOSED_BY:
            self._unskip(self.skipped_at["head"][0])
        if tag == "br":
            # a line break, not a paragraph's end: text typed with hard line breaks (nl2br, a
            # pasted e-mail) is lines of one paragraph, which split_paragraphs rejoins; "<br><br>"
            # is a blank line and ends it
            if not self.skipping:
                self.current.append("\n")
        elif tag in self.SKIP:
            if len(self.skipping) < self.MAX_SKIPPED:
                self.skipped_at.setdefault(tag, []).append(len(self.skipping))
                self.skipping.append(tag)
                self.skipped_blocks.append(dict(self.blocks))
        elif tag in self.TENTATIVE:
            if not self.skipping and len(self.tentative) < self.MAX_TENTATIVE:  # in furniture, dropped anyway
                self.tentative.append((tag, len(self.paragraphs), self.current.mark(), {}))
        elif tag in self.BLOCK:
            if tag not in self.VOID:
                self.blocks[tag] = self.blocks.get(tag, 0) + 1
                for *_, inside in self.tentative:
                    inside[tag] = inside.get(tag, 0) + 1
            self._end_paragraph()
            self.pre += tag == "pre"

    def handle_startendtag(self, tag: str, attrs) -> None:
        # <br/>, <hr/>: never opened, so never counted as a skipped element
        if tag in self.BLOCK:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            if self.skipped_at.get(tag):  # the innermost one of that name, and any left open inside it
                self._unskip(self.skipped_at[tag][-1])
        elif tag in self.TENTATIVE:
            names = [name for name, *_ in self.tentative]
            if tag in names:  # closed: what was read inside it is taken back
                at = _innermost(names, tag)
                _, paragraphs, current, _ = self.tentative[at]
                del self.tentative[at:]
                del self.paragraphs[paragraphs:]
                self.current = _Pieces.back_to(current)
        elif tag in self.BLOCK:
            for at, (*_, inside) in enumerate(self.tentative):
                if not inside.get(tag):  # a block from outside it ends: so do it and those within
                    del self.tentative[at:]
                    break
                inside[tag] -= 1
            if tag not in self.VOID:
                self._end_block(tag)
            self._end_paragraph()
            if tag == "pre" and self.pre:
                self.pre -= 1

    def _end_block(self, tag: str) -> None:
        """A block's end tag: it closes the skipped elements left open inside it."""
        open_here = self.blocks.get(tag, 0)
        if not open_here:
            return  # a stray end tag, which a browser ignores
        # the outermost skipped element that the block was not opened in (as many were open before
        # it as are now: the counts at their starts only grow inwards); a bisection, so that a
        # page of thousands of open elements is not read in quadratic time
        at = bisect.bisect_left(self.skipped_blocks, open_here, key=lambda before: before.get(tag, 0))
        if at < len(self.skipping):
            if tag == "p" or self.skipping[at] not in self.ENDS_WITH_BLOCK:
                return  # which a browser ignores too
            self._unskip(at)
        self.blocks[tag] -= 1

    def _unskip(self, at: int) -> None:
        """Close the skipped element at ``at`` and those inside it, and the blocks left open in them."""
        self.blocks = self.skipped_blocks[at]
        for name in self.skipping[at:]:  # the last places of their names
            self.skipped_at[name].pop()
        del self.skipping[at:]
        del self.skipped_blocks[at:]

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data if self.pre else data.replace("\n", " "))

    def close(self) -> None:
        super().close()
        self._end_paragraph()

    def text(self) -> str:
        """The paragraphs read, blank lines between them."""
        return "\n\n".join([*self.joined, *self.paragraphs])


# tags without attributes or spaces, which _MainText reads without html.parser (a bare tag)
_BARE_START = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)>")
_BARE_END = re.compile(r"</([a-zA-Z][a-zA-Z0-9]*)>")
_JOINED = 1000  # paragraphs (see _MainText.joined)
_PIECES = 100  # see _Pieces


def _innermost(open_tags: list[str], tag: str) -> int:
    """The index of the last (innermost) ``tag`` among elements open outermost first."""
    return len(open_tags) - 1 - open_tags[::-1].index(tag)


_trafilatura_state: dict[str, object] = {}


def _trafilatura():
    """The trafilatura module, or None when it is missing or broken (imported once)."""
    if "module" not in _trafilatura_state:
        try:
            import trafilatura
        except Exception:  # ImportError, or a broken install (e.g. lxml without lxml_html_clean)
            trafilatura = None
        _trafilatura_state["module"] = trafilatura
    return _trafilatura_state["module"]


# <meta charset="..."> or <meta http-equiv="Content-Type" content="text/html; charset=...">, and
# the encoding in an XHTML page's XML declaration
_DECLARED_CHARSET = re.compile(
    rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml\s[^>]*?encoding\s*=\s*["']([\w.:-]+)""",
    re.IGNORECASE,
)
# labels that browsers read as another encoding (WHATWG Encoding Standard): each legacy charset as
# the Windows code page, a superset, that pages so labelled are written in; a page that declares
# UTF-16 in its own ASCII-compatible head cannot be UTF-16
_CHARSET_AS = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "euc_kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
}
# labels browsers know that Python's codecs do not
_CHARSET_LABELS = {"windows-874": "cp874", "x-gbk": "gb18030", "iso-8859-8-i": "iso8859-8"}
# the codecs (by their Python names) that web pages are written in, besides UTF-8; not idna,
# rot13, utf-7 or the escape codecs, whatever a page claims
_WEB_CHARSET = re.compile(r"cp\d+|iso8859-\d+|koi8-\w|mac-\w+|shift_jis\w*|euc_\w+|gb\w+|big5\w*|iso2022_\w+|tis-620")


def decode_html(data: bytes) -> tuple[str, bool, str]:
    """Decode a web page: as UTF-8 (or by its byte-order mark) when it is valid, else by the
    charset its head declares, else as UTF-8 with bad bytes replaced.

    Returns ``(page, had_errors, charset)``. Scraped pages still come in windows-1252 or
    Latin-1 and say so in a ``<meta>`` tag; read as UTF-8 every accented letter and curly
    quote would be garbled, and a garbled quote looks like an odd word. Valid UTF-8 wins over
    the declaration because pages saved as UTF-8 under an old Latin-1 template are common,
    and text in a legacy charset is almost never valid UTF-8 by chance.
    """
    page, bad = decode_bytes(data)
    declared = _DECLARED_CHARSET.search(data, 0, 4096) if bad else None
    if declared and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            label = (declared[1] or declared[2]).decode("ascii").lower()
            charset = codecs.lookup(_CHARSET_LABELS.get(label, label)).name
        except LookupError:  # an unknown label: browsers fall back too
            charset = "utf-8"
        charset = _CHARSET_AS.get(charset, charset)
        if _WEB_CHARSET.fullmatch(charset) and _ascii_compatible(charset):
            try:
                page, bad = data.decode(charset), False
            except UnicodeDecodeError:
                page, bad = data.decode(charset, errors="replace"), True
            return _newlines(page), bad, charset
    return page, bad, "utf-8"


def html_to_text(page: str | bytes | bytearray | memoryview, *, use_trafilatura: bool = True) -> str:
    """Main text of an HTML page, one paragraph per block separated by blank lines; the lines that
    ``<br>`` breaks stay lines of their block (as in a text file, wrapped ones are rejoined).

    Bytes are decoded first, as :func:`decode_html` decodes them.

    Uses trafilatura when it is installed (the ``html`` extra), else a stdlib parser that keeps
    the text of block elements and drops scripts, styles, navigation, headers, footers, asides,
    comments and the fields, labels and buttons of forms (not a form's other text: ASP.NET pages
    hold their whole body in one). A page in which trafilatura finds no main text (one laid out
    with tables, which it leaves out) is read by the stdlib parser too: "nothing to score" would
    pass a spun page as clean, and so is one of over MAX_TRAFILATURA_TAGS tags. Either way control
    characters are dropped, and text without markup is read as a browser shows it.
    """
    if isinstance(page, (bytes, bytearray, memoryview)):  # a crawler's response.body
        page = decode_html(bytes(page))[0]
    elif not isinstance(page, str):
        raise TypeError(f"html_to_text takes the page as str or bytes, not {type(page).__name__}")
    else:  # lxml stopped at half a surrogate pair: the rest of the page was lost, a spun page clean
        page = without_lone_surrogates(page)
    module = _trafilatura() if use_trafilatura and not _too_many_tags(page) else None
    if module is not None:
        try:
            # trafilatura ends a line at a <br> as at a paragraph; marked, its lines stay lines
            mark = next((mark for mark in _LINE_BREAK_MARKS if mark not in page), None)
            marked = _LINE_BREAK.sub(lambda br: br[1] + mark, page) if mark else page
            text = module.extract(marked, include_comments=False, include_tables=False, favor_precision=True) or ""
            text = _trafilatura_paragraphs(text, mark)
            if text:
                return text
        except Exception:  # a page trafilatura (or lxml) chokes on gets the fallback
            pass
    if _CONTROL.search(page):  # one search of the page, not one a paragraph (48 MB of "<p>ab")
        page = _CONTROL.sub("", page)
    # html.parser raises AssertionError on a malformed "<![" (a marked section): read again with
    # such sections as text, first only the odd ones, then every one
    for escape in (None, _BAD_MARKED_SECTION, _ANY_MARKED_SECTION):
        parser = _MainText()
        try:
            parser.feed(page if escape is None else escape.sub("&lt;![", page))
            parser.close()
            break
        except AssertionError:
            if escape is _ANY_MARKED_SECTION:
                raise
    return parser.text()


# Control characters that are not white space, which the fallback drops as trafilatura does (a
# browser drops a NUL and shows none of them): kept, a page read without trafilatura, or one it
# finds no main text in, differed from the same page read with it, a NUL inside a word split it
# in two, and a page of "<<<>>>\x00", all text to a browser, gave its NUL as text.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


# trafilatura reads a page as a tree of all its elements, about 1.4 KB and 80 µs each (4 MB of
# "<p>x" took 80 s and 1.4 GB; 48 MB of "<p></p>" 131 s and 2.8 GB, then the fallback read it
# all again). A page with more tags than this is read by the stdlib parser alone, whose memory
# does not grow with the tags (133 MB for those 48 MB). The whole Rust book on one page has 50,000.
MAX_TRAFILATURA_TAGS = 100_000


def _too_many_tags(page: str) -> bool:
    """Whether ``page`` (its "<" counted, comments and stray ones too) holds more tags than
    trafilatura is given (MAX_TRAFILATURA_TAGS)."""
    return page.count("<") > MAX_TRAFILATURA_TAGS


def _trafilatura_paragraphs(text: str, mark: str | None) -> str:
    """trafilatura's lines, one paragraph each, except that a line it began at a ``<br>`` (one
    that starts with ``mark``) goes on the paragraph before it as a line of it, and a line of
    ``mark`` alone ("<br><br>") is a blank line.

    Text typed with hard line breaks (nl2br, a pasted e-mail), each line a paragraph, was lines
    of ten words, too short to score, and mid-sentence: a spun page so laid out passed as clean.
    As lines of one block, split_paragraphs rejoins them when they are wrapped, as in a text file.
    """
    parts: list[str] = []
    for line in text.splitlines():
        goes_on = mark is not None and line.lstrip().startswith(mark)
        line = (line.replace(mark, "") if mark else line).strip()
        if line:
            parts.append(("\n" if goes_on and parts else "\n\n") + line)
        elif goes_on:
            parts.append("\n")
    return _BLANK_LINES.sub("\n\n", "".join(parts)).strip()


# A <br> tag (not <brand> nor a custom <br-x>) with the white space after it, which a browser does
# not show (after the mark, trafilatura kept its line break). The mark put after it is the first of
# these the page does not hold: printable ones, as trafilatura drops control, private-use and
# zero-width characters.
_LINE_BREAK = re.compile(r"(<br(?=[\s/>])[^<>]*>)\s*", re.IGNORECASE)
_LINE_BREAK_MARKS = ("\u241e", "\u2424", "\u2425", "\u2422")
_BLANK_LINES = re.compile(r"\n\n+")


# Marked sections read as text once html.parser has raised AssertionError on one ("expected name
# token", "unknown status keyword"): first those that are neither CDATA nor a keyword it knows
# (conditional comments such as "<![if !IE]>" stay markup), then, if that fails too, all but CDATA.
_KNOWN_SECTION = r"CDATA\[|\s*(?:if|else|endif|temp|ignore|include|rcdata)\b"
_BAD_MARKED_SECTION = re.compile(rf"<!\[(?!{_KNOWN_SECTION})", re.IGNORECASE)
_ANY_MARKED_SECTION = re.compile(r"<!\[(?!CDATA\[)", re.IGNORECASE)


# ---- PDF --------------------------------------------------------------------------------------

_pypdf_state: dict[str, object] = {}


def _pypdf():
    """The pypdf module, or None when it is not installed (imported once)."""
    if "module" not in _pypdf_state:
        try:
            import pypdf
        except ImportError:
            pypdf = None
        _pypdf_state["module"] = pypdf
    return _pypdf_state["module"]


def pdf_to_text(data: bytes) -> str:
    """Text of a PDF: one paragraph per line, blank lines between (see :func:`pdf_paragraphs`).

    Needs pypdf (the ``pdf`` extra). An encrypted PDF is read if it opens
    without a password, as many "protected" ones do. A file that is no
    readable PDF raises ``ValueError``, as the other formats' functions do.
    """
    data = _file_bytes(data, "pdf_to_text")
    module = _pypdf()
    if module is None:
        raise RuntimeError("reading PDFs needs pypdf, which is not installed (pip install pypdf)")
    # pypdf's own errors (PdfStreamError, PdfReadError: 58 % of 3,000 damaged copies of a test PDF)
    # and the few others its code raises on damaged files (AttributeError, TypeError: 4 of them)
    # reached a library caller as they were, where the other formats raise ValueError
    try:
        pages = _pdf_lines(module, data)
    except (module.errors.PyPdfError, KeyError, IndexError, AttributeError, TypeError, AssertionError) as exc:
        raise ValueError(str(exc).strip() or type(exc).__name__) from exc
    return "\n\n".join(pdf_paragraphs(pages))


def _pdf_lines(module, data: bytes) -> list[list[str]]:
    """The lines of each page of a PDF, read with pypdf ``module``."""
    reader = module.PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("it is encrypted with a password")
    try:
        pages_found = len(reader.pages)
    except KeyError:  # pypdf before 7 raises KeyError('/Kids') where a page tree has no kids; 7 counts 0
        pages_found = 0
    if not pages_found:  # a scan has pages without text; none at all is a damaged page tree, not one for OCR
        raise ValueError("it has no pages (its page tree is missing or damaged)")
    pages: list[list[str]] = []
    size = 0
    for page in reader.pages:
        text = page.extract_text() or ""
        size += len(text)
        # a PDF's content streams are compressed: a file of kilobytes can hold gigabytes of text
        if size > MAX_DOCUMENT_BYTES:
            raise ValueError(f"it holds more than {_size(MAX_DOCUMENT_BYTES)} of text")
        pages.append(text.splitlines())
    return pages


# A line that ends a sentence ends a PDF paragraph only here. Stricter than
# text._SENTENCE_END (any closing bracket or quote): in a paper a line that ends "(n = 48)"
# or "[12]" mid-sentence is common, and must not end its paragraph.
_SENTENCE_END_PDF = re.compile(r"""[.!?:]["'\u201d\u2019)\]]*$""")
_WORD_BROKEN = re.compile(r"[^\W\d_]-$")


def pdf_paragraphs(pages: list[list[str]]) -> list[str]:
    """Rebuild paragraphs from the lines of a PDF's pages.

    A PDF holds lines, not paragraphs, and text extracted from it has no
    blank line between paragraphs: read line by line, every line of a paper
    would be a "paragraph" of a dozen words. A wrapped line runs nearly to
    the full width of the text (the longest lines, measured per document),
    so a line clearly shorter that ends a sentence, or is followed by a
    capitalised line, ends its paragraph; a list item starts one, and so
    does, after a sentence's end, a short line that neither starts in lower
    case nor ends a sentence and is followed by a capitalised line (a
    heading, kept apart to be reported as too short).

    Running headers and footers (a line repeated at the top or bottom of
    many pages, page numbers counted alike) and lines that are only a
    number are dropped. Lines are joined with a space, and a word
    hyphenated across two lines is joined whole.
    """
    running = _running_lines(pages)
    lines = [
        line
        for page in pages
        for line in (_shown_edges(raw.strip()) for raw in page)
        if line and not line.isdigit() and _digits_as_zero(line) not in running
    ]
    if not lines:
        return []
    # widths as the lines show (text._shown): with an invisible character between every two letters,
    # a line was as long as two, and one among plain ones read as full
    widths = [_shown(line) for line in lines]
    full = full_width(widths)
    paragraphs: list[str] = []
    # The paragraph so far, as pieces joined when it ends, and its last _TAIL characters for the tests
    # on its end: grown and searched whole for each line, a paragraph took time quadratic in its
    # length (a PDF of 250 pages of one running text, 55 s; a 3.7 MB paragraph, 98 s).
    parts: list[str] = []
    tail = ""
    for line, width, following in zip(lines, widths, [*lines[1:], ""]):
        short = width < 0.8 * full
        ends_sentence = bool(_SENTENCE_END_PDF.search(line))
        heading = short and not ends_sentence and not line[:1].islower() and not following[:1].islower()
        # a heading after a full last line of a paragraph; after a line that runs on, the short
        # line is more likely that paragraph's end, without a full stop ("... in Fig. 3")
        if parts and ((heading and _SENTENCE_END_PDF.search(_end(tail, parts))) or LIST_ITEM.match(line)):
            paragraphs.append("".join(parts))
            parts = []
        if not parts:
            parts, tail = [line], line
        elif tail.endswith("\u00ad"):  # a soft hyphen: tagged PDFs mark a word the typesetter broke so
            parts[-1] = parts[-1][:-1]  # the last line, which is never empty
            parts.append(line)
            tail = tail[:-1] + line
        elif _WORD_BROKEN.search(tail) and line[:1].islower():
            parts[-1] = parts[-1][:-1]
            parts.append(line)
            tail = tail[:-1] + line
        elif _WORD_BROKEN.search(tail) and line[:1].isupper():  # a compound's own hyphen: "North-American"
            parts.append(line)
            tail += line
        else:
            parts.append(f" {line}")
            tail = f"{tail} {line}"
        tail = tail[-_TAIL:]
        if short and not line.endswith("\u00ad") and (ends_sentence or not following[:1].islower()):
            paragraphs.append("".join(parts))
            parts = []
    if parts:
        paragraphs.append("".join(parts))
    return paragraphs


# Invisible characters at a line's edges (text._INVISIBLE_CHARS) hide its first letter's case and its
# last full stop: with one before every character, no line started in lower case, and lines pasted
# into a word processor were not rejoined. A soft hyphen at a line's end breaks a word, and stays.
_AT_END = _INVISIBLE_CHARS.replace("\u00ad", "")


def _shown_edges(line: str) -> str:
    """``line`` without the invisible characters (and spaces) at its edges, but a soft hyphen at its end."""
    return line if line.isascii() else line.lstrip(_INVISIBLE_CHARS).rstrip(_AT_END).strip()


_TAIL = 64
_CLOSING_MARKS = "\"'\u201d\u2019)]"  # what _SENTENCE_END_PDF lets follow a sentence's end


def _end(tail: str, parts: list[str]) -> str:
    """The end of a paragraph that _SENTENCE_END_PDF needs: its last _TAIL characters, or all of it
    when those are all closing marks (which the sentence's end may come before)."""
    return tail if len(tail) < _TAIL or tail.rstrip(_CLOSING_MARKS) else "".join(parts)


_DIGITS = re.compile(r"\d+")


def _digits_as_zero(line: str) -> str:
    """Page numbers in running headers and footers differ from page to page: count them alike."""
    return _DIGITS.sub("0", line)


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines found among the first or last two lines of at least half the pages (three at least)."""
    if len(pages) < 3:
        return set()
    counts: dict[str, int] = {}
    for page in pages:
        lines = [line.strip() for line in page if line.strip()]
        for line in {_digits_as_zero(line) for line in lines[:2] + lines[-2:]}:
            counts[line] = counts.get(line, 0) + 1
    return {line for line, n in counts.items() if n >= max(3, len(pages) / 2)}


# ---- Word and OpenDocument text ------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Word's "Strict Open XML Document" writes the same elements in the ISO 29500 Strict namespace;
# declared with either quote, it is read as the usual (Transitional) one
_W_STRICT = re.compile(rb"([\"'])http://purl\.oclc\.org/ooxml/wordprocessingml/main\1")
_W_TRANSITIONAL = rb"\1" + _W[1:-1].encode() + rb"\1"
# characters Word writes as elements: breaks, and hyphens that are not text (a non-breaking one
# is U+2011, as RTF's "\_" is read; left out, "long-term" became one word "longterm")
_DOCX_BREAKS = {
    _W + "tab": "\t",
    _W + "br": "\n",
    _W + "cr": "\n",
    _W + "noBreakHyphen": "\u2011",
    _W + "softHyphen": "\u00ad",
}
# text that tracked changes moved away: it is in the document again where it was moved to
_DOCX_MOVED_AWAY = _W + "moveFrom"
# a text box is written twice, as a drawing (mc:Choice) and as VML for older readers (mc:Fallback)
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_T = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ODT_PARAGRAPHS = (_T + "p", _T + "h")
# A paragraph's own spaces, tabs and line breaks are elements; the white space of its character
# data is collapsed to one space, as XML is indented (pandoc wraps a paragraph's text at 72
# columns). The elements stand for their characters as control characters, which XML cannot hold,
# until the white space around them has been collapsed.
_ODT_BREAKS = {_T + "tab": "\x01", _T + "line-break": "\x02"}
_ODT_SPACES = re.compile(r"[ \t\r\n]+")
# A run of spaces is kept up to this long: text:c="1000000000" in a file of a few hundred bytes
# asked for gigabytes, where a page shows no more than a line of spaces.
_ODT_MAX_SPACES = 200
_ODT_CHARACTERS = str.maketrans("\x00\x01\x02", " \t\n")
_ODT_BLOCKS = ("{urn:oasis:names:tc:opendocument:xmlns:table:1.0}table-cell", _T + "list-item")
# footnotes and endnotes, comments, the deleted text that tracked changes keep, the
# title and description (alt text) of a picture framed inside a paragraph, and the label of a
# numbered list item or heading ("1.", "a)"), which a writer may cache in the paragraph (as a
# .docx keeps its labels out of its text): glued to the first word, "a)The" was read as "a the"
_SVG = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"
_ODT_LEFT_OUT = (
    _T + "note",
    _T + "number",
    _T + "tracked-changes",
    "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}annotation",
    _SVG + "title",
    _SVG + "desc",
)


class OfficeError(ValueError):
    """A .docx, .odt, .rtf or .epub file that is not a readable document."""


def _file_bytes(data: object, function: str) -> bytes:
    """``data`` as bytes, or a TypeError that says what to pass: None became an empty file ("not a
    valid zip archive"), a path str a regex error, and a memoryview failed in rtf_to_text."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    hint = " (a path? pass open(path, 'rb').read())" if isinstance(data, (str, os.PathLike)) else ""
    raise TypeError(f"{function}() takes the file's contents as bytes, not {type(data).__name__}{hint}")


# zipfile reads an archive's directory whole, into an object of about 500 bytes an entry: 600,000
# empty entries (a 51 MB file) took 310 MB and 3.7 s, and an EPUB was opened four times (13 s). A
# directory larger than this (90,000 entries at the least; a book of 1,000 pictures has 100 KB)
# is refused before zipfile reads it.
MAX_ZIP_DIRECTORY = 4 << 20


def _archive(data: bytes) -> zipfile.ZipFile:
    """``data`` opened as a zip archive, refused unread when its directory is larger than
    MAX_ZIP_DIRECTORY."""
    if _directory_size(data) > MAX_ZIP_DIRECTORY:
        raise OfficeError(
            f"it holds more files than a document does (its list of them is over {_size(MAX_ZIP_DIRECTORY)})"
        )
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise _zip_error(exc) from None


def _directory_size(data: bytes) -> int:
    """How many bytes of directory zipfile reads for ``data``: the size its end record gives, or
    the Zip64 end record's before it, found where zipfile finds them; 0 without an end record
    (zipfile refuses the archive then)."""
    end = data.rfind(b"PK\x05\x06", max(len(data) - 22 - 0xFFFF, 0))  # after a comment of up to 64 KB
    if end < 0 or end + 22 > len(data):
        return 0
    zip64 = end - 20 - 56  # a Zip64 end record (56 bytes), then its locator (20)
    if zip64 >= 0 and data.startswith(b"PK\x06\x07", end - 20) and data.startswith(b"PK\x06\x06", zip64):
        size = int.from_bytes(data[zip64 + 40 : zip64 + 48], "little")
    else:
        size = int.from_bytes(data[end + 12 : end + 16], "little")
    return min(size, len(data))  # zipfile reads no more than there is


def _zip_parts(archive: zipfile.ZipFile, parts: list[str], *, missing_ok: bool = False) -> list[bytes]:
    """The ``parts`` of a zip archive, their sizes checked (together) before they are inflated;
    a part that is not there is an error, or b"" with ``missing_ok``."""
    try:
        infos = _zip_infos(archive, parts, missing_ok)
        found = {info.filename: archive.read(info) for info in infos}
        return [found.get(part, b"") for part in parts]
    except OfficeError:
        raise
    except _ZIP_ERRORS as exc:
        raise _zip_error(exc) from None


# a damaged central directory can also point before the archive's start: "negative seek value";
# a damaged part compressed with bzip2 is an OSError ("Invalid data stream"), with LZMA an LZMAError
_ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,
    EOFError,
    zlib.error,
    ValueError,
    OSError,
)
try:
    import lzma
except ImportError:  # a Python built without it reads no LZMA part (NotImplementedError)
    pass
else:
    _ZIP_ERRORS += (lzma.LZMAError,)


def _zip_error(exc: BaseException) -> OfficeError:
    return OfficeError(f"not a valid zip archive ({str(exc).rstrip('.') or type(exc).__name__})")


def _zip_infos(archive: zipfile.ZipFile, parts: list[str], missing_ok: bool) -> list[zipfile.ZipInfo]:
    """The entries of ``parts``, refused when together larger than MAX_DOCUMENT_BYTES inflated
    (a zip bomb, refused unread) or encrypted; one that is not there is an error unless ``missing_ok``."""
    infos = []
    for part in parts:
        try:
            infos.append(archive.getinfo(part))
        except KeyError:
            if not missing_ok:
                raise OfficeError(f"it has no {part}") from None
    if sum(info.file_size for info in infos) > MAX_DOCUMENT_BYTES:
        raise OfficeError(f"its text part is larger than {_size(MAX_DOCUMENT_BYTES)}")
    if any(info.flag_bits & 0x1 for info in infos):
        raise OfficeError("it is encrypted (save it without a password)")
    return infos


# The XML of a Word or OpenDocument text is parsed as it is inflated, this much at a time, into a
# reader that keeps only the text: parsed whole into a tree, a document.xml of 48 MB of empty
# paragraphs took 1 GB of memory (and 14 s).
_XML_PIECE = 1 << 16
# Elements nested deeper than this are refused: each open one costs the parser memory (16 million
# "<a>", 48 MB, took 2 GB), and no word processor nests a tenth as deep. The tree was read
# recursively, and refused about as deep.
_MAX_XML_DEPTH = 1000


def _parse_part(
    archive: zipfile.ZipFile,
    part: str,
    target: _OfficeText,
    rewrite: Callable[[Iterator[bytes]], Iterator[bytes]] | None = None,
    *,
    optional: bool = False,
) -> bool:
    """Feed the XML ``part`` of a zip archive to ``target`` as it is inflated (its size checked
    before), through ``rewrite`` if given. Only the text the target keeps is held, not the part.
    An ``optional`` part that is missing or empty is not parsed: False."""
    try:
        infos = _zip_infos(archive, [part], optional)
        if not infos:
            return False
        member = archive.open(infos[0])
    except OfficeError:
        raise
    except _ZIP_ERRORS as exc:
        raise _zip_error(exc) from None
    with member:
        pieces = _inflated(member)
        if optional:
            first = next(pieces, b"")
            if not first:
                return False
            pieces = itertools.chain([first], pieces)
        parser = ElementTree.XMLParser(target=target)
        try:
            for piece in rewrite(pieces) if rewrite else pieces:
                parser.feed(piece)
            parser.close()
        except ElementTree.ParseError as exc:
            for _ in pieces:  # an archive damaged further on is reported as such, as when inflated whole
                pass
            raise OfficeError(f"its XML is damaged ({exc})") from None
        except OfficeError:
            raise
        # expat reads UTF-8, UTF-16 and single-byte charsets: "unknown encoding: x" is a
        # LookupError, "multi-byte encodings are not supported" (Shift JIS, UTF-32) a ValueError
        except (LookupError, ValueError) as exc:
            raise OfficeError(f"its XML declares an encoding that cannot be read ({exc})") from None
    return True


def _inflated(member: IO[bytes]) -> Iterator[bytes]:
    """A zip member's bytes as they are inflated, its errors OfficeError."""
    while True:
        try:
            piece = member.read(_XML_PIECE)
        except _ZIP_ERRORS as exc:
            raise _zip_error(exc) from None
        if not piece:
            return
        yield piece


_EPUB_TEXT_TYPES = ("application/xhtml+xml", "text/html", "application/x-dtbook+xml")
_EPUB_ITEM_KEYS = ("href", "media-type", "fallback")  # what is kept of a manifest item
# An EPUB's manifest (its files) and spine (its chapters, in order) are held as the package file
# is parsed: 640,000 of each, 61 MB, took 300 MB and 4 s. A book lists hundreds, or thousands
# with its pictures; a package file listing more than this of either is refused.
MAX_EPUB_ITEMS = 100_000


def _epub_text_item(items: dict, item_id: str | None, depth: int = 0) -> dict[str, str] | None:
    """The manifest item a spine entry reads: itself when it is (X)HTML, else its fallback."""
    item = items.get(item_id)
    if item is None or depth > 8:
        return None
    if item.get("media-type", "application/xhtml+xml") in _EPUB_TEXT_TYPES:
        return item
    return _epub_text_item(items, item.get("fallback"), depth + 1)


def _epub_path(base: str, href: str) -> str:
    """A manifest or encryption reference as a path in the archive: relative to ``base``,
    without its #fragment, %-escapes decoded, and no leading slash (zip names have none)."""
    path = posixpath.join(base, urllib.parse.unquote(urllib.parse.urldefrag(href)[0]))
    return posixpath.normpath(path).lstrip("/")


def _local_name(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def epub_to_text(data: bytes) -> str:
    """The text of an EPUB e-book: its chapters in reading order, each reduced to the text of
    its blocks as a web page is (navigation, scripts and the like left out).

    An EPUB is a zip archive: ``META-INF/container.xml`` names the package file, whose manifest
    lists the chapters (XHTML) and whose spine orders them. A book with DRM has its chapters
    encrypted (``META-INF/encryption.xml``) and cannot be read.
    """
    data = _file_bytes(data, "epub_to_text")
    # the attributes of elements, as the XML parts are parsed (a tree of a 48 MB container.xml
    # took 1.2 GB), by local name: books in the wild drop or rename the package's namespace
    rootfiles: list[dict[str, str]] = []
    items: dict[str | None, dict[str, str]] = {}
    refs: list[str | None] = []
    encrypted: set[str] = set()

    def container(tag: str, attrib: dict[str, str]) -> None:
        if not rootfiles and _local_name(tag) == "rootfile":
            rootfiles.append(attrib)

    def package(tag: str, attrib: dict[str, str]) -> None:
        name = _local_name(tag)
        if name == "item":
            items[attrib.get("id")] = {key: attrib[key] for key in _EPUB_ITEM_KEYS if key in attrib}
        elif name == "itemref":
            refs.append(attrib.get("idref"))
        if len(items) > MAX_EPUB_ITEMS or len(refs) > MAX_EPUB_ITEMS:
            raise OfficeError(f"its package lists over {MAX_EPUB_ITEMS:,} files or chapters (no book has so many)")

    def encryption(tag: str, attrib: dict[str, str]) -> None:
        if tag.endswith("CipherReference"):
            encrypted.add(_epub_path("", attrib.get("URI", "")))

    with _archive(data) as archive:
        _parse_part(archive, "META-INF/container.xml", _Starts(container))
        if not rootfiles or not rootfiles[0].get("full-path"):
            raise OfficeError("its META-INF/container.xml names no package file")
        package_path = _epub_path("", rootfiles[0].get("full-path", ""))
        _parse_part(archive, package_path, _Starts(package))
        base = posixpath.dirname(package_path)
        chapters: dict[str, None] = {}  # in spine order; a chapter listed twice is read once
        for ref in refs:
            item = _epub_text_item(items, ref)
            if item is not None:
                chapters.setdefault(_epub_path(base, item.get("href", "")))
        if _parse_part(archive, "META-INF/encryption.xml", _Starts(encryption), optional=True):
            if encrypted.intersection(chapters):  # fonts alone may be obfuscated; chapters mean DRM
                raise OfficeError("its chapters are encrypted (DRM)")
        pages = _zip_parts(archive, list(chapters), missing_ok=True)
    texts = (html_to_text(decode_html(page)[0], use_trafilatura=False) for page in pages if page)
    return "\n\n".join(text for text in texts if text)


def docx_to_text(data: bytes) -> str:
    """The paragraphs of a Word (.docx) document's body, table cells included, one per block.

    Only the stdlib is needed: a .docx is a zip archive whose main part (``word/document.xml``,
    or the part its ``_rels/.rels`` names, as Word Online's ``word/document2.xml``) holds the
    paragraphs (``w:p``) and their runs of text (``w:t``). Headers, footers, footnotes and
    comments live in other parts and are left out, as the main text of a web page is kept;
    so are hidden text (``w:vanish``) and deleted text of tracked changes (``w:delText``), and
    moved text is read where it was moved to (``w:moveTo``), not also where it was
    (``w:moveFrom``). A Strict Open XML document is read as the usual kind.
    """
    data = _file_bytes(data, "docx_to_text")
    reader = _DocxText()
    with _archive(data) as archive:
        _parse_part(archive, _docx_main_part(archive), reader, _w_transitional)
    return _paragraph_text(reader.paragraphs)


def _w_transitional(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """``pieces`` with the Strict namespace made the usual one (:data:`_W_STRICT`), one cut
    between two pieces included."""
    keep = len(b'"http://purl.oclc.org/ooxml/wordprocessingml/main"') - 1  # a match starts before this
    rest = b""
    for piece in pieces:
        piece = rest + piece
        ends = [match.end() for match in _W_STRICT.finditer(piece)]
        cut = max(len(piece) - keep, ends[-1] if ends else 0, 0)
        rest = piece[cut:]
        yield _W_STRICT.sub(_W_TRANSITIONAL, piece[:cut]) if ends else piece[:cut]
    yield _W_STRICT.sub(_W_TRANSITIONAL, rest)


def _docx_main_part(archive: zipfile.ZipFile) -> str:
    """The name of a .docx's main part: the target of its package's officeDocument relationship
    (Word Online writes ``word/document2.xml``), else ``word/document.xml``."""
    targets: list[str] = []

    def relationship(tag: str, attrib: dict[str, str]) -> None:  # Transitional or Strict: ".../officeDocument"
        if not targets and attrib.get("Type", "").endswith("/officeDocument") and attrib.get("Target"):
            targets.append(_epub_path("", attrib["Target"]))  # a URI from the package's root, as in an EPUB

    try:
        _parse_part(archive, "_rels/.rels", _Starts(relationship))
    except OfficeError:  # missing, or damaged: Word repairs a damaged package; its main part is found by its usual name
        return "word/document.xml"
    return targets[0] if targets else "word/document.xml"


class _OfficeText:
    """A parser target that keeps an office document's paragraphs as they are parsed, and refuses
    XML nested too deeply or holding more than MAX_DOCUMENT_BYTES of text (entities can expand)."""

    def __init__(self) -> None:
        self.paragraphs: list[str | None] = []  # None ends a block; one None stands for a run of them
        self._size = 0  # of the text kept; checked against MAX_DOCUMENT_BYTES as it grows

    @staticmethod
    def _too_deep() -> None:
        raise OfficeError("its XML is nested too deeply")

    @staticmethod
    def _too_much() -> None:
        raise OfficeError(f"it holds more than {_size(MAX_DOCUMENT_BYTES)} of text")

    def close(self) -> None:
        pass


class _NestedText(_OfficeText):
    """An :class:`_OfficeText` that keeps a stack of open elements (``_open``) and leaves out the
    content of some (``_skipped``: how deep inside such an element the parser is)."""

    def __init__(self) -> None:
        super().__init__()
        self._open: list[list] = []
        self._skipped = 0

    def _skips(self) -> bool:
        """For an element that starts: whether it is inside left-out content (then counted), after
        refusing one nested deeper than _MAX_XML_DEPTH, skipped or not."""
        if self._skipped:
            self._skipped += 1
            if self._skipped + len(self._open) > _MAX_XML_DEPTH:
                self._too_deep()
            return True
        if len(self._open) >= _MAX_XML_DEPTH:
            self._too_deep()
        return False


def _block_end(paragraphs: list[str | None]) -> None:
    """End a block: one None for a run of them, as 48 MB of empty paragraphs are one block's end."""
    if not paragraphs or paragraphs[-1] is not None:
        paragraphs.append(None)


def _add_paragraphs(paragraphs: list[str | None], more: list[str | None]) -> None:
    """Add ``more`` (a run's) to ``paragraphs``, two ends of blocks where they meet made one."""
    if more and more[0] is None and paragraphs and paragraphs[-1] is None:
        paragraphs.extend(more[1:])
    else:
        paragraphs.extend(more)


class _Starts(_OfficeText):
    """A parser target that passes each element's tag and attributes to ``started``, as it starts."""

    _depth = 0

    def __init__(self, started: Callable[[str, dict[str, str]], None]) -> None:
        super().__init__()
        self._started = started

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self._depth += 1
        if self._depth > _MAX_XML_DEPTH:
            self._too_deep()
        self._started(tag, attrib)

    def end(self, tag: str) -> None:
        self._depth -= 1

    def data(self, data: str) -> None:
        pass


# what an open element of a Word document is: the kinds _DocxText reads apart from the others
(_ELEMENT, _PARAGRAPH, _RUN, _CELL, _TEXT, _PARAGRAPH_PROPERTIES, _RUN_PROPERTIES, _BREAK, _LEFT_OUT) = range(9)
_HEADING, _SPACES = 9, 10  # and of an OpenDocument text's
_DOCX_KINDS = {
    _W + "p": _PARAGRAPH,  # a paragraph, or one in a text box inside another
    _W + "r": _RUN,
    _W + "tc": _CELL,  # a table cell is a block of its own
    _W + "t": _TEXT,
    _W + "pPr": _PARAGRAPH_PROPERTIES,
    _W + "rPr": _RUN_PROPERTIES,
    _MC_FALLBACK: _LEFT_OUT,  # the same content again, for older readers
    _DOCX_MOVED_AWAY: _LEFT_OUT,  # or where a tracked move put it
    **dict.fromkeys(_DOCX_BREAKS, _BREAK),
}
_DOCX_LIST_STYLES = ("heading", "title", "subtitle", "list")
_DOCX_LISTED = (_W + "numPr", _W + "outlineLvl")
_DOCX_STYLE = _W + "pStyle"
_DOCX_VANISH = _W + "vanish"
_DOCX_VAL = _W + "val"


class _DocxText(_NestedText):
    """The paragraphs of a Word document's main part, read from its elements as they are parsed.

    Each open element is a list: its kind, where text inside it goes (None where none is kept)
    and where paragraphs go, then per kind: a paragraph's first ``w:pPr`` seen?, whether it is
    a list item or heading, its style; a run's ``w:vanish`` value and where its text and
    paragraphs go once it is known not to be hidden (they are kept aside until its end, as its
    properties may follow its text); the ``w:p`` or ``w:r`` whose properties it holds.
    """

    def __init__(self) -> None:
        super().__init__()
        self._text: list[str] | None = None  # the text of the w:t being read

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        opened = self._open
        if self._skips():
            return
        if not opened:  # the root, whose own tag is not read
            opened.append([_ELEMENT, None, self.paragraphs])
            return
        parent = opened[-1]
        kind = parent[0]
        if kind >= _TEXT:
            if kind == _TEXT:  # only a w:t's text is read, not what is inside it
                self._text = None
                self._skipped = 1
                return
            if kind == _PARAGRAPH_PROPERTIES:  # a list item or heading by its numbering, outline level or style
                if tag in _DOCX_LISTED:
                    parent[3][4] = True
                elif tag == _DOCX_STYLE and parent[3][5] is None:
                    parent[3][5] = attrib.get(_DOCX_VAL, "")
            elif tag == _DOCX_VANISH and parent[3][3] is None:
                parent[3][3] = attrib.get(_DOCX_VAL, "true")
        what = _DOCX_KINDS.get(tag, _ELEMENT)
        if what == _ELEMENT:  # read through; an element inside another such shares its list
            opened.append(parent if kind == _ELEMENT else [_ELEMENT, parent[1], parent[2]])
        elif what == _RUN:  # kept aside until it is known not to be hidden
            opened.append([_RUN, None if parent[1] is None else [], [], None, parent[1], parent[2]])
        elif what == _TEXT:
            self._text = None if parent[1] is None else []
            opened.append([_TEXT, parent[1], parent[2], self._text])
        elif what == _PARAGRAPH:
            opened.append([_PARAGRAPH, [], parent[2], False, False, None])
        elif what == _BREAK:
            if parent[1] is not None:
                parent[1].append(_DOCX_BREAKS[tag])
            self._skipped = 1
        elif what == _LEFT_OUT:
            self._skipped = 1
        elif what == _CELL:
            _block_end(parent[2])
            opened.append([_CELL, parent[1], parent[2]])
        elif what == _PARAGRAPH_PROPERTIES and kind == _PARAGRAPH and not parent[3]:
            parent[3] = True
            opened.append([_PARAGRAPH_PROPERTIES, parent[1], parent[2], parent])
        elif what == _RUN_PROPERTIES and kind == _RUN:
            opened.append([_RUN_PROPERTIES, parent[1], parent[2], parent])
        else:
            opened.append([_ELEMENT, parent[1], parent[2]])

    def end(self, tag: str) -> None:
        if self._skipped:
            self._skipped -= 1
            return
        element = self._open.pop()
        kind = element[0]
        if kind == _ELEMENT:
            return
        if kind == _TEXT:
            if element[3] is not None:
                element[1].append("".join(element[3]))
            self._text = None
        elif kind == _RUN:
            vanish = element[3]
            if vanish is None or vanish.lower() in ("0", "false", "off"):  # hidden text, which Word does not show
                if element[4] is not None:
                    element[4].extend(element[1])
                _add_paragraphs(element[5], element[2])
        elif kind == _PARAGRAPH:
            text = "".join(element[1]).strip() or None
            paragraphs = element[2]
            style = element[5]
            if element[4] or (style is not None and style.lower().startswith(_DOCX_LIST_STYLES)):
                _block_end(paragraphs)  # a block of its own: never a pasted line
                if text is not None:
                    paragraphs.append(text)
                    _block_end(paragraphs)
            elif text is not None:
                paragraphs.append(text)
            else:
                _block_end(paragraphs)  # an empty one ends a block
        elif kind == _CELL:
            _block_end(element[2])

    def data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)
            self._size += len(data)
            if self._size > MAX_DOCUMENT_BYTES:
                self._too_much()


def odt_to_text(data: bytes) -> str:
    """The paragraphs and headings of an OpenDocument text (.odt), one per block.

    ``content.xml`` holds them as ``text:p`` and ``text:h`` with their text mixed among
    spans; runs of spaces are ``text:s``, and a run of white space in the XML is one space.
    Footnotes, comments, the deleted text of tracked changes and the alt text of pictures are
    left out.
    """
    data = _file_bytes(data, "odt_to_text")
    reader = _OdtText()
    with _archive(data) as archive:
        _parse_part(archive, "content.xml", reader)
    return _paragraph_text(reader.paragraphs)


_ODT_KINDS = {
    **dict.fromkeys(_ODT_LEFT_OUT, _LEFT_OUT),
    _T + "p": _PARAGRAPH,
    _T + "h": _HEADING,
    **dict.fromkeys(_ODT_BLOCKS, _CELL),
    _T + "s": _SPACES,
    **dict.fromkeys(_ODT_BREAKS, _BREAK),
}
_ODT_COUNT = _T + "c"


class _OdtText(_NestedText):
    """The paragraphs of an OpenDocument text's content.xml, read from its elements as they are
    parsed. Each open element is a list: where its text (and its children's tails) goes, None
    outside paragraphs; where paragraphs go; and what it is (a paragraph, heading or block)."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[str] | None = None  # where text read now goes

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        opened = self._open
        if self._skips():
            return
        if not opened:  # the root, whose own tag is not read
            opened.append([None, self.paragraphs, None])
            return
        parent = opened[-1]
        parts = parent[0]
        what = _ODT_KINDS.get(tag, _ELEMENT)
        if what == _ELEMENT:  # read through; an element inside another such shares its list
            opened.append(parent if parent[2] is None else [parts, parent[1], None])
        elif what == _LEFT_OUT:
            self._skipped = 1
            self._parts = None
        elif what == _PARAGRAPH or what == _HEADING:  # a paragraph, or one in a frame inside another
            self._parts = []
            opened.append([self._parts, parent[1], what])
        elif parts is None:  # outside paragraphs only structure (lists, tables, sections)
            if what == _CELL:  # a table cell or list item is a block of its own
                _block_end(parent[1])
                opened.append([None, parent[1], _CELL])
            else:
                opened.append(parent if parent[2] is None else [None, parent[1], None])
        elif what == _SPACES:
            # "²" is a digit that int() refuses, and it reads no more than 4,300 digits
            value = attrib.get(_ODT_COUNT, "1")
            spaces = min(int(value), _ODT_MAX_SPACES) if value.isdecimal() and len(value) < 20 else 1
            self._size += spaces
            if self._size > MAX_DOCUMENT_BYTES:
                self._too_much()
            parts.append("\x00" * spaces)
            self._skipped = 1
            self._parts = None
        elif what == _BREAK:
            parts.append(_ODT_BREAKS[tag])
            self._skipped = 1
            self._parts = None
        else:  # a table cell or list item inside a paragraph is read through
            opened.append(parent if parent[2] is None else [parts, parent[1], None])

    def end(self, tag: str) -> None:
        opened = self._open
        if self._skipped:
            self._skipped -= 1
            if not self._skipped:
                self._parts = opened[-1][0]  # its tail is its parent's text
            return
        element = opened.pop()
        what = element[2]
        if what is None:  # text read after it goes where it went in it
            return
        if what == _CELL:
            _block_end(element[1])
            return
        text = _ODT_SPACES.sub(" ", "".join(element[0])).translate(_ODT_CHARACTERS).strip()
        paragraphs = element[1]
        if what == _HEADING:  # a heading is a block of its own
            _block_end(paragraphs)
            if text:
                paragraphs.append(text)
                _block_end(paragraphs)
        elif text:
            paragraphs.append(text)
        else:
            _block_end(paragraphs)  # an empty one ends a block
        self._parts = opened[-1][0] if opened else None

    def data(self, data: str) -> None:
        parts = self._parts
        if parts is not None:
            parts.append(data)
            self._size += len(data)
            if self._size > MAX_DOCUMENT_BYTES:
                self._too_much()


_RTF_MAGIC = re.compile(rb"(?:\xef\xbb\xbf)?\s*\{\\rtf")
_RTF_TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # a control word and its parameter; one space ends it
    rb"|\\'([0-9a-fA-F]{2})"  # a byte in the document's code page
    rb"|\\(.)"  # a control symbol; a backslash before a line break is a paragraph mark
    rb"|([{}])"
    rb"|[\r\n]+"  # line breaks in the file are not part of the text
    rb"|([^\\{}\r\n]+)",  # plain text
    re.DOTALL,
)
# groups that hold no body text: tables of fonts, colours and styles, document information,
# pictures, embedded objects, headers and footers, footnotes, comments, field instructions, and
# the bullets and numbers of list items (as a .docx keeps them out of its text)
_RTF_SKIPPED = frozenset(
    b"fonttbl colortbl stylesheet listtable listoverridetable revtbl rsidtbl info pict object "
    b"header headerl headerr headerf footer footerl footerr footerf footnote annotation atnid "
    b"atnauthor fldinst xmlnstbl themedata colorschememapping datastore latentstyles filetbl "
    b"nonshppict generator userprops docvar pntext listtext nonesttables".split()
)
_RTF_WORDS = {  # "\f": the end of a block (a section, a page, a table cell), not only of a paragraph
    b"par": "\n\n",
    b"sect": "\f",
    b"page": "\f",
    b"cell": "\f",
    b"row": "\f",
    b"nestcell": "\f",  # a cell of a table inside a table (its \nestrow is in a \* group)
    b"column": "\f",  # a column break, as a page break
    b"line": "\n",
    b"tab": "\t",
    b"emdash": "\u2014",
    b"endash": "\u2013",
    b"emspace": " ",
    b"enspace": " ",
    b"qmspace": " ",
    b"bullet": "\u2022",
    b"lquote": "\u2018",
    b"rquote": "\u2019",
    b"ldblquote": "\u201c",
    b"rdblquote": "\u201d",
}
_RTF_SYMBOLS = {b"~": "\u00a0", b"_": "\u2011", b"-": "", b"\n": "\n\n", b"\r": "\n\n"}
_RTF_CODE_PAGES = {b"ansi": "cp1252", b"mac": "mac_roman", b"pc": "cp437", b"pca": "cp850"}


def rtf_to_text(data: bytes) -> str:
    """The paragraphs of a Rich Text Format document, one per block (table cells included).

    RTF is 7-bit text with formatting written as control words (``\\par``, ``\\b``,
    ``\\u8217?``) in nested groups. The body's text is kept; groups that hold no body text
    (font and style tables, pictures, headers and footers, footnotes, comments, ``\\*``
    destinations) are left out, as they are from Word documents, and so are text that tracked
    changes mark deleted and hidden text (``\\v``). Damaged nesting is forgiven: what can be read
    is read.
    """
    data = _file_bytes(data, "rtf_to_text")
    if not _RTF_MAGIC.match(data):
        raise OfficeError("it does not start with {\\rtf")
    out: list[str] = []
    pending = bytearray()  # bytes in the code page, decoded together (a character may take two)
    code_page = "cp1252"
    # the current group: left out?; fallback characters after \uN; deleted by a tracked change?;
    # hidden text (\v), which Word, WordPad and LibreOffice do not show?
    skip, uc, deleted, hidden = False, 1, False, False
    stack: list[tuple[bool, int, bool, bool]] = []
    group_start = False  # the last token opened a group, so a destination word may follow
    fallback = 0  # fallback characters still to drop after a \uN

    def flush() -> None:
        if pending:
            out.append(pending.decode(code_page, "replace"))
            pending.clear()

    pos, end = data.index(b"{"), len(data)
    while pos < end:
        match = _RTF_TOKEN.match(data, pos)
        if match is None:  # a lone backslash at the very end
            break
        pos = match.end()
        word, param, hex_byte, symbol, brace, text = match.groups()
        if match.lastindex is None:  # line breaks in the file: not text, and not a token either
            continue
        opened, group_start = group_start, False
        if brace == b"{":
            stack.append((skip, uc, deleted, hidden))
            group_start, fallback = True, 0
        elif brace == b"}":
            skip, uc, deleted, hidden = stack.pop() if stack else (skip, uc, deleted, hidden)
            fallback = 0
        elif text is not None:
            if fallback:
                dropped = min(fallback, len(text))
                text, fallback = text[dropped:], fallback - dropped
            if not (skip or deleted or hidden):
                pending.extend(text)
        elif hex_byte is not None:
            if fallback:
                fallback -= 1
            elif not (skip or deleted or hidden):
                pending.append(int(hex_byte, 16))
        elif symbol is not None:
            if symbol == b"*":
                skip = True
            elif fallback:
                fallback -= 1
            elif not (skip or deleted or hidden):
                flush()
                out.append(_RTF_SYMBOLS.get(symbol, symbol.decode("latin-1") if symbol in b"\\{}" else ""))
        elif word is not None:
            if word == b"bin":  # raw binary data follows: skip it
                pos += max(int(param or 0), 0)
            elif opened and word in _RTF_SKIPPED:
                skip = True
            elif word == b"deleted" or word == b"plain":  # \plain resets character formatting
                deleted = word == b"deleted" and param != b"0"
                hidden = hidden and word == b"deleted"
            elif word == b"v":
                hidden = param != b"0"
            elif word == b"uc":
                uc = max(int(param or 1), 0)
            elif word == b"u" and param is not None:
                if not (skip or deleted or hidden):
                    flush()
                    out.append(chr(int(param) % 0x10000))
                fallback = uc
            elif word == b"ansicpg" and param is not None:
                code_page = _rtf_code_page(param, code_page)
            elif word in _RTF_CODE_PAGES:
                code_page = _RTF_CODE_PAGES[word]
            elif fallback:
                fallback -= 1
            elif not (skip or deleted or hidden) and word in _RTF_WORDS:
                flush()
                out.append(_RTF_WORDS[word])
    flush()
    # \uN gives UTF-16 code units: join surrogate pairs, replace lone halves
    text = "".join(out).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    paragraphs: list[str | None] = []
    for block in text.split("\f"):
        paragraphs.extend(paragraph.strip() or None for paragraph in block.split("\n\n"))
        paragraphs.append(None)
    return _paragraph_text(paragraphs)


def _rtf_code_page(number: bytes, current: str) -> str:
    name = f"cp{int(number)}"
    return name if _ascii_compatible(name) else current


_ASCII = bytes(range(32, 127))


def _ascii_compatible(codec: str) -> bool:
    """Whether ``codec`` is a charset that reads ASCII as ASCII, as every web page's and RTF
    file's must: not EBCDIC (cp500, cp037), UTF-7 or a codec that is no charset at all."""
    try:
        return _ASCII.decode(codec) == _ASCII.decode("ascii")
    except (LookupError, UnicodeError, TypeError, ValueError):
        return False


# kind -> (what it is called, one and many; its reader)
_OFFICE_READERS: dict[str, tuple[tuple[str, str], Callable[[bytes], str]]] = {
    "docx": (("a Word document", "Word documents"), docx_to_text),
    "odt": (("an OpenDocument text", "OpenDocument texts"), odt_to_text),
    "rtf": (("an RTF document", "RTF documents"), rtf_to_text),
    "epub": (("an EPUB e-book", "EPUB e-books"), epub_to_text),
}


def document_text(data: bytes, kind: str) -> str:
    """The text of a whole document of ``kind`` ("html", "pdf", "docx", "odt", "rtf", "epub") as the
    command line scores it, for readers of whole files such as ``spincheck train``.

    Raises :class:`OfficeError` for a broken Word, OpenDocument, RTF or EPUB file, and whatever pypdf
    raises for a broken PDF (RuntimeError without pypdf).
    """
    if kind == "html":
        return html_to_text(decode_html(data)[0])
    if kind == "pdf":
        return pdf_to_text(data)
    return _OFFICE_READERS[kind][1](data)


def _paragraph_text(paragraphs: list[str | None]) -> str:
    """An office document's paragraphs, one per block (blank lines between), the lines of text
    pasted into it from a PDF rejoined (see :func:`_rewrapped`). None in ``paragraphs`` ends a
    block: an empty paragraph, or the edge of a table cell."""
    out: list[str] = []
    block: list[str] = []
    for paragraph in [*paragraphs, None]:
        # one of invisible characters alone shows as an empty paragraph, and ends a block as one
        # does: kept, it was an empty line among a run's (_rewrapped), and an IndexError
        if paragraph is not None and _shown_edges(paragraph):
            block.append(paragraph)
        elif block:
            out.extend(_rewrapped(block))
            block = []
    return "\n\n".join(out)


def _rewrapped(block: list[str]) -> list[str]:
    """A block's paragraphs, with each run of them that is really the lines of one text rebuilt
    into paragraphs as a PDF's lines are (:func:`pdf_paragraphs`).

    Text pasted into a word processor from a PDF, or from a hard-wrapped file, gets a paragraph
    mark at the end of every line, and each line alone is judged as a paragraph of a dozen
    words. Such a run (between paragraphs longer than a line, or only a number) has at least
    three lines of up to 110 characters, the wider ones at least 50, most nearly as wide as the
    widest, most running on without ending a sentence and where the next line's first word
    would not have fitted, many into a line that starts in lower case. Lists, headings, poems
    and short paragraphs vary in width, have room to spare or end their sentences; the callers
    end runs at list items and headings they know as such.
    """
    out: list[str] = []
    run: list[str] = []
    for paragraph in [*block, None]:
        # as wide as it shows: an invisible character between every two letters (a spinner's output
        # hidden from filters) made a line of 72 columns ~140 characters long, each its own paragraph
        if paragraph is not None and _shown(paragraph) <= 110 and not paragraph.isdigit():
            run.append(_shown_edges(paragraph))
            continue
        out.extend(pdf_paragraphs([run]) if _looks_like_lines(run) else run)
        run = []
        if paragraph is not None:
            out.append(paragraph)
    return out


def _looks_like_lines(run: list[str]) -> bool:
    """Lines wrapped at one width: most nearly as wide as the widest, and a line that runs on
    is one the next line's first word would not have fitted on (as a list item often would)."""
    if len(run) < 3:
        return False
    widths = [_shown(line) for line in run]
    full = full_width(widths)
    pairs = list(zip(run, run[1:]))
    running_on = [(width, b) for width, (a, b) in zip(widths, pairs) if not _SENTENCE_END_PDF.search(a)]
    wrapped = sum(width + 1 + _shown(b.split(maxsplit=1)[0]) > 0.85 * max(widths) for width, b in running_on)
    return (
        full >= 50
        and sum(width >= 0.8 * full for width in widths) >= 0.6 * len(run)
        and len(running_on) >= 0.5 * len(pairs)
        and wrapped >= 0.7 * len(running_on)
        and sum(b[:1].islower() for _, b in pairs) >= 0.3 * len(pairs)
    )


def _size(n: int) -> str:
    return f"{n >> 20} MB" if n >= 1 << 20 else f"{n} bytes"
