"""Rendering results: text / json / jsonl / csv reports, the HTML explanation page, evaluation.

Reporters receive scored chunks in input order (see :mod:`spincheck.inputs`) and write as they
go: ``jsonl``, ``csv``, ``text`` and ``json`` print each chunk's paragraphs as soon as it is
scored (``json`` a document's summary after them), so a stream of any length is reported in
bounded memory.

Every offset a score report writes is a character offset into the decoded input (the
paragraph's, and its evidence's too), so a consumer can cut ``text[start:end]`` from the same
decoded text; a character is a code point, as Python counts them (not a UTF-16 unit).
``compare`` records (:func:`comparison_record`) are the exception: they carry their
paragraph's ``text``, and their swap and evidence offsets point into it.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, TextIO

import numpy as np

from .detector import Document, Evidence, Paragraph, Result
from .inputs import id_text

if TYPE_CHECKING:
    from .compare import ParagraphMatch
    from .inputs import Chunk

__all__ = [
    "Row",
    "Summary",
    "Reporter",
    "make_reporter",
    "FORMATS",
    "paragraph_record",
    "document_records",
    "json_value",
    "json_line",
    "render_html",
    "write_html",
    "render_evaluation",
    "comparison_record",
    "render_comparison",
    "write_comparison_json",
    "write_comparison_csv",
    "write_comparison_html",
]

FORMATS = ("text", "json", "jsonl", "csv")
CSV_COLUMNS = (
    "source",
    "paragraph",
    "start",
    "end",
    "words",
    "probability",
    "spun",
    "reason",
    "evidence",
    "by_context",
    # added later, at the end, where a reader that takes columns by name or place finds the
    # others as before: which input record a row is of, and which model scored it
    "id",
    "record",
    "model_id",
)


class Row(NamedTuple):
    """One paragraph of a document, with offsets into the whole decoded document (None, None,
    None for the one row of a document without paragraphs, or a record that could not be read).
    ``record`` is a JSONL record's line, or its place in a JSON array (see ``Chunk``)."""

    source: object
    record_id: object
    index: int | None  # type: ignore[assignment]  # the paragraph's, where tuple has its method index()
    start: int | None
    end: int | None
    result: Result
    record: int | None = None


@dataclass
class Summary:
    """Counts over a document's paragraphs."""

    paragraphs: int = 0
    scored: int = 0
    flagged: int = 0
    highest: float | None = None

    def add(self, result: Result) -> None:
        self.paragraphs += 1
        if result.spun is None:
            return
        self.scored += 1
        self.flagged += bool(result.spun)
        if self.highest is None or result.probability > self.highest:
            self.highest = result.probability

    def as_dict(self) -> dict:
        return {
            "paragraphs": self.paragraphs,
            "scored": self.scored,
            "not_scored": self.paragraphs - self.scored,
            "flagged": self.flagged,
            "highest_probability": None if self.highest is None else round(self.highest, 4),
            "spun": self.flagged > 0,
        }


@dataclass
class _Doc:
    source: str
    record_id: object
    record: int | None
    summary: Summary = field(default_factory=Summary)
    held: list | None = None  # what a reporter holds back until the document ends
    announced: bool = False  # the text format named a streamed document before its paragraphs
    written: int = 0  # paragraphs the json format has written


def paragraph_record(row: Row) -> dict:
    """The JSON form of a paragraph (json and jsonl formats)."""
    r = row.result
    record: dict = {"source": row.source}
    if row.record_id is not None:
        record["id"] = row.record_id
    if row.record is not None:
        record["record"] = row.record
    record.update(
        paragraph=row.index,
        start=row.start,
        end=row.end,
        words=r.words,
        probability=None if r.spun is None else round(r.probability, 4),
        spun=r.spun,
        by_context=r.by_context,
    )
    if r.reason is not None:
        record["reason"] = r.reason
    record["evidence"] = [evidence_record(e, row.start or 0) for e in r.evidence]
    return record


def evidence_record(e: Evidence, offset: int = 0) -> dict:
    """The JSON form of one piece of evidence, its offsets moved by ``offset`` (into the document)."""
    return {
        "phrase": e.phrase,
        "start": offset + e.start,
        "end": offset + e.end,
        "suggestion": e.suggestion,
        "strength": round(float(e.strength), 3),
    }


class Reporter:
    """Collects scored chunks into documents and calls the hooks of a format.

    Call :meth:`add` for every chunk, in order, then :meth:`close`. ``flagged`` tells whether
    any paragraph so far was flagged.
    """

    # formats of one row per paragraph give a document without paragraphs one row of its own
    lists_empty_documents = False

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.documents = 0
        self.total = Summary()  # over every document: paragraphs, scored, flagged
        self.documents_flagged = 0
        self.flagged_only = False  # list only flagged paragraphs; summaries still count all
        self._doc: _Doc | None = None

    def add(self, chunk: Chunk, paragraphs: Sequence[tuple[int, int, Result]]) -> None:
        """Report ``paragraphs`` (``(start, end, result)`` relative to ``chunk``)."""
        doc = self._doc
        if doc is None:
            doc = self._doc = _Doc(chunk.source, chunk.record_id, chunk.record)
            self.begin(doc, whole=chunk.last)
        first = doc.summary.paragraphs
        rows = [
            Row(doc.source, doc.record_id, first + i, chunk.offset + start, chunk.offset + end, result, doc.record)
            for i, (start, end, result) in enumerate(paragraphs)
        ]
        for row in rows:
            doc.summary.add(row.result)
            self.total.add(row.result)
        self.rows(doc, [row for row in rows if row.result.spun] if self.flagged_only else rows)
        if chunk.last:
            if self.lists_empty_documents and not doc.summary.paragraphs and not self.flagged_only:
                self.rows(doc, [empty_document_row(doc.source, doc.record_id, doc.record)])
            self.end(doc)
            self.documents += 1
            self.documents_flagged += doc.summary.flagged > 0
            self._doc = None
        self.out.flush()

    @property
    def flagged(self) -> bool:
        """Whether any paragraph so far was flagged."""
        return self.total.flagged > 0

    def close(self) -> None:
        self.out.flush()

    # hooks
    def begin(self, doc: _Doc, whole: bool) -> None:
        """A document starts; ``whole`` is True when it arrives in a single chunk."""

    def rows(self, doc: _Doc, rows: list[Row]) -> None:
        """Paragraphs of the current document."""

    def end(self, doc: _Doc) -> None:
        """The current document is complete."""


def json_value(value: object) -> object:
    """``value`` as JSON can hold it, where the caller's type is only a stand-in for a plain one: a
    path (a file found with pathlib) as its str, a numpy scalar (an id from a pandas column) as
    the Python number it holds. ``json.dumps`` refused both, so a pipeline's rows failed when
    written; anything else is kept as given."""
    if isinstance(value, os.PathLike):
        return os.fsdecode(value)
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    return value


def document_records(
    doc: Document,
    source: object = None,
    record_id: object = None,
    *,
    record: int | None = None,
    model_id: str | None = None,
) -> list[dict]:
    """The JSON form of a scored document: one record per paragraph, as ``--format jsonl`` writes
    them; one record with reason "empty" for a document without paragraphs. A path or numpy
    scalar ``source`` or ``record_id`` is written as the str or number it stands for. ``record``
    (the JSONL line) and ``model_id`` are written where the command line writes them, when given."""
    source, record_id = json_value(source), json_value(record_id)
    stamp = {} if model_id is None else {"model_id": model_id}
    if not doc.paragraphs:
        return [paragraph_record(empty_document_row(source, record_id, record)) | stamp]
    return [
        paragraph_record(Row(source, record_id, p.index, p.start, p.end, p.result, record)) | stamp
        for p in doc.paragraphs
    ]


def empty_document_row(source: object, record_id: object, record: int | None = None) -> Row:
    """The one row of a document without paragraphs (an empty file or record), so that a
    pipeline joining rows back to its records finds every record."""
    return Row(source, record_id, None, None, None, Result(0.0, None, "empty", (), 0), record)


# Line ends that json.dumps(ensure_ascii=False) writes raw, inside strings: NEL, U+2028 and
# U+2029 end a line for str.splitlines() (and U+2028/U+2029 a string literal in JavaScript
# before ES2019). A file name or JSONL id holding one split a JSON Lines row there.
_RAW_LINE_ENDS = re.compile("[\x85\u2028\u2029]")


def json_line(obj: object) -> str:
    """``obj`` as one line of JSON Lines (without its "\\n"): UTF-8 text kept as it is, but the
    line ends JSON leaves raw escaped (``_RAW_LINE_ENDS``), so that any reader of lines, Python's
    ``splitlines()`` too, finds one object per line. They occur only inside strings, so the
    value read back is the same."""
    text = json.dumps(obj, ensure_ascii=False)
    if text.isascii():
        return text
    return _RAW_LINE_ENDS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class JsonlReporter(Reporter):
    """One JSON object per paragraph and line: the streaming format. Each carries ``model_id``
    (when given), as the json format's documents do: rows are kept apart from the run, in a
    database or a file that several runs append to, and a retrained model scores differently."""

    lists_empty_documents = True

    def __init__(self, out: TextIO, model_id: str | None = None) -> None:
        super().__init__(out)
        self.model_id = model_id

    def rows(self, doc: _Doc, rows: list[Row]) -> None:
        stamp = {} if self.model_id is None else {"model_id": self.model_id}
        self.out.write("".join(json_line(paragraph_record(row) | stamp) + "\n" for row in rows))


class JsonReporter(Reporter):
    """A JSON array with one object per document: source, paragraphs and summary.

    A document's paragraphs are written as they come, its summary (which comes after them)
    when it ends, so memory does not grow with a document: holding a 12 MB text's records and
    dumping them at once peaked at 1 GB. The output is what ``json.dumps(array, indent=2)``
    writes for the whole array.
    """

    def __init__(self, out: TextIO, model: dict | None = None) -> None:
        super().__init__(out)
        self.model = model or {}
        self.out.write("[")

    def begin(self, doc: _Doc, whole: bool) -> None:
        head: dict = {"source": doc.source}
        if doc.record_id is not None:
            head["id"] = doc.record_id
        if doc.record is not None:
            head["record"] = doc.record
        head.update(self.model)
        head["paragraphs"] = []
        text = _indented(head, 1)
        # the object dumped up to its last key's value: the paragraphs' "[" is written with the first
        self.out.write(("," if self.documents else "") + "\n  " + text[: -len("[]\n  }")])

    def rows(self, doc: _Doc, rows: list[Row]) -> None:
        pieces = []
        for row in rows:  # one write per chunk: no more than a chunk's records are held at once
            pieces.append(("," if doc.written else "[") + "\n      " + _indented(paragraph_record(row), 3))
            doc.written += 1
        self.out.write("".join(pieces))

    def end(self, doc: _Doc) -> None:
        close = "\n    ]" if doc.written else "[]"
        self.out.write(f'{close},\n    "summary": {_indented(doc.summary.as_dict(), 2)}\n  }}')

    def close(self) -> None:
        self.out.write("\n]\n" if self.documents else "]\n")
        super().close()


def _indented(obj: object, level: int) -> str:
    """``obj`` as ``json.dumps(array, indent=2)`` writes it ``level`` levels deep in the json
    format's array (a document 1, its summary 2, a paragraph 3): its lines after the first
    indented to there. JSON strings hold no raw line break, so every "\\n" is between lines."""
    return json.dumps(obj, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)


# What a spreadsheet (Excel, LibreOffice, Sheets) reads as the start of a formula when a cell begins
# with it: "=HYPERLINK(...)" or "=cmd|..." in a file name or a crawled record's id ran as one when
# an investigator opened the table (OWASP's "CSV Injection"). See _text_cell.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(text: str) -> str:
    """A csv cell of text that comes from the input (a file name, a JSONL id, a phrase, a
    suggestion), with a "'" before it when it starts as a formula does, as OWASP advises: a
    spreadsheet then shows it as text. Numbers (offsets, probabilities, counts) are not passed
    through it and stay numbers; jsonl carries every text unchanged for programs."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _id_cell(record_id: object) -> str:
    """A JSONL id as a csv cell: an empty one for none, a finite number as it is (-5 is a number
    in a spreadsheet too), any other id as text from the input (:func:`_text_cell`)."""
    if record_id is None:
        return ""
    if isinstance(record_id, (int, float)) and not isinstance(record_id, bool) and math.isfinite(record_id):
        return id_text(record_id)
    return _text_cell(id_text(record_id))


class _LineFeedRows:
    """Passes the rows a csv writer ending them in "\r\n" on to ``out`` ending in "\n"."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, row: str) -> int:
        return self.out.write(row[:-2] + "\n" if row.endswith("\r\n") else row)


class CsvReporter(Reporter):
    """A header row and one row per paragraph; evidence as ``phrase->suggestion:strength; ...``;
    ``model_id`` as in :class:`JsonlReporter`. Text from the input that a spreadsheet would run as
    a formula gets a "'" before it (:func:`_text_cell`)."""

    lists_empty_documents = True

    def __init__(self, out: TextIO, model_id: str | None = None) -> None:
        super().__init__(out)
        self.model_id = model_id or ""
        # the csv module quotes a field that holds a character of the line terminator: with "\n"
        # alone, a lone "\r" (a JSONL id, a file name) went out bare, and readers, Python's csv
        # and spreadsheets, split the row there. Rows are still written ending in "\n".
        self.writer = csv.writer(_LineFeedRows(out), lineterminator="\r\n")
        self.writer.writerow(CSV_COLUMNS)

    def rows(self, doc: _Doc, rows: list[Row]) -> None:
        for row in rows:
            r = row.result
            evidence = "; ".join(f"{e.phrase}->{e.suggestion or '?'}:{e.strength:.2f}" for e in r.evidence)
            spun = "" if r.spun is None else str(r.spun).lower()
            probability = "" if r.spun is None else f"{r.probability:.4f}"
            self.writer.writerow(
                (
                    _text_cell(str(row.source)),  # a file name or "<stdin>": Row allows any source for records
                    row.index,
                    row.start,
                    row.end,
                    r.words,
                    probability,
                    spun,
                    r.reason or "",
                    _text_cell(evidence),
                    str(r.by_context).lower(),
                    _id_cell(row.record_id),
                    row.record,  # None: an empty cell, as for paragraph
                    self.model_id,
                )
            )


_RED, _GREEN, _YELLOW, _BOLD, _DIM, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[1m", "\x1b[2m", "\x1b[0m"


# Evidence phrases on a flagged paragraph's line in the text format: the strongest
# few; the machine-readable formats carry every one.
TEXT_EVIDENCE = 8


def _one_line(name: str) -> str:
    """A source name for the text format: control characters (a JSONL id holding a newline)
    escaped, so that each document keeps one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)


def _phrase(text: str) -> str:
    """A phrase of the text for the text format: on one line ("as a\\nresult" from hard-wrapped
    input is "as a result"), control characters escaped."""
    return _one_line(" ".join(text.split()))


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


class TextReporter(Reporter):
    """For people: a summary line per document, then its flagged paragraphs with evidence
    (every scored paragraph with ``explain``).

    A document that arrives in several chunks (a streamed input larger than one chunk) has its
    flagged paragraphs printed as they are found, under a line naming it, and its summary line
    last, so that output does not wait for the end of the input.
    """

    def __init__(self, out: TextIO, *, color: bool = False, explain: bool = False) -> None:
        super().__init__(out)
        self.color = color
        self.explain = explain  # list every scored paragraph, not only the flagged ones

    def _paint(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text

    def begin(self, doc: _Doc, whole: bool) -> None:
        doc.held = [] if whole else None

    def rows(self, doc: _Doc, rows: list[Row]) -> None:
        shown = [row for row in rows if row.result.spun or (self.explain and row.result.spun is not None)]
        lines = [self._paragraph_line(row) for row in shown]
        if doc.held is not None:
            doc.held.extend(lines)
            return
        if lines and not doc.announced:  # so that they are not read as the previous input's
            doc.announced = True
            name = self._paint(_one_line(doc.source), _BOLD)
            self.out.write(f"{name}: (streamed; its summary follows its paragraphs)\n")
        self.out.writelines(lines)

    def end(self, doc: _Doc) -> None:
        self.out.write(self._summary_line(doc))
        self.out.writelines(doc.held or ())

    def close(self) -> None:
        # several documents (a directory, a crawl's JSONL): one line for the whole run
        if self.documents > 1:
            t = self.total
            self.out.write(
                f"total: {_count(self.documents, 'document')}, {self.documents_flagged:,} with flagged paragraphs; "
                f"{t.flagged:,} of {t.scored:,} scored paragraphs flagged\n"
            )
        super().close()

    def _summary_line(self, doc: _Doc) -> str:
        s = doc.summary
        flagged = f"{s.flagged:,} flagged"
        flagged = self._paint(flagged, _RED + _BOLD) if s.flagged else self._paint(flagged, _GREEN)
        highest = "-" if s.highest is None else f"{s.highest:.3f}"
        return (
            f"{self._paint(_one_line(doc.source), _BOLD)}: {_count(s.paragraphs, 'paragraph')}, {s.scored:,} scored, "
            f"{flagged}, "
            f"highest probability {highest}\n"
        )

    def _paragraph_line(self, row: Row) -> str:
        r = row.result
        shown = r.evidence[:TEXT_EVIDENCE]
        evidence = "; ".join(
            f"{self._paint(_phrase(e.phrase), _YELLOW)} -> {e.suggestion if e.suggestion is not None else '?'}"
            for e in shown
        )
        if len(r.evidence) > len(shown):
            evidence += self._paint(f" (+{len(r.evidence) - len(shown)} more; --format jsonl lists all)", _DIM)
        probability = f"{r.probability:.3f}"
        head = f"  paragraph {row.index} at char {row.start}: probability "
        head += self._paint(probability, _RED) if r.spun else probability + " (not flagged)"
        if r.by_context:
            head += self._paint(" (flagged with its document)", _DIM)
        return head + (f": {evidence}\n" if evidence else self._paint(" (no single phrase stands out)", _DIM) + "\n")


def make_reporter(
    fmt: str,
    out: TextIO,
    *,
    color: bool = False,
    explain: bool = False,
    flagged_only: bool = False,
    model: dict | None = None,
) -> Reporter:
    """``explain`` makes the text format list every scored paragraph; the others list all anyway.

    ``flagged_only`` lists only flagged paragraphs in every format (a crawl's output shrinks to
    what needs a look); document summaries still count every paragraph. ``model`` (its version
    and threshold) goes into each object of the json format, so a result can be reproduced;
    its ``model_id`` into every row of jsonl and csv.
    """
    if fmt == "text":
        reporter: Reporter = TextReporter(out, color=color, explain=explain)
    elif fmt == "json":
        reporter = JsonReporter(out, model)
    else:
        reporter = {"jsonl": JsonlReporter, "csv": CsvReporter}[fmt](out, (model or {}).get("model_id"))
    reporter.flagged_only = flagged_only
    return reporter


# ---- the HTML explanation page ----------------------------------------------------------------

# Paragraph shading: probability bins, lightest to darkest (legend and CSS share these).
SHADE_BINS = (0.2, 0.4, 0.6, 0.8)
_SHADES = ("#f6f6f6", "#fdf0e4", "#fbdfc6", "#f8c8a6", "#f4ad8b")

_CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --flag: #b3261e; --ok: #1e7b34; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 Georgia, "Times New Roman", serif; color: var(--ink); background: #fff; }
header.page, footer.page { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; }
header.page { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); background: #fafafa; }
header.page h1 { margin: 0 0 4px; font-size: 22px; }
.source { color: var(--muted); font-size: 14px; word-break: break-all; unicode-bidi: isolate; }
.verdict { display: inline-block; margin: 10px 0 6px; padding: 4px 12px; border-radius: 4px;
  font-weight: 600; color: #fff; }
.verdict.spun { background: var(--flag); }
.verdict.clean { background: var(--ok); }
dl.facts { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 6px 0 0; font-size: 14px; }
dl.facts div { display: flex; gap: 6px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 14px; margin-top: 10px;
  font-size: 13px; color: var(--muted); }
.legend .swatch { display: inline-block; width: 28px; height: 14px; border: 1px solid var(--line);
  vertical-align: middle; margin-right: 4px; }
.legend mark.evidence { cursor: default; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) 330px; gap: 28px; padding: 20px 32px; }
article { max-width: 820px; }
.para { unicode-bidi: isolate; position: relative; margin: 0 0 12px; padding: 8px 12px 8px 14px;
  border-left: 4px solid transparent; border-radius: 3px; }
.para.flagged { border-left-color: var(--flag); box-shadow: inset 0 0 0 1px rgba(179, 38, 30, .35); }
.para.unscored { color: var(--muted); }
.para .prob { float: right; margin: 0 0 4px 12px; font: 12px/1.6 system-ui, Arial, sans-serif;
  color: var(--muted); }
.para.flagged .prob { color: var(--flag); font-weight: 700; }
.para.unscored { background: #fff; border-left-color: var(--line); }
.para .num { float: left; margin: 0 8px 0 0; font: 12px/1.6 system-ui, Arial, sans-serif; color: var(--muted); }
mark.evidence { background: #ffe066; color: inherit; padding: 0 2px; border-radius: 2px;
  border-bottom: 2px solid #b58900; cursor: help; }
.para:not(.flagged) mark.evidence, mark.evidence.weak { background: transparent; border-bottom: 2px dotted #c9a94a; }
aside { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; font-size: 14px; }
aside .panel { position: sticky; top: 12px; max-height: calc(100vh - 24px); overflow: auto;
  border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; background: #fcfcfc; }
aside h2 { margin: 0 0 8px; font-size: 16px; }
aside ol { margin: 0; padding-left: 0; list-style: none; }
aside li.para-evidence { margin-bottom: 10px; }
aside li.para-evidence > a { color: var(--flag); font-weight: 600; text-decoration: none; }
aside ul { margin: 4px 0 0; padding-left: 16px; }
aside .phrase { unicode-bidi: isolate; }
aside .was { color: var(--muted); }
aside .orig { font-weight: 600; }
aside .strength { color: var(--muted); font-size: 12px; }
.empty-note { color: var(--muted); font-style: italic; }
footer.page { padding: 12px 32px 24px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); }
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; } aside .panel { position: static; } }
.paper { display: none; }
@media print {
  .screen { display: none; }
  .paper { display: inline; }
  .layout { display: block; padding: 12px 0; }
  aside .panel { position: static; max-height: none; overflow: visible; margin-top: 16px; }
  .para, aside li.para-evidence { break-inside: avoid; }
  .verdict, .swatch, .para, mark.evidence { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  .para.flagged mark.evidence[data-suggestion]::after { content: " [" attr(data-suggestion) "]";
    font: 11px system-ui, Arial, sans-serif; color: var(--muted); }
}
"""
_CSS += "".join(f".shade-{i} {{ background: {colour}; }}\n" for i, colour in enumerate(_SHADES))


# Characters that reorder the text around them (bidirectional embeddings, overrides, isolates
# and marks): in a file name they make "txt.exe" read "exe.txt".
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _shown_name(name: str) -> str:
    """A document's name with its bidirectional controls made visible (``<U+202E>``)."""
    return _BIDI_CONTROLS.sub(lambda m: f"<U+{ord(m.group()):04X}>", name)


# Characters an HTML page may not hold (parse errors in the HTML standard): controls other than
# whitespace, noncharacters, and surrogates (which UTF-8 cannot even write). A document can have
# them (an escape sequence saved from a terminal, a PDF's stray "\x02"); the page shows a control
# as its Control Pictures sign ("\x1b" as U+241B) and the others as U+FFFD, one character for
# one, so that the offsets of paragraphs and marks hold.
_NOT_IN_HTML = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000))
    + "]"
)


# The controls among the line ends spincheck reads (text.LINE_BREAKS: VT, FS, GS, RS, NEL) are a
# line end on the page too, "\n" (whitespace, as the text's own "\n" is): as the signs above, a
# text wrapped with them read "to\u240breplace", and with NEL "to\ufffdreplace", as if undecodable.
_LINE_END_CONTROLS = frozenset("\x0b\x1c\x1d\x1e\x85")


def _html_char(match: re.Match) -> str:
    char = match.group()
    if char in _LINE_END_CONTROLS:
        return "\n"
    code = ord(char)
    return chr(0x2400 + code) if code < 0x20 else "\u2421" if code == 0x7F else "\ufffd"


def _esc(text: str) -> str:
    """``text`` escaped for an HTML page, its characters that HTML forbids shown (see ``_NOT_IN_HTML``)."""
    return html.escape(_NOT_IN_HTML.sub(_html_char, text))


def _shade(probability: float) -> int:
    return int(np.searchsorted(SHADE_BINS, probability, side="right"))


def _marked_text(text: str, evidence) -> str:
    """Escaped paragraph text with each evidence phrase wrapped in a <mark>."""
    out, pos = [], 0
    for e in sorted(evidence, key=lambda e: e.start):
        if e.start < pos or e.end > len(text) or e.end <= e.start:
            continue  # overlapping or out of range: leave the text unmarked there
        original = e.suggestion if e.suggestion is not None else "?"
        title = f"likely original: {original} (strength {e.strength:.2f})"
        suggestion_attr = f' data-suggestion="{_esc(e.suggestion)}"' if e.suggestion is not None else ""
        out.append(_esc(text[pos : e.start]))
        out.append(
            f'<mark class="evidence" data-start="{e.start}" data-end="{e.end}"{suggestion_attr} '
            f'data-strength="{e.strength:.3f}" title="{_esc(title)}">{_esc(text[e.start : e.end])}</mark>'
        )
        pos = e.end
    out.append(_esc(text[pos:]))
    return "".join(out)


def render_html(
    document: Document,
    *,
    source: str,
    model_version: str,
    threshold: float,
    spincheck_version: str,
    model_id: str | None = None,
) -> str:
    """A self-contained page (inline CSS, no scripts, no network) explaining ``document``.

    Paragraphs carry ``class="para flagged|clean|unscored shade-N"`` and ``data-index``,
    ``data-start``, ``data-end`` and ``data-probability``; evidence phrases are
    ``<mark class="evidence">`` with the likely original in ``title`` and ``data-suggestion``.
    Score the document with ``explain=True`` so that every scored paragraph has its evidence.
    :func:`write_html` writes the same page to a stream, without holding it.
    """
    out = io.StringIO()
    write_html(
        out,
        document,
        source=source,
        model_version=model_version,
        threshold=threshold,
        spincheck_version=spincheck_version,
        model_id=model_id,
    )
    return out.getvalue()


def _page_head(title: str, css: str, spincheck_version: str) -> str:
    """The opening of a self-contained page, up to ``<body>``: explain's and compare's pages share it."""
    esc = _esc
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="spincheck {esc(spincheck_version)}">
<title>{esc(title)}</title>
<style>{css}</style>
</head>
<body>
"""


def write_html(
    out: TextIO,
    document: Document,
    *,
    source: str,
    model_version: str,
    threshold: float,
    spincheck_version: str,
    model_id: str | None = None,
) -> None:
    """Write :func:`render_html`'s page to ``out`` a paragraph at a time: the page is about 14
    times the size of its text with evidence in every paragraph, so building it as one string
    (and encoding that) took 550 MB of a 12 MB text's 980 MB peak."""
    esc = _esc
    flagged = document.flagged
    scored = document.scored
    if document.spun:
        verdict = (
            f'<div class="verdict spun">Likely spun: {len(flagged)} of {len(scored)} scored paragraphs flagged</div>'
        )
    elif scored:
        verdict = f'<div class="verdict clean">No spun paragraphs found ({len(scored)} scored)</div>'
    else:
        verdict = '<div class="verdict clean">Nothing to score</div>'
    highest = f"{document.probability:.3f}" if scored else "-"
    facts = (
        ("Paragraphs", str(len(document.paragraphs))),
        ("Scored", str(len(scored))),
        ("Flagged", str(len(flagged))),
        ("Highest probability", highest),
        ("Threshold", f"{threshold:.4f}"),  # as the text report: 0.9999 is not "1.000"
        ("Model version", model_version),
        *((("Model id", model_id),) if model_id else ()),
    )
    facts_html = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in facts)
    bins = (0.0, *SHADE_BINS, 1.0)
    legend = "".join(
        f'<span><span class="swatch shade-{i}"></span>{bins[i]:.1f}–{bins[i + 1]:.1f}</span>'
        for i in range(len(_SHADES))
    )
    # a paragraph flagged with its document is under the threshold
    by_context = any(p.result.by_context for p in flagged)
    flagged_when = "at or above the threshold" + (", or with its document" if by_context else "")
    out.write(_page_head(f"spincheck: {_shown_name(source)}", _CSS, spincheck_version))
    out.write(f"""<header class="page">
<h1>spincheck report</h1>
<div class="source">{esc(_shown_name(source))}</div>
{verdict}
<dl class="facts">{facts_html}</dl>
<div class="legend"><span>Spin probability:</span>{legend}
<span><span class="swatch" style="border-left:4px solid #b3261e"></span>flagged ({flagged_when})</span>
<span><mark class="evidence" title="an example">phrase</mark> likely substituted;
<span class="screen">hover for the likely original</span><span class="paper">the likely original follows in
brackets</span></span>
<span><mark class="evidence weak" title="an example">phrase</mark>
weaker evidence in a paragraph not flagged</span></div>
</header>
<div class="layout">
<article>
""")
    for i, p in enumerate(document.paragraphs):
        out.write(("\n" if i else "") + _paragraph_html(p))
    if not document.paragraphs:
        out.write('<p class="empty-note">The document has no paragraphs.</p>')
    out.write("""
</article>
<aside><div class="panel"><h2>Evidence in flagged paragraphs</h2>""")
    if flagged:  # flagged with no evidence too: the panel must not say nothing was flagged
        out.write("<ol>")
        for p in flagged:
            out.write(_side_item(p))
        out.write("</ol>")
    else:
        out.write('<p class="empty-note">No flagged paragraph; no evidence to list.</p>')
    out.write(f"""</div></aside>
</div>
<footer class="page">Made by spincheck {esc(spincheck_version)}. A probability estimates how likely a paragraph
is to have been run through a synonym spinner; evidence shows the phrases that look substituted and the
wording they most likely replaced. Treat it as a lead for a human reviewer, not a verdict.</footer>
</body>
</html>
""")


def _paragraph_html(p: Paragraph) -> str:
    """A paragraph of the page: its text, shaded, with its evidence marked."""
    esc = _esc
    r = p.result
    if r.spun is None:
        cls, label, title = "unscored", f"not scored: {r.reason}", f"not scored ({r.reason})"
    else:
        cls = f"{'flagged' if r.spun else 'clean'} shade-{_shade(r.probability)}"
        # three places, as score and compare print it: with two, 0.958 (under a threshold of 0.9632)
        # and 0.964 both read "0.96", one of them flagged
        label = f"{r.probability:.3f}" + (" flagged" if r.spun else "") + (" with its document" if r.by_context else "")
        title = f"spin probability {r.probability:.3f}" + (
            " (under the threshold, flagged because the document around it is spun)" if r.by_context else ""
        )
    probability = "" if r.spun is None else f' data-probability="{r.probability:.4f}"'
    return (
        f'<p class="para {cls}" id="p{p.index}" data-index="{p.index}" data-start="{p.start}" '
        f'data-end="{p.end}"{probability} title="{esc(title)}"><span class="num">¶ {p.index}</span>'
        f'<span class="prob">{esc(label)}</span>'
        f"{_marked_text(p.text, r.evidence)}</p>"
    )


def _side_item(p: Paragraph) -> str:
    """A flagged paragraph's entry in the side list: its evidence phrases and likely originals."""
    esc = _esc
    r = p.result
    items = (
        "".join(
            f'<li><span class="phrase">{esc(e.phrase)}</span> '
            + (
                f'<span class="was">was likely</span> <span class="orig">{esc(e.suggestion)}</span> '
                if e.suggestion is not None
                else '<span class="was">looks substituted (original unknown)</span> '
            )
            + f'<span class="strength">{e.strength:.2f}</span></li>'
            for e in sorted(r.evidence, key=lambda e: e.start)
        )
        or '<li class="empty-note">no single phrase stands out</li>'
    )
    return (
        f'<li class="para-evidence" data-index="{p.index}"><a href="#p{p.index}">Paragraph {p.index}</a> '
        f'<span class="strength">probability {r.probability:.3f}</span><ul>{items}</ul></li>'
    )


# ---- evaluation -------------------------------------------------------------------------------


def render_evaluation(report: dict) -> str:
    """Plain-text form of the ``spincheck evaluate`` result (see cli for its keys)."""
    m = report["metrics"]
    not_scored = report["not_scored"]
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(report["not_scored_by_reason"].items()))
    lines = [
        f"{_one_line(report['source'])}: {_count(report['paragraphs'], 'labelled paragraph')}, "
        f"threshold {report['threshold']:.4f}",
        f"  scored       {report['scored']:,} ({report['scored_spun']:,} spun, {report['scored_clean']:,} clean)",
        f"  not scored   {not_scored:,}" + (f" ({reasons})" if reasons else ""),
        *_metric_lines(m),
    ]
    ev = report.get("evidence")
    if ev:
        lines.append(
            f"  evidence     {_share_text(ev['covered_share'])} of the {_count(ev['replaced'], 'swap')} in flagged "
            "paragraphs inside an evidence span"
        )
        lines.append(
            f"               {_share_text(ev['suggestion_right_share'])} of those spans suggest the original; "
            f"{_share_text(ev['span_precision'])} of all {_count(ev['evidence_spans'], 'span')} are on a swap"
        )
    at = report.get("at_fpr")
    if at:
        share = f"{100 * at['target_fpr']:g} %"
        # six decimals: this is the value to pass to --threshold, and rounded to four it could
        # flag the clean paragraph it was set just above
        lines.append(f"at most {share} of the clean paragraphs flagged: threshold {at['threshold']:.6f}")
        lines.extend(_metric_lines(at["metrics"], auc=False))
    return "\n".join(lines) + "\n"


def _metric_lines(m: dict, auc: bool = True) -> list[str]:
    def num(value) -> str:
        return "-" if value is None else f"{value:.4f}"

    return [
        f"  precision    {num(m['precision'])}",
        f"  recall       {num(m['recall'])}",
        f"  F1           {num(m['f1'])}",
        *([f"  ROC-AUC      {num(m['roc_auc'])}"] if auc else []),
        f"  FPR          {num(m['fpr'])}",
        f"  confusion    tp {m['tp']}  fp {m['fp']}  fn {m['fn']}  tn {m['tn']}",
    ]


# ---- comparison -------------------------------------------------------------------------------


def comparison_record(source: str, match: ParagraphMatch, result: Result) -> dict:
    """One paragraph of ``spincheck compare``: a labelled row ``spincheck evaluate`` reads.

    Unlike ``score``'s records, the offsets of ``replacements`` and ``evidence``
    are into ``text`` (the paragraph), as in the labelled sets of ``corpus/``.
    """
    record = {
        "source": source,
        "paragraph": match.index,
        "start": match.start,
        "end": match.end,
        "text": match.text,
        "label": match.label,
        "original_paragraph": match.original_index,
        "overlap": match.overlap,
        "replacements": [[r.start, r.end, r.original, r.replacement] for r in match.swaps],
        "words": result.words,
        "probability": None if result.spun is None else round(result.probability, 4),
        "spun": result.spun,
        "by_context": result.by_context,
    }
    if result.reason is not None:
        record["reason"] = result.reason
    record["evidence"] = [evidence_record(e) for e in result.evidence]
    return record


def _share_text(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f} %"


def write_comparison_json(out: TextIO, report: dict, records: Iterable[dict]) -> None:
    """``report`` with its ``records`` as ``"paragraphs"``, last, as ``print(json.dumps(...,
    indent=2))`` writes it, one record at a time: dumped at once, an 11 MB copy's records took
    twice the memory of its JSON Lines."""
    head = json.dumps({**report, "paragraphs": []}, ensure_ascii=False, indent=2)
    out.write(head[: -len("[]\n}")])  # the object dumped up to its last key's value
    opening = "["
    for record in records:
        out.write(opening + "\n    " + _indented(record, 2))
        opening = ","
    out.write("[]\n}\n" if opening == "[" else "\n  ]\n}\n")


def _swap_found(record: dict, start: int, end: int) -> tuple[str, str | None]:
    """Whether the evidence of a ``compare`` record covers its swap at ``start:end`` ("found",
    "missed", or "not scored" when the detector never looked), and the covering span's suggestion."""
    if record["spun"] is None:
        return "not scored", None
    hit = [e for e in record["evidence"] if e["start"] < end and e["end"] > start]
    return ("found", hit[0]["suggestion"]) if hit else ("missed", None)


COMPARISON_CSV_COLUMNS = (
    "source",
    "paragraph",
    "start",
    "end",
    "label",
    "original_paragraph",
    "overlap",
    "words",
    "probability",
    "spun",
    "by_context",
    "reason",
    "swap_start",
    "swap_end",
    "copy_phrase",
    "original_phrase",
    "found",
    "suggestion",
    "model_id",
)


def write_comparison_csv(out: TextIO, records: Iterable[dict], model_id: str) -> None:
    """``compare``'s records as a table for a spreadsheet: a row per swap, with its paragraph's
    columns, and one row with empty swap cells for a paragraph without swaps, so that every
    paragraph of the copy is there. Unlike the records, ``swap_start`` and ``swap_end`` are offsets
    into the copy, as ``start`` and ``end`` are: the table holds no paragraph text to count in.
    Text from the input is guarded as in :class:`CsvReporter`."""
    writer = csv.writer(_LineFeedRows(out), lineterminator="\r\n")  # a lone "\r" quoted, as CsvReporter
    writer.writerow(COMPARISON_CSV_COLUMNS)
    for r in records:
        paragraph = (
            _text_cell(r["source"]),
            r["paragraph"],
            r["start"],
            r["end"],
            r["label"],  # None: an empty cell, as for the other nulls
            r["original_paragraph"],
            f"{r['overlap']:.4f}",
            r["words"],
            "" if r["probability"] is None else f"{r['probability']:.4f}",
            "" if r["spun"] is None else str(r["spun"]).lower(),
            str(r["by_context"]).lower(),
            r.get("reason", ""),
        )
        if not r["replacements"]:
            writer.writerow((*paragraph, "", "", "", "", "", "", model_id))
        for start, end, original, replacement in r["replacements"]:
            found, suggestion = _swap_found(r, start, end)
            at = r["start"]
            writer.writerow(
                (
                    *paragraph,
                    at + start,
                    at + end,
                    _text_cell(replacement),
                    _text_cell(original),
                    found,
                    _text_cell(suggestion or ""),
                    model_id,
                )
            )


# The comparison page adds its swap marks to the explanation page's style.
_COMPARISON_CSS = """
main.comparison { max-width: 860px; padding: 20px 32px; }
.para .origin { display: block; margin-bottom: 2px; font: 12px/1.6 system-ui, Arial, sans-serif; color: var(--muted); }
mark.swap { background: #ffe066; color: inherit; padding: 0 2px; border-radius: 2px; border-bottom: 2px solid #b58900; }
mark.swap.missed { background: #dde6fb; border-bottom: 2px dashed #3b5bdb; }
mark.swap.unscored { background: transparent; border-bottom: 2px dotted #8a8a8a; }
.was { margin-left: 2px; font: 12px system-ui, Arial, sans-serif; color: var(--muted); unicode-bidi: isolate; }
@media print { mark.swap { print-color-adjust: exact; -webkit-print-color-adjust: exact; } }
"""


def write_comparison_html(
    out: TextIO,
    report: dict,
    records: Iterable[dict],
    *,
    spincheck_version: str,
    probabilities: Iterable[float] | None = None,
) -> None:
    """``spincheck compare``'s page, for an editor: each paragraph of the copy with its swaps
    marked and the original's wording after each in brackets, on screen and on paper; a swap
    the detector's evidence covers is marked apart from one it missed. Inline CSS, no scripts, no
    network, as the explanation page. Written a paragraph at a time; ``probabilities`` as in
    :func:`render_comparison`."""
    esc = _esc
    s = report["summary"]
    copied, flagged, scored = s["copy"], s["flagged"], s["scored"]
    covered = s["evidence"]["reworded"]["covered_share"]
    left_out = s["original"]["left_out"]
    facts = (
        ("Copy paragraphs", f"{copied['paragraphs']:,}"),
        ("Reworded", f"{copied['reworded']:,}"),
        ("Taken unchanged", f"{copied['unchanged']:,}"),
        ("Not from the original", f"{copied['not_from_original']:,}"),
        ("Original paragraphs left out", f"{left_out:,} of {s['original']['paragraphs']:,}"),
        ("Swaps", f"{s['swaps']:,}"),
        ("Reworded paragraphs flagged", f"{flagged['reworded']:,} of {scored['reworded']:,} scored"),
        ("Swaps the evidence found", _share_text(covered)),
        ("Threshold", f"{report['threshold']:.4f}"),
        ("Model id", report.get("model_id") or "-"),
    )
    facts_html = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in facts)
    title = f"{_shown_name(report['copy'])} against {_shown_name(report['original'])}"
    out.write(_page_head(f"spincheck comparison: {title}", _CSS + _COMPARISON_CSS, spincheck_version))
    out.write(f"""<header class="page">
<h1>spincheck comparison</h1>
<div class="source">copy: {esc(_shown_name(report["copy"]))}</div>
<div class="source">original: {esc(_shown_name(report["original"]))}</div>
<dl class="facts">{facts_html}</dl>
<div class="legend"><span><mark class="swap">copy</mark><span class="was">[original]</span> a word or phrase the copy
swapped, the original's wording after it; found by the detector's evidence</span>
<span><mark class="swap missed">copy</mark> missed by it</span>
<span><mark class="swap unscored">copy</mark> in a paragraph not scored</span>
<span><span class="swatch" style="border-left:4px solid #b3261e"></span>flagged paragraph</span></div>
</header>
<main class="comparison">
""")
    shown = (r["probability"] for r in records) if probabilities is None else probabilities
    written = False
    for r, probability in zip(records, shown):
        out.write(("\n" if written else "") + _comparison_paragraph_html(r, probability))
        written = True
    if not written:
        out.write('<p class="empty-note">The copy has no paragraphs.</p>')
    out.write(f"""
</main>
<footer class="page">Made by spincheck {esc(spincheck_version)}. Swaps are read off the original: the words of each
copy paragraph that differ from the paragraph of the original it was matched with, house style (quotes, "U.S."/"US",
numbers, UK/US spelling) aside. A probability estimates how likely a paragraph is to have been run through a synonym
spinner.</footer>
</body>
</html>
""")


def _comparison_paragraph_html(r: dict, probability: float | None) -> str:
    """A paragraph of the comparison page: where it came from, its score, its text with its swaps marked."""
    esc = _esc
    if r["original_paragraph"] is None:
        origin = "not in the original"
    else:
        origin = f"from original ¶ {r['original_paragraph']} ({100 * r['overlap']:.0f} % aligned)"
    if r["spun"] is None:
        cls, label = "unscored", f"not scored: {r['reason']}"
    else:
        assert probability is not None, "a scored paragraph has a probability"
        cls = f"{'flagged' if r['spun'] else 'clean'} shade-{_shade(probability)}"
        label = f"{probability:.3f}" + (
            " flagged with its document" if r["by_context"] else " flagged" if r["spun"] else ""
        )
    text, parts, pos = r["text"], [], 0
    for start, end, original, _ in sorted(r["replacements"]):
        found, suggestion = _swap_found(r, start, end)
        kind = {"found": "swap", "missed": "swap missed", "not scored": "swap unscored"}[found]
        if found == "found":
            verdict = "found by the evidence" + (f", which suggested {suggestion!r}" if suggestion is not None else "")
        else:
            verdict = "the paragraph was not scored" if found == "not scored" else "missed by the evidence"
        note = f"original: {original}; {verdict}"
        parts.append(esc(text[pos:start]))
        parts.append(
            f'<mark class="{kind}" data-start="{start}" data-end="{end}" title="{esc(note)}">{esc(text[start:end])}'
            f'</mark><span class="was">[{esc(_phrase(original))}]</span>'
        )
        pos = end
    parts.append(esc(text[pos:]))
    return (
        f'<p class="para {cls}" id="p{r["paragraph"]}" data-index="{r["paragraph"]}" data-start="{r["start"]}" '
        f'data-end="{r["end"]}"><span class="prob">{esc(label)}</span><span class="origin">¶ {r["paragraph"]}, '
        f"{esc(origin)}</span>{''.join(parts)}</p>"
    )


def render_comparison(report: dict, probabilities: Iterable[float] | None = None) -> str:
    """Plain-text form of the ``spincheck compare`` result (see cli for its keys).

    ``probabilities``, one per paragraph, are shown instead of the records' (rounded to four
    places): rounded again to three, 0.99549 read 0.996 here and 0.995 in ``score`` and ``explain``."""
    s = report["summary"]
    copied = s["copy"]
    flagged = s["flagged"]
    ev, ev_flagged = s["evidence"]["reworded"], s["evidence"]["flagged_reworded"]
    lines = [
        f"{_one_line(report['copy'])} against {_one_line(report['original'])}: threshold {report['threshold']:.4f}",
        f"  copy         {_count(copied['paragraphs'], 'paragraph')}: {copied['reworded']:,} reworded, "
        f"{copied['unchanged']:,} taken unchanged, {copied['not_from_original']:,} not from the original",
        f"  original     {_count(s['original']['paragraphs'], 'paragraph')}, "
        f"{s['original']['left_out']:,} of them not in the copy{_numbers(s['original'].get('left_out_paragraphs'))}",
        f"  swaps        {s['swaps']:,} {'word or short phrase' if s['swaps'] == 1 else 'words or short phrases'} "
        "replaced, listed below as copy -> original",
        f"  flagged      {flagged['reworded']:,} of {s['scored']['reworded']:,} scored reworded paragraphs, "
        f"{flagged['unchanged']:,} of {s['scored']['unchanged']:,} unchanged, "
        f"{flagged['not_from_original']:,} of {s['scored']['not_from_original']:,} not from the original",
        f"  evidence     {_share_text(ev['covered_share'])} of the swaps in scored paragraphs inside an evidence span, "
        f"{_share_text(ev['suggestion_right_share'])} of those spans suggesting the original's wording",
        f"               in flagged paragraphs: {_share_text(ev_flagged['covered_share'])} and "
        f"{_share_text(ev_flagged['suggestion_right_share'])}",
    ]
    paragraphs = report["paragraphs"]
    shown = (p["probability"] for p in paragraphs) if probabilities is None else probabilities
    for p, probability in zip(paragraphs, shown):
        added = p["original_paragraph"] is None  # listed flagged or not: what the copy added ("Source link")
        if not p["replacements"] and not p["spun"] and not added:
            continue
        if added:
            origin = "not from the original"
        else:
            origin = f"from original paragraph {p['original_paragraph']} ({100 * p['overlap']:.0f} % aligned)"
        if p["spun"] is None:
            verdict = f"not scored ({p['reason']})"
        else:
            verdict = f"probability {probability:.3f}" + (
                ", flagged with its document" if p["by_context"] else ", flagged" if p["spun"] else ""
            )
        lines.append("")
        lines.append(f"paragraph {p['paragraph']} at char {p['start']}, {origin}: {verdict}")
        for start, end, original, replacement in p["replacements"]:
            found, suggestion = _swap_found(p, start, end)
            if found == "found":
                found += ", no suggestion" if suggestion is None else f", suggested {suggestion!r}"
            lines.append(f"  {_phrase(replacement)} -> {_phrase(original)}: {found}")
        if not p["replacements"]:
            phrases = ", ".join(_phrase(e["phrase"]) for e in p["evidence"][:8])
            what = f"  not in the original: {_opening(p['text'])}" if added else "  no swaps in it"
            lines.append(what + (f"; its evidence: {phrases}" if phrases else ""))
    return "\n".join(lines) + "\n"


# Paragraphs of the original left out of the copy that the text format names (JSON names them all).
LEFT_OUT_SHOWN = 20


def _numbers(indices: list[int] | None) -> str:
    """``": 0, 1, 30"`` for the original's paragraphs left out, the first ``LEFT_OUT_SHOWN`` of them."""
    if not indices:
        return ""
    more = len(indices) - LEFT_OUT_SHOWN
    return ": " + ", ".join(map(str, indices[:LEFT_OUT_SHOWN])) + (f" and {more:,} more" if more > 0 else "")


# Words of a paragraph the copy added that the text format shows, enough to find it by.
OPENING_WORDS = 12


def _opening(text: str) -> str:
    """The first ``OPENING_WORDS`` words of ``text``, quoted, on one line."""
    words = text.split()
    return f'"{_phrase(" ".join(words[:OPENING_WORDS]))}{" ..." if len(words) > OPENING_WORDS else ""}"'
