"""The command line (spincheck.cli), run in-process through main(argv) and once as a subprocess."""

from __future__ import annotations

import bz2
import contextlib
import csv
import dataclasses
import functools
import gzip
import html.parser
import io
import json
import os
import pty
import select
import shlex
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path

import pytest
from helpers import docx_bytes, docx_paragraph, rtf_bytes

import spincheck
from spincheck import Detector, cli, formats, inputs, training
from spincheck.cli import main
from spincheck.compare import align
from spincheck.detector import CONTEXT_MIN_FLAGGED, CONTEXT_P, CONTEXT_SHARE
from spincheck.text import split_paragraphs

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CLEAN = EXAMPLES / "clean.txt"
SPUN = EXAMPLES / "spun.txt"


_real_load_model_dir = spincheck.detector.load_model_dir


@functools.cache
def _shipped_model():
    return _real_load_model_dir(spincheck.model.default_model_dir())


@functools.cache
def _shipped() -> Detector:
    return Detector.load()


@pytest.fixture(autouse=True)
def load_model_once(monkeypatch):
    """main() loads the shipped model on every call; share one copy of its files across the tests.

    Only the file loading is cached: Detector.load itself (threshold, min words, document
    context) runs as it does for users, and a --model directory is still loaded and verified.
    """

    def load_model_dir(directory, **kwargs):
        if not kwargs and Path(directory).resolve() == spincheck.model.default_model_dir().resolve():
            return _shipped_model()
        return _real_load_model_dir(directory, **kwargs)

    monkeypatch.setattr(spincheck.detector, "load_model_dir", load_model_dir)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def jsonl(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def set_stdin(monkeypatch, data: bytes | io.RawIOBase) -> None:
    raw = io.BytesIO(data) if isinstance(data, bytes) else data
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(raw)))


# ---- score: formats -----------------------------------------------------------------------------


def test_examples_spun_is_flagged_and_clean_is_not(capsys):
    code, out, err = run(capsys, "score", str(EXAMPLES))
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith(f"{CLEAN}: 7 paragraphs, 6 scored, 0 flagged, highest probability 0.")
    spun_summary = next(i for i, line in enumerate(lines) if line.startswith(f"{SPUN}:"))
    assert ", 0 flagged" not in lines[spun_summary]
    flagged = lines[spun_summary + 1 : -1]
    assert flagged and all(line.startswith("  paragraph ") and " -> " in line for line in flagged)
    # several documents: a last line for the whole run
    assert lines[-1] == f"total: 2 documents, 1 with flagged paragraphs; {len(flagged)} of 12 scored paragraphs flagged"


def test_results_name_the_model_they_came_from(capsys, tmp_path):
    """model_version is the spincheck version that built a model: a retrained model and the shipped
    one gave the same, and results could not be traced to the model that made them."""
    shipped = spincheck.Detector.load()
    other = tmp_path / "model"
    other.mkdir()
    for f in shipped.path.iterdir():
        if f.is_file() and f.name != "card.json":
            (other / f.name).symlink_to(f)
    card = json.loads((shipped.path / "card.json").read_text())
    (other / "card.json").write_text(json.dumps({**card, "threshold": 0.5}))  # as a retraining changes it
    labelled = tmp_path / "dev.jsonl"
    labelled.write_text(json.dumps({"text": SPUN.read_text().split("\n\n")[1], "label": 1}) + "\n")
    ids = []
    for model in ([], ["--model", str(other)]):
        (document,) = json.loads(run(capsys, "score", "--format", "json", *model, str(SPUN))[1])
        report = json.loads(run(capsys, "evaluate", "--json", *model, str(labelled))[1])
        compared = json.loads(run(capsys, "compare", "--format", "json", *model, str(CLEAN), str(SPUN))[1])
        page = run(capsys, "explain", *model, str(SPUN))[1]
        assert document["model_id"] == report["model_id"] == compared["model_id"]
        assert f"<dt>Model id</dt><dd>{document['model_id']}</dd>" in page
        ids.append(document["model_id"])
    assert ids[0] == shipped.model.fingerprint and ids[1] != ids[0] and len(set(map(len, ids))) == 1


def test_total_line_only_for_several_documents_and_only_in_text(capsys):
    assert "total:" not in run(capsys, "score", str(SPUN))[1]
    assert "total:" not in run(capsys, "score", "--format", "jsonl", str(SPUN), str(CLEAN))[1]


def test_score_output_is_strict_json_whatever_the_ids(capsys, tmp_path):
    """A JSONL id of NaN (which Python reads) was copied into the results as NaN: invalid JSON."""
    path = tmp_path / "odd.jsonl"
    path.write_text('{"id": NaN, "text": "A short text."}\n{"id": 1e999, "text": "Another short text."}\n')

    def strict(text: str):
        return json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in the output"))

    code, out, _ = run(capsys, "score", "--format", "jsonl", str(path))
    assert code == 0 and [strict(line)["id"] for line in out.splitlines()] == ["NaN", "1e999"]
    code, out, _ = run(capsys, "score", "--format", "json", str(path))
    assert code == 0 and [document["id"] for document in strict(out)] == ["NaN", "1e999"]


def test_jsonl_records_point_into_the_decoded_file(capsys, tmp_path):
    # CRLF and a BOM in the file: offsets are into the decoded text, as decode_bytes gives it
    path = tmp_path / "spun_crlf.txt"
    path.write_bytes(b"\xef\xbb\xbf" + SPUN.read_bytes().replace(b"\n", b"\r\n"))
    text = SPUN.read_text(encoding="utf-8")
    code, out, _ = run(capsys, "score", "--format", "jsonl", str(path))
    records = jsonl(out)
    assert code == 1
    assert [(r["start"], r["end"]) for r in records] == [(s.start, s.end) for s in split_paragraphs(text)]
    assert [r["paragraph"] for r in records] == list(range(len(records)))
    for r in records:
        assert set(r) >= {"source", "paragraph", "start", "end", "words", "probability", "spun", "evidence"}
        if r["spun"] is None:
            assert r["reason"] == "too short" and r["probability"] is None
        for e in r["evidence"]:
            assert text[e["start"] : e["end"]] == e["phrase"]
    assert any(r["spun"] and r["evidence"] for r in records)


def _count_batches(monkeypatch) -> list[int]:
    """How many texts each call of score's batch scoring gets (it scores them as it would)."""
    calls, real = [], cli._score_chunks

    def counted(detector, texts, explain=False):
        calls.append(len(texts))
        return real(detector, texts, explain)

    monkeypatch.setattr(cli, "_score_chunks", counted)
    return calls


def test_short_records_are_scored_in_batches_as_one_by_one(capsys, tmp_path, monkeypatch):
    # a call costs about 2 ms whatever its size: 24,000 short records took 46 s one at a time
    paragraphs = [p for p in SPUN.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    path = tmp_path / "pages.jsonl"
    lines = [json.dumps({"id": i, "text": p}) for i, p in enumerate(paragraphs)]
    path.write_text("\n".join(lines[:2] + ["not json"] + lines[2:]) + "\n", encoding="utf-8")
    calls = _count_batches(monkeypatch)
    code, batched, err = run(capsys, "score", "--format", "jsonl", str(path))
    assert code == 2 and f"{path}:3" in err and calls == [len(paragraphs)]  # one call, the bad line reported
    calls.clear()
    monkeypatch.setattr(cli, "BATCH_CHARS", 1)
    code, one_by_one, _ = run(capsys, "score", "--format", "jsonl", str(path))
    assert code == 2 and calls == [1] * len(paragraphs)
    assert batched == one_by_one and [r["id"] for r in jsonl(batched)] == list(range(len(paragraphs)))


def test_every_batch_fills_to_batch_chars_and_holds_at_most_task_events(capsys, tmp_path, monkeypatch):
    """Batches after the first fill as the first does (each call costs about 2 ms, whatever its
    size), and a batch never holds more than TASK_EVENTS records, however short they are."""
    text = "The council voted on Tuesday to rebuild the old harbor bridge after three years of debate."
    path = tmp_path / "pages.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": text}) + "\n" for i in range(12)), encoding="utf-8")
    calls = _count_batches(monkeypatch)
    code, whole, _ = run(capsys, "score", "--format", "jsonl", str(path))
    assert code == 0 and calls == [12]
    calls.clear()
    monkeypatch.setattr(cli, "BATCH_CHARS", 3 * len(text))  # three records' text in each batch
    assert run(capsys, "score", "--format", "jsonl", str(path))[1] == whole and calls == [3, 3, 3, 3]
    calls.clear()
    monkeypatch.setattr(cli, "BATCH_CHARS", 1 << 16)
    monkeypatch.setattr(cli, "TASK_EVENTS", 5)  # records too short to reach BATCH_CHARS: five at most
    assert run(capsys, "score", "--format", "jsonl", str(path))[1] == whole
    assert sum(calls) == 12 and max(calls) <= 5 and len(calls) >= 3


def test_json_is_one_object_per_input(capsys):
    code, out, _ = run(capsys, "score", "--format", "json", str(CLEAN), str(SPUN))
    documents = json.loads(out)
    assert code == 1
    assert [d["source"] for d in documents] == [str(CLEAN), str(SPUN)]
    assert [d["summary"]["spun"] for d in documents] == [False, True]
    for d in documents:
        assert d["summary"]["paragraphs"] == len(d["paragraphs"])
        assert d["summary"]["flagged"] == sum(1 for p in d["paragraphs"] if p["spun"])
        # what the result was judged by, to reproduce it
        assert (d["model_version"], d["threshold"]) == (_shipped().model.card.version, round(_shipped().threshold, 6))
    _, out, _ = run(capsys, "score", "--format", "json", "--threshold", "0.5", str(CLEAN))
    assert json.loads(out)[0]["threshold"] == 0.5


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_record_without_paragraphs_still_gets_a_row(capsys, tmp_path, fmt):
    """A pipeline joins rows back to its records: an empty record must not vanish."""
    path = tmp_path / "crawl.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": text}) + "\n" for i, text in enumerate(["", " \n ", "Hi."])))
    code, out, _ = run(capsys, "score", "--format", fmt, str(path))
    rows = jsonl(out) if fmt == "jsonl" else list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [(r["source"], r["reason"]) for r in rows] == [
        (f"{path}:0", "empty"),
        (f"{path}:1", "empty"),
        (f"{path}:2", "too short"),
    ]
    assert rows[0]["paragraph"] in (None, "")
    code, out, _ = run(capsys, "score", "--format", fmt, "--flagged-only", str(path))
    assert out.count("empty") == 0


def test_document_context_and_no_context(capsys):
    """Paragraphs under --threshold are flagged by_context when enough of their file is flagged."""
    probs = sorted(p.result.probability for p in _shipped().score_text(SPUN.read_text(encoding="utf-8")).scored)
    # a threshold in the widest gap that leaves 2 to 5 of the 6 paragraphs above it: the rule applies
    above = max(range(2, len(probs)), key=lambda k: probs[-k] - probs[-k - 1])
    if probs[-above] - probs[-above - 1] < 1e-9:
        pytest.skip("the spun example's paragraphs score alike; no threshold separates them")
    threshold = (probs[-above] + probs[-above - 1]) / 2
    assert probs[0] >= 0.8
    code, out, _ = run(capsys, "score", "--format", "jsonl", "--threshold", repr(threshold), str(SPUN))
    rows = [r for r in jsonl(out) if r["spun"] is not None]
    assert code == 1 and sum(r["spun"] for r in rows) == len(probs)
    assert sum(r["by_context"] for r in rows) == len(probs) - above  # all but those above the threshold
    assert all(r["evidence"] for r in rows if r["by_context"])
    code, out, _ = run(capsys, "score", "--format", "jsonl", "--no-context", "--threshold", repr(threshold), str(SPUN))
    rows = [r for r in jsonl(out) if r["spun"] is not None]
    assert code == 1 and sum(r["spun"] for r in rows) == above and not any(r["by_context"] for r in rows)
    code, out, _ = run(capsys, "score", "--threshold", repr(threshold), str(SPUN))
    assert out.count("(flagged with its document)") == len(probs) - above


def test_csv_has_a_row_per_paragraph(capsys):
    code, out, _ = run(capsys, "score", "--format", "csv", str(SPUN))
    lines = out.splitlines()
    assert code == 1
    assert lines[0] == "source,paragraph,start,end,words,probability,spun,reason,evidence,by_context,id,record,model_id"
    assert all(line.endswith(f",,,{_shipped().model.fingerprint}") for line in lines[1:])  # a file: no id or record
    assert len(lines) - 1 == len(split_paragraphs(SPUN.read_text()))
    assert any(",true," in line and "->" in line for line in lines[1:])


# ---- score: options -----------------------------------------------------------------------------


def test_threshold_option(capsys):
    assert run(capsys, "score", str(CLEAN))[0] == 0
    code, out, _ = run(capsys, "score", "--format", "jsonl", "--threshold", "0.01", str(CLEAN))
    scored = [r for r in jsonl(out) if r["spun"] is not None]
    assert code == 1 and scored and all(r["spun"] for r in scored)


def test_min_words_reports_short_paragraphs_as_not_scored(capsys):
    code, out, _ = run(capsys, "score", "--format", "jsonl", "--min-words", "500", str(SPUN))
    records = jsonl(out)
    assert code == 0
    assert len(records) == len(split_paragraphs(SPUN.read_text()))  # none dropped
    assert {(r["spun"], r["reason"]) for r in records} == {(None, "too short")}


def test_model_option_loads_and_verifies_a_directory(capsys, tmp_path):
    shipped = spincheck.model.default_model_dir()
    assert run(capsys, "score", "--model", str(shipped), str(SPUN))[0] == 1
    code, out, err = run(capsys, "score", "--model", str(tmp_path), str(SPUN))
    assert (code, out) == (2, "")
    assert err == f"spincheck: error: {tmp_path} has no card.json (pass a directory made by 'spincheck train')\n"


def test_jobs_output_equals_serial_output(capsys, tmp_path, monkeypatch):
    # many chunks and several tasks, so that the order of results really is tested
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 400)
    monkeypatch.setattr(cli, "TASK_CHARS", 900)
    long_text = tmp_path / "long.txt"
    long_text.write_text((SPUN.read_text() + "\n\n" + CLEAN.read_text() + "\n\n") * 3)
    args = ["score", "--format", "jsonl", str(long_text), str(tmp_path / "missing.txt"), str(EXAMPLES)]
    serial = run(capsys, *args)
    # worker processes really score (a one-CPU runner would otherwise cap --jobs to 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    marks = tmp_path / "workers"
    marks.mkdir()
    real_task = cli._score_task

    def marking_task(config, explain, texts):
        (marks / str(os.getpid())).touch()
        return real_task(config, explain, texts)

    monkeypatch.setattr(cli, "_score_task", marking_task)
    options = list(sys.warnoptions)
    parallel = run(capsys, "--quiet", *args[:1], "--jobs", "2", *args[1:])
    assert serial == parallel
    assert sys.warnoptions == options  # the tracker's filter was this run's, not the caller's for good
    assert serial[0] == 2 and len(jsonl(serial[1])) > 20
    workers = {int(p.name) for p in marks.iterdir()}
    assert workers and os.getpid() not in workers


@pytest.mark.parametrize("paths", [[SPUN], [CLEAN, SPUN, EXAMPLES]], ids=["one-file", "a-few-files"])
def test_jobs_output_equals_serial_output_when_the_input_fits_in_one_task(capsys, monkeypatch, paths):
    # at the default TASK_CHARS a small input is a single, last task: lost, --jobs 2 would print
    # nothing and exit 0
    args = ["score", *map(str, paths)]
    serial = run(capsys, *args)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)  # not capped to 1 on a one-CPU runner
    assert run(capsys, *args[:1], "--jobs", "2", *args[1:]) == serial
    assert serial[0] == 1 and f"{SPUN}: " in serial[1]


def _model_with_bias(where: Path, shift: float) -> None:
    """A model directory of the shipped tables (linked) and a classifier whose paragraph bias is
    moved by ``shift``: another model, which scores every paragraph differently."""
    from spincheck import model

    shipped = model.default_model_dir()
    where.mkdir()
    for path in shipped.iterdir():
        if path.is_file() and path.name not in ("card.json", "classifier.npz"):
            (where / path.name).symlink_to(path)
    classifier = model.Classifier.load(shipped / "classifier.npz")
    classifier.paragraph.out_bias += shift
    classifier.save(where / "classifier.npz")
    model.write_card(where, json.loads((shipped / "card.json").read_text()))


def test_jobs_workers_score_with_the_model_the_run_reports(capsys, tmp_path, monkeypatch):
    """A worker kept the model it loaded by path for later runs (loky reuses workers): after a
    retraining replaced the directory, a second run of a program calling main() reported the
    new model's id and scored with the old one."""
    import pickle

    import joblib

    class ReusedWorker:  # one worker that lives on between runs, its tasks pickled as loky does
        def __init__(self, *args, **kwargs) -> None:
            pass

        def __call__(self, tasks):
            return (f(*pickle.loads(pickle.dumps(a)), **k) for f, a, k in tasks)

    monkeypatch.setattr(joblib, "Parallel", ReusedWorker)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    where = tmp_path / "m"
    _model_with_bias(where, 0.0)
    args = ["--quiet", "score", "--model", str(where), "--threshold", "0.9", "--format", "jsonl", str(CLEAN)]
    first = jsonl(run(capsys, *args, "--jobs", "2")[1])
    where.rename(tmp_path / "old")  # a retraining replaces the directory as a whole
    _model_with_bias(where, -6.0)
    serial = jsonl(run(capsys, *args)[1])
    parallel = jsonl(run(capsys, *args, "--jobs", "2")[1])
    assert parallel == serial != first


def test_explain_gives_evidence_for_unflagged_paragraphs_without_changing_scores(capsys, tmp_path, monkeypatch):
    plain = jsonl(run(capsys, "score", "--format", "jsonl", str(CLEAN))[1])
    code, out, _ = run(capsys, "score", "--explain", "--format", "jsonl", str(CLEAN))
    explained = jsonl(out)
    assert code == 0  # the clean example: nothing flagged, so evidence comes only from --explain
    assert [r["probability"] for r in explained] == [r["probability"] for r in plain]
    assert all(r["evidence"] == [] for r in plain)
    assert any(r["evidence"] for r in explained)
    # the same through worker processes
    monkeypatch.setattr(cli, "TASK_CHARS", 300)
    assert run(capsys, "--quiet", "score", "--explain", "--jobs", "2", "--format", "jsonl", str(CLEAN))[1] == out
    # the text format lists every scored paragraph
    _, text, _ = run(capsys, "score", "--explain", str(CLEAN))
    scored = [r for r in explained if r["probability"] is not None]
    assert text.count("(not flagged)") == len(scored)


@pytest.mark.parametrize(("choice", "coloured"), [("always", True), ("never", False), ("auto", False)])
def test_color(capsys, choice, coloured):
    _, out, _ = run(capsys, "score", "--color", choice, str(SPUN))
    assert ("\x1b[" in out) == coloured  # auto: the captured stdout is not a terminal


def test_quiet_hides_notes_but_not_errors(capsys, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    args = ["score", str(tmp_path / "empty.txt"), str(tmp_path / "missing.txt")]
    _, _, err = run(capsys, *args)
    assert f"spincheck: note: {tmp_path / 'empty.txt'} is empty" in err
    code, _, err = run(capsys, "score", "-q", *args[1:])
    assert code == 2
    assert (
        err == f"spincheck: error: cannot read {tmp_path / 'missing.txt'}: no such file or directory (check the path)\n"
    )


def test_a_web_address_is_named_as_one_and_the_other_inputs_are_scored(capsys):
    """Offline by design: "https:/...: no such file" (pathlib folds the "//") sent users looking
    for a file; the error says what to do, for score, compare, explain and evaluate alike."""
    code, out, err = run(capsys, "score", "-q", "https://example.com/news/a.html", str(CLEAN))
    assert code == 2 and f"{CLEAN}: " in out
    assert err == (
        "spincheck: error: cannot read https://example.com/news/a.html: it is a web address, not a file "
        "(spincheck reads files only: save the page first, e.g. curl -o page.html URL)\n"
    )
    for argv in (["compare", "http://example.com/a", str(SPUN)], ["evaluate", "https://example.com/set.jsonl"]):
        code, _, err = run(capsys, *argv)
        assert code == 2 and f"cannot read {argv[1]}: it is a web address, not a file" in err


def test_verbose_names_the_model(capsys):
    _, _, err = run(capsys, "-v", "score", str(CLEAN))
    detector = Detector.load()
    model = detector.model
    assert err.startswith("spincheck: model ") and f"(version {model.card.version}, id {model.fingerprint}, " in err
    assert f"threshold {detector.threshold:.4f}, min words 12)" in err


def test_verbose_counts_before_and_after_the_subcommand(capsys, monkeypatch):
    """-v is repeatable wherever it stands: the subcommand's parser counted its own from 0 and
    replaced the count before it, so "-v score -v" gave no traceback where -vv does."""

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(Detector, "load", boom)
    for argv, traceback_shown in (
        (["-v", "score", "-v"], True),
        (["-vv", "score"], True),
        (["score", "-vv"], True),
        (["-v", "score"], False),
        (["score", "-v"], False),
    ):
        code, _, err = run(capsys, *argv, str(CLEAN))
        assert code == 2 and "unexpected RuntimeError: boom" in err
        assert ("Traceback (most recent call last)" in err) == traceback_shown, argv


def test_version_and_help(capsys, monkeypatch):
    # argparse wraps to the terminal's width (COLUMNS, else the terminal's own): at 40 columns or
    # fewer the version line and the phrases below were cut over two lines
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, f"spincheck {spincheck.__version__}\n")
    code, out, _ = run(capsys, "score", "--help")
    assert code == 0
    assert "exit status:" in out and "an error wins over a flag" in out
    assert "trusted" in out and "card.json" in out  # the --model warning
    options = ("--format", "--threshold", "--min-words", "--model", "--jobs", "--color", "--quiet", "--text-field")
    for option in (*options, "--explain"):
        assert option in out
    # the document rule as the detector applies it
    rule = f"at least {CONTEXT_MIN_FLAGGED} paragraphs of a document, and {CONTEXT_SHARE:.0%} of its scored ones"
    assert rule.replace("%", " %") in " ".join(out.split()) and f"from probability {CONTEXT_P:g}" in out
    # explain reads one document: its help spoke of "the other inputs" that are still scored
    code, out, _ = run(capsys, "explain", "--help")
    assert code == 0 and "the document could not be read (no page is written)" in out
    assert "other inputs" not in out and "141" in out


@pytest.mark.parametrize("command", ["score", "explain", "compare", "evaluate", "train"])
def test_each_subcommands_help_lists_verbose_and_quiet(capsys, command):
    # every subcommand takes -v and -q after its name; its help listed -q but hid -v
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    assert "-v, --verbose" in out and "-q, --quiet" in out and "[-v]" in out
    # and the statuses every command can end with (compare and evaluate named 0 and 2 only, train not 141)
    assert all(f"\n  {status}  " in out for status in (0, 2, 130, 141, 143))


@pytest.mark.parametrize(
    "argv",
    [["score", "--bogus"], ["score", "--threshold", "1.5"], ["score", "--jobs", "0"], [], ["score", "-", "-"]],
)
def test_usage_errors_are_one_line(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("spincheck") and err.count("\n") == 1 and ": error: " in err


@pytest.mark.parametrize(
    ("option", "value", "status"),
    [("--threshold", "0", 1), ("--threshold", "1", 0), ("--jobs", "1", 0), ("--min-words", "1", 0)],
)
def test_options_take_the_ends_of_their_ranges(capsys, option, value, status):
    # 0 and 1 are probabilities, 1 a positive whole number: refusing them is a usage error for a valid run
    code, out, err = run(capsys, "score", option, value, str(CLEAN))
    assert (code, err) == (status, "") and out.startswith(f"{CLEAN}: 7 paragraphs")


@pytest.mark.parametrize("option", ["--jobs", "--min-words"])
def test_zero_is_refused_by_name_where_a_positive_whole_number_is_needed(capsys, option):
    # unchecked, --jobs 0 would get as far as joblib and come back as "unexpected ValueError"
    assert run(capsys, "score", option, "0", str(CLEAN)) == (
        2,
        "",
        f"spincheck: error: argument {option}: 0 is not a positive whole number (see 'spincheck score --help')\n",
    )


@pytest.mark.parametrize(
    ("argv", "argument"),
    [
        (["score", "--model", "", "CLEAN"], "--model"),
        (["score", "-o", "", "CLEAN"], "-o/--output"),
        (["explain", ""], "PATH"),
        (["explain", "-o", "", "CLEAN"], "-o/--output"),
        (["compare", "", "CLEAN"], "ORIGINAL"),
        (["compare", "CLEAN", ""], "COPY"),
        (["evaluate", ""], "FILE"),
        (["train", "--clean", "", "--out", "OUT"], "--clean"),
        (["train", "--clean", "CLEAN", "--spun", "", "--out", "OUT"], "--spun"),
        (["train", "--clean", "CLEAN", "--out", ""], "--out"),
    ],
)
def test_an_empty_path_is_refused_by_name(capsys, tmp_path, monkeypatch, argv, argument):
    """--clean "$CORPUS" with CORPUS unset trained on the current folder, --model "" loaded it as a
    model (". has no card.json"), and explain "" called it "a directory": "" is "." to the OS."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text(CLEAN.read_text())  # what the current folder would give
    argv = [{"CLEAN": str(CLEAN), "OUT": str(tmp_path / "model")}.get(a, a) for a in argv]
    command = argv[0]
    assert run(capsys, *argv) == (
        2,
        "",
        f"spincheck: error: argument {argument}: an empty path was given (see 'spincheck {command} --help')\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("option", ["--clean", "--spun"])
def test_train_says_it_does_not_read_stdin_rather_than_that_dash_is_missing(capsys, tmp_path, option):
    argv = ["train", "--clean", str(CLEAN), "--out", str(tmp_path / "model")]
    code, out, err = run(capsys, *argv, option, "-")
    assert (code, out) == (2, "") and err.startswith(f"spincheck: error: argument {option}: train reads files and ")
    assert "not stdin" in err and not (tmp_path / "model").exists()


def test_usage_errors_point_to_the_subcommands_help_or_say_how_to_name_a_dashed_file(capsys, tmp_path, monkeypatch):
    code, _, err = run(capsys, "score", "--bogus", str(CLEAN))
    assert (code, err) == (2, "spincheck: error: unrecognized arguments: --bogus (see 'spincheck score --help')\n")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-notes.txt").write_text(CLEAN.read_text())
    code, _, err = run(capsys, "score", "-notes.txt")
    assert (code, err) == (
        2,
        "spincheck: error: unrecognized arguments: -notes.txt "
        "(to read the file -notes.txt, write ./-notes.txt or put -- before it)\n",
    )
    assert run(capsys, "score", "--", "-notes.txt")[0] == 0
    # an unknown option that is no file gets no such hint
    code, _, err = run(capsys, "score", "-x")
    assert (code, err) == (2, "spincheck: error: unrecognized arguments: -x (see 'spincheck score --help')\n")


def test_a_dashed_file_or_an_option_after_the_double_dash_gets_a_hint_in_every_command(capsys, tmp_path, monkeypatch):
    # `explain -notes.txt` said only "the following arguments are required: PATH", and
    # `explain -- -notes.txt -o page.html` said to put -- before the file, as it was
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-notes.txt").write_text(CLEAN.read_text())
    dashed = "(to read the file -notes.txt, write ./-notes.txt or put -- before it)\n"
    for argv in (["explain", "-notes.txt"], ["evaluate", "-notes.txt"], ["compare", str(CLEAN), "-notes.txt"]):
        code, _, err = run(capsys, *argv)
        assert code == 2 and err.startswith("spincheck: error: the following arguments are required: ")
        assert err.endswith(dashed)
    code, _, err = run(capsys, "train", "--clean", "-notes.txt", "--out", "model")  # -- cannot help an option's value
    assert (code, err) == (
        2,
        "spincheck: error: argument --clean: expected at least one argument (to read the file -notes.txt, "
        "write ./-notes.txt)\n",
    )
    code, _, err = run(capsys, "explain", "--", "-notes.txt", "-o", "page.html")
    assert (code, err) == (
        2,
        "spincheck: error: unrecognized arguments: -o page.html "
        "(after --, every argument is a file name: put options before the --)\n",
    )
    code, _, err = run(capsys, "explain")  # no file given: the usual hint
    assert err.endswith("(see 'spincheck explain --help')\n")


def test_a_directory_scan_does_not_read_the_file_its_output_goes_to(capsys, tmp_path, monkeypatch):
    (tmp_path / "page.txt").write_text(SPUN.read_text())
    with open(tmp_path / "scores.jsonl", "w", encoding="utf-8") as output:
        monkeypatch.setattr(sys, "stdout", output)  # spincheck score DIR --format jsonl > DIR/scores.jsonl
        code = main(["score", "--format", "jsonl", str(tmp_path)])
    err = capsys.readouterr().err
    rows = jsonl((tmp_path / "scores.jsonl").read_text(encoding="utf-8"))
    assert code == 1 and {r["source"] for r in rows} == {str(tmp_path / "page.txt")}
    assert err == f"spincheck: note: {tmp_path / 'scores.jsonl'} is where the output goes (not read)\n"


def test_document_to_records_is_what_jsonl_writes(capsys):
    """The library's serialisation of a Document is the command line's, row for row, key order
    too; with model_id given (a Document holds its threshold, not its model) the rows end with
    it as the command line's do, so rows stored in a database name their model either way."""
    _, out, _ = run(capsys, "score", "--format", "jsonl", str(SPUN))
    rows = jsonl(out)
    det = Detector.load()
    doc = det.score_text(SPUN.read_text(encoding="utf-8"))
    assert det.model_id == _shipped().model.fingerprint
    assert [list(r) for r in doc.to_records(str(SPUN), model_id=det.model_id)] == [list(r) for r in rows]
    assert doc.to_records(str(SPUN), model_id=det.model_id) == rows
    assert {row.pop("model_id") for row in rows} == {det.model_id}
    assert doc.to_records(str(SPUN)) == rows and any(r["spun"] for r in rows)  # without it, none
    (stamped,) = det.score_text("").to_records(model_id=det.model_id)  # the one row of an empty text too
    assert stamped["model_id"] == det.model_id
    with pytest.raises(TypeError, match=r"model_id as a str \(det.model_id\), not Detector"):
        doc.to_records(model_id=det)  # rows that json.dumps refuses, found only when written
    assert json.loads(json.dumps(doc.to_records())) == doc.to_records()  # JSON-ready
    (empty,) = Detector.load().score_text("").to_records("page-7", record_id=7)
    assert (empty["source"], empty["id"], empty["paragraph"], empty["reason"]) == ("page-7", 7, None, "empty")


def test_to_records_of_a_path_or_numpy_id_can_be_written_as_json():
    """A source found with pathlib, or an id read from a pandas column (numpy int64), made rows
    that json.dumps refused: they are written as the str and the number they stand for."""
    import numpy as np

    doc = Detector.load().score_text(SPUN.read_text(encoding="utf-8"))
    for text in (doc, Detector.load().score_text("")):
        rows = json.loads(json.dumps(text.to_records(SPUN, np.int64(7))))
        assert {(r["source"], r["id"]) for r in rows} == {(str(SPUN), 7)}
    assert doc.to_records(SPUN, np.int64(7)) == doc.to_records(str(SPUN), 7)
    assert doc.to_records(record_id=("a", 1))[0]["id"] == ("a", 1)  # anything else: as given


IS_AN_INPUT = (
    "is an input; writing the results to it would replace it "
    "(choose another -o, outside the folders scored, or delete it first if it holds earlier results)\n"
)


def test_output_option_writes_what_stdout_would_get(capsys, tmp_path):
    _, expected, _ = run(capsys, "score", "--format", "jsonl", str(SPUN), str(CLEAN))
    (tmp_path / "page.txt").write_text(SPUN.read_text())
    target = tmp_path / "scores.jsonl"
    target.write_text("old results\n")  # replaced, as a shell redirection would
    code, out, err = run(capsys, "score", "--format", "jsonl", "-o", str(target), str(SPUN), str(CLEAN))
    assert (code, out) == (1, "") and target.read_text(encoding="utf-8") == expected
    flagged = sum(r["spun"] is True for r in jsonl(expected))
    scored = sum(r["spun"] is not None for r in jsonl(expected))
    assert err == f"spincheck: note: wrote {target}: {flagged} of {scored} scored paragraphs flagged in 2 documents\n"
    # in a directory it scans, a new output is not read (it is written under a hidden name, then
    # renamed), and an old one is an input like any other
    target.unlink()
    code, _, err = run(capsys, "score", "--format", "jsonl", "-o", str(target), str(tmp_path))
    assert code == 1 and {r["source"] for r in jsonl(target.read_text())} == {str(tmp_path / "page.txt")}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.txt", "scores.jsonl"]  # no temporary left
    before = target.read_bytes()
    code, out, err = run(capsys, "score", "-o", str(target), str(tmp_path))
    assert (code, out) == (2, "") and target.read_bytes() == before
    assert err == f"spincheck: error: {target} {IS_AN_INPUT}"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("s.csv", "csv"),
        ("s.jsonl", "jsonl"),
        ("s.ndjson", "jsonl"),
        ("S.JSON", "json"),
        ("s.txt", "text"),
        ("s", "text"),
    ],
)
def test_output_option_without_format_writes_the_format_its_suffix_names(capsys, tmp_path, name, fmt):
    # -o scores.csv wrote the text format, which a spreadsheet opened as one column of prose
    _, expected, _ = run(capsys, "score", "--format", fmt, str(SPUN))
    code, _, _ = run(capsys, "score", "-o", str(tmp_path / name), str(SPUN))
    assert code == 1 and (tmp_path / name).read_text(encoding="utf-8") == expected
    code, _, _ = run(capsys, "score", "--format", "text", "-o", str(tmp_path / name), str(SPUN))  # asked for
    assert (tmp_path / name).read_text(encoding="utf-8").startswith(f"{SPUN}: ")


@pytest.mark.parametrize("command", ["score", "explain"])
def test_output_option_naming_a_compressed_file_is_refused(capsys, tmp_path, command):
    # -o scores.jsonl.gz wrote plain JSON Lines under a .gz name: zcat and pandas found no gzip data
    target = tmp_path / "scores.jsonl.gz"
    code, out, err = run(capsys, command, str(SPUN), "-o", str(target))
    assert (code, out, target.exists()) == (2, "", False)
    # the pipe is named /dev/fd/N, which chooses no format: the hint asks for the one the name gave
    flag = "--format jsonl " if command == "score" else ""
    assert err == (
        f"spincheck: error: {target} names a compressed file, and spincheck writes its output uncompressed "
        f"(compress through a pipe: {flag}-o >(gzip > {target}))\n"
    )
    if command == "score":  # a --format given is not repeated
        _, _, err = run(capsys, command, str(SPUN), "--format", "csv", "-o", str(target))
        assert err.endswith(f"(compress through a pipe: -o >(gzip > {target}))\n")


def test_output_option_never_replaces_an_input(capsys, tmp_path, monkeypatch):
    page = tmp_path / "page.txt"
    page.write_text(SPUN.read_text())
    code, out, err = run(capsys, "score", str(page), "-o", str(tmp_path / "." / "page.txt"))
    assert (code, out) == (2, "") and page.read_text() == SPUN.read_text()
    assert err == f"spincheck: error: {page} {IS_AN_INPUT}"
    code, out, err = run(capsys, "score", str(page), "-o", str(tmp_path / "missing" / "scores.txt"))
    assert (code, out) == (2, "")
    assert err.startswith(f"spincheck: error: cannot write {tmp_path / 'missing' / 'scores.txt'}: ")
    # the same file by another name: a hard link, or stdin redirected from it
    os.link(page, tmp_path / "link.txt")
    code, _, err = run(capsys, "score", str(tmp_path), "-o", str(tmp_path / "link.txt"))
    assert code == 2 and "is an input; writing the results to it would replace it" in err
    with open(page, "rb") as f:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(f))
        code, _, err = run(capsys, "score", "-o", str(page))
    assert (code, err) == (2, f"spincheck: error: <stdin> {IS_AN_INPUT}")
    assert page.read_text() == SPUN.read_text()


def test_output_option_met_in_the_walk_stops_the_run_and_is_left_as_it_was(capsys, tmp_path, monkeypatch):
    # the check before the run takes inode numbers from os.scandir, which some file systems
    # (overlayfs) give otherwise than stat; the walk stats each file, and refuses the -o it meets
    (tmp_path / "a.txt").write_text(SPUN.read_text())
    results = tmp_path / "b.txt"
    results.write_text("earlier results\n")
    monkeypatch.setattr(cli, "tree_files", lambda root: iter(()))
    code, out, err = run(capsys, "score", "--format", "jsonl", "-o", str(results), str(tmp_path))
    assert (code, out, err) == (2, "", f"spincheck: error: {results} {IS_AN_INPUT}")
    assert results.read_text() == "earlier results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]  # no temporary left


@pytest.mark.parametrize("before", ["missing.txt", ""])
def test_output_option_never_replaces_an_input_named_after_one_that_cannot_be_read(capsys, tmp_path, before):
    # the check goes on past an input it cannot look at (a missing file, an empty name): stopping
    # there would let -o replace the scored file after it
    page = tmp_path / "page.txt"
    page.write_text(SPUN.read_text())
    first = str(tmp_path / before) if before else ""
    code, out, err = run(capsys, "score", first, str(page), "-o", str(page))
    assert (code, out, err) == (2, "", f"spincheck: error: {page} {IS_AN_INPUT}")
    assert page.read_text() == SPUN.read_text()


@pytest.mark.parametrize("command", ["score", "explain"])
def test_a_device_as_both_input_and_output_is_no_clash(capsys, monkeypatch, command):
    # stdin from /dev/null is the same device as -o /dev/null (a terminal's stdin and stdout are
    # one pty): writing to it replaces nothing, so it is not refused as "an input"
    with open(os.devnull, "rb") as f:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(f))
        code, out, err = run(capsys, command, "-", "-o", os.devnull)
    assert (code, out) == (0, "") and "is an input" not in err and "being explained" not in err
    assert err.startswith("spincheck: note: <stdin> is empty\n")


@pytest.mark.parametrize("command", ["score", "explain"])
def test_an_output_pipe_whose_reader_went_away_is_exit_141_as_stdout_is(capsys, command):
    # `-o /dev/stdout | head -1` and `-o >(head -c 100)`: exit 2 with "cannot write ...: Broken
    # pipe (choose another -o)" read as a failed run; stdout's case is a quiet 141
    read, write = os.pipe()
    os.close(read)
    try:
        code, out, err = run(capsys, command, str(SPUN), "-o", f"/dev/fd/{write}")
    finally:
        os.close(write)
    assert (code, out, err) == (141, "", "")


def test_named_inputs_that_are_stdout_are_not_read(tmp_path):
    # `spincheck score g/* >> g/results.csv`, rerun: each run scored its own earlier results
    # (a file of over 128,000 characters, streamed, grew without end)
    (tmp_path / "page.txt").write_text(SPUN.read_text())
    results = tmp_path / "results.jsonl"
    results.write_text("")
    command = [sys.executable, "-m", "spincheck", "score", "--format", "jsonl"]
    for _ in range(2):
        with open(results, "a") as out:
            process = subprocess.run(
                [*command, *sorted(map(str, tmp_path.iterdir()))],
                stdout=out,
                stderr=subprocess.PIPE,
                text=True,
                timeout=120,
            )
        assert process.returncode == 1
        assert process.stderr == f"spincheck: note: {results} is where the output goes (not read)\n"
    sources = [r["source"] for r in jsonl(results.read_text())]
    assert set(sources) == {str(tmp_path / "page.txt")} and len(sources) % 2 == 0


def test_output_option_keeps_an_old_file_when_nothing_was_scored_and_keeps_its_permissions(capsys, tmp_path):
    target = tmp_path / "scores.txt"
    target.write_text("earlier results\n", encoding="utf-8")
    target.chmod(0o640)  # not mkstemp's own 0600, so that a lost chmod shows
    code, _, err = run(capsys, "score", str(tmp_path / "missing.txt"), "-o", str(target))
    assert code == 2 and target.read_text(encoding="utf-8") == "earlier results\n"
    assert err.endswith(f"spincheck: note: {target} is left as it was: nothing was scored\n")
    fresh = tmp_path / "fresh.txt"  # every input unreadable: no file is made to look like results
    code, _, err = run(capsys, "score", str(tmp_path / "missing.txt"), "-o", str(fresh))
    assert code == 2 and not fresh.exists() and "wrote" not in err
    code, _, _ = run(capsys, "score", str(SPUN), str(tmp_path / "missing.txt"), "-o", str(target))
    assert code == 2 and target.read_text(encoding="utf-8").startswith(f"{SPUN}: ")  # one input read: written
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the file keeps its permissions
    code, _, err = run(capsys, "score", str(SPUN), "-o", str(tmp_path / "newdir") + "/")
    assert code == 2 and "it names a directory" in err and not (tmp_path / "newdir").exists()
    code, out, err = run(capsys, "score", str(SPUN), "-o", str(tmp_path))  # before scoring anything
    assert (code, out, err) == (
        2,
        "",
        f"spincheck: error: cannot write {tmp_path}: it names a directory (choose a file name for -o)\n",
    )
    if Path("/dev/full").exists():  # a full disk while writing: one line, not a traceback
        code, _, err = run(capsys, "score", str(SPUN), "-o", "/dev/full")
        assert (code, err) == (
            2,
            "spincheck: error: cannot write /dev/full: No space left on device (choose another -o)\n",
        )


@pytest.mark.parametrize(("umask", "mode"), [(0o077, 0o600), (0o002, 0o664)], ids=["umask-077", "umask-002"])
def test_output_option_gives_a_new_file_the_permissions_of_the_umask(capsys, tmp_path, umask, mode):
    # a fixed 0644 would make results readable by everyone under umask 077
    target = tmp_path / "scores.txt"
    old = os.umask(umask)
    try:
        with pytest.MonkeyPatch.context() as patch:
            # the system applies the umask; setting it to read it, for a moment, would be felt by
            # another thread of a program that calls main()
            patch.setattr(os, "umask", lambda mask: pytest.fail("the umask was set to read it"))
            code = run(capsys, "score", str(SPUN), "-o", str(target))[0]
    finally:
        os.umask(old)
    assert code == 1 and stat.S_IMODE(target.stat().st_mode) == mode


def test_output_option_writes_a_pipe_in_place(capsys, tmp_path):
    """-o /dev/stdout or -o >(gzip > x.gz) name a pipe: renaming a file over it would fail."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    # a daemon: were nothing ever to open the fifo for writing, a reader still waiting in open()
    # would keep pytest from exiting after the failure
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, _ = run(capsys, "score", "--format", "jsonl", str(SPUN), "-o", str(fifo))
    reader.join(timeout=30)
    assert code == 1 and jsonl(received[0].decode("utf-8"))[0]["source"] == str(SPUN)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_sigterm_ends_a_command_like_ctrl_c_and_leaves_no_temporary(capsys, tmp_path, monkeypatch):
    target = tmp_path / "scores.txt"
    target.write_text("earlier results\n", encoding="utf-8")

    def terminated(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(cli, "_score_chunks", terminated)
    monkeypatch.setattr(sys, "argv", ["spincheck", "score", str(SPUN), "-o", str(target)])
    assert cli.console_main() == 128 + signal.SIGTERM
    assert [p.name for p in tmp_path.iterdir()] == ["scores.txt"] and target.read_text() == "earlier results\n"
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # put back when the command returns


def test_sighup_ends_a_command_like_sigterm(capsys, tmp_path, monkeypatch):
    # a closed terminal or ssh session: without the handler the run dies, leaving its -o temporary
    target = tmp_path / "scores.txt"
    target.write_text("earlier results\n", encoding="utf-8")

    def hung_up(*args, **kwargs):
        # checked first: with SIGHUP's default action the signal would end pytest itself
        assert signal.getsignal(signal.SIGHUP) not in (signal.SIG_DFL, signal.SIG_IGN), "no SIGHUP handler"
        os.kill(os.getpid(), signal.SIGHUP)

    monkeypatch.setattr(cli, "_score_chunks", hung_up)
    monkeypatch.setattr(sys, "argv", ["spincheck", "score", str(SPUN), "-o", str(target)])
    previous = signal.signal(signal.SIGHUP, signal.SIG_DFL)  # as from a terminal, even if pytest runs under nohup
    try:
        assert cli.console_main() == 128 + signal.SIGHUP
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_DFL  # put back when the command returns
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert [p.name for p in tmp_path.iterdir()] == ["scores.txt"] and target.read_text() == "earlier results\n"


def test_an_ignored_sighup_stays_ignored(capsys, tmp_path, monkeypatch):
    # nohup starts the command with SIGHUP ignored: a handler put over that would stop the run anyway
    target = tmp_path / "scores.txt"
    real = cli._score_chunks

    def hung_up(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGHUP)
        return real(*args, **kwargs)

    monkeypatch.setattr(cli, "_score_chunks", hung_up)
    monkeypatch.setattr(sys, "argv", ["spincheck", "score", str(SPUN), "-o", str(target)])
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        code = cli.console_main()
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert code == 1 and target.read_text(encoding="utf-8").startswith(f"{SPUN}: ")


def test_main_called_by_a_program_leaves_its_signals_alone(capsys):
    """A host that calls main() must still die on SIGTERM: only the command installs a handler."""
    seen = []
    real = signal.signal
    try:
        signal.signal = lambda *args: seen.append(args)  # type: ignore[assignment]
        run(capsys, "score", str(CLEAN))
    finally:
        signal.signal = real
    assert seen == []


@pytest.mark.parametrize("after", ["numpy", "spincheck.cli"])
def test_ctrl_c_while_the_command_starts_is_reported_without_a_traceback(after):
    """Ctrl-C in the first 0.3 s of `spincheck score` (numpy and the scoring code importing) printed
    a traceback. The signal is sent once the child says (-X importtime, on stderr) that ``after``
    has been imported: numpy, with the scoring code still to come, or the command line itself, the
    signal then landing while it starts or reads stdin. Either way: status 130 and one line."""
    env = dict(os.environ, PYTHONPATH=str(Path(spincheck.__file__).resolve().parents[1]))
    process = subprocess.Popen(
        [sys.executable, "-P", "-X", "importtime", "-m", "spincheck", "score", "-"],
        stdin=subprocess.PIPE,  # left open: a command that got past its imports waits for input
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        for line in process.stderr:
            if line.startswith("import time:") and line.rsplit("|", 1)[-1].strip() == after:
                break
        else:
            pytest.fail(f"{after} was never imported")
        process.send_signal(signal.SIGINT)
        code = _wait_or_kill(process, 60)
        err = process.stderr.read()
    finally:
        process.stdin.close()
        process.stdout.close()
        process.stderr.close()
    said = [line for line in err.splitlines() if not line.startswith("import time:")]
    assert (code, said) == (130, ["spincheck: error: interrupted"])


def test_the_command_starts_in_modules_that_import_nothing_heavy(run_python):
    # what the console script imports before spincheck._console's try: Ctrl-C there is not caught
    code = """
import sys
from spincheck._console import console_main
print(sorted(m for m in ("numpy", "spincheck.cli", "spincheck.detector") if m in sys.modules))
"""
    assert run_python(code).split() == ["[]"]
    pyproject = (Path(spincheck.__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'spincheck = "spincheck._console:console_main"' in pyproject.splitlines()


def test_output_to_dev_stdout_appends_where_stdout_stands(tmp_path):
    """-o /dev/stdout with stdout appended to a log: the log keeps what it held (it was replaced)."""
    env = dict(os.environ, PYTHONPATH=str(Path(spincheck.__file__).resolve().parents[1]))
    log = tmp_path / "log.txt"
    log.write_text("previous line\n", encoding="utf-8")
    with open(log, "a", encoding="utf-8") as out:
        out.write("header\n")
        out.flush()
        proc = subprocess.run(
            [sys.executable, "-m", "spincheck", "score", "-q", str(SPUN), "-o", "/dev/stdout"],
            stdout=out,
            env=env,
            timeout=120,
        )
    assert proc.returncode == 1
    assert log.read_text(encoding="utf-8").startswith(f"previous line\nheader\n{SPUN}: ")


def test_output_option_writes_utf8_without_colour_whatever_stdout_is(capsys, tmp_path, monkeypatch):
    page = tmp_path / "café – été.txt"
    page.write_text(SPUN.read_text(), encoding="utf-8")
    monkeypatch.setattr(cli, "_isatty", lambda stream: stream is sys.stdout)  # a terminal on stdout only
    code, _, _ = run(capsys, "score", "--color", "auto", "-o", str(tmp_path / "out.txt"), str(page))
    written = (tmp_path / "out.txt").read_bytes().decode("utf-8")  # whatever the locale's encoding
    assert code == 1 and written.startswith(f"{page}: ") and "\x1b[" not in written


def test_output_option_keeps_the_old_file_when_the_run_is_interrupted(capsys, tmp_path, monkeypatch):
    target = tmp_path / "scores.txt"
    target.write_text("the results of an earlier run\n", encoding="utf-8")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_score_chunks", interrupted)
    code, _, _ = run(capsys, "score", str(SPUN), "-o", str(target))
    assert code == 130 and target.read_text(encoding="utf-8") == "the results of an earlier run\n"
    assert [p.name for p in tmp_path.iterdir()] == ["scores.txt"]  # and no temporary file left


def test_evaluate_takes_format_json_as_score_and_compare_do(capsys, tmp_path):
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps({"text": SPUN.read_text().split("\n\n")[1], "label": 1}) + "\n")
    _, with_json, _ = run(capsys, "evaluate", str(path), "--json")
    _, with_format, _ = run(capsys, "evaluate", str(path), "--format", "json")
    assert with_format == with_json and json.loads(with_format)["paragraphs"] == 1
    _, as_text, _ = run(capsys, "evaluate", str(path), "--format", "text")
    assert as_text.startswith(f"{path}: 1 labelled paragraph, threshold ")
    # both: JSON came out without a word, and a script reading the text broke on it
    code, out, err = run(capsys, "evaluate", str(path), "--json", "--format", "text")
    assert (code, out) == (2, "") and err == (
        "spincheck: error: --json and --format text ask for two formats (pass one of them)\n"
    )


def test_unexpected_error_is_one_line_without_traceback(capsys, monkeypatch):
    def boom(detector, texts, explain=False):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "_score_chunks", boom)
    code, _, err = run(capsys, "score", str(CLEAN))
    assert code == 2
    assert err == (
        "spincheck: error: unexpected RuntimeError: boom "
        "(this is a bug in spincheck; rerun with -vv for the traceback and report it)\n"
    )
    code, _, err = run(capsys, "-vv", "score", str(CLEAN))
    assert code == 2 and "Traceback (most recent call last)" in err  # only when asked for


# ---- score: inputs ------------------------------------------------------------------------------


def test_stdin(capsys, monkeypatch):
    set_stdin(monkeypatch, SPUN.read_bytes())
    code, out, _ = run(capsys, "score", "--format", "jsonl")
    records = jsonl(out)
    assert code == 1 and {r["source"] for r in records} == {"<stdin>"}
    set_stdin(monkeypatch, SPUN.read_bytes())
    assert run(capsys, "score", "--format", "jsonl", "-")[1] == out


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_every_row_of_records_maps_back_to_its_record(capsys, monkeypatch, tmp_path, fmt):
    """Rows of records were named only ``file:id``, or ``file:LINE`` without an id: two records
    with one id, a record without one on line 3 beside another whose id is 3, and ids "3" and 3
    gave rows alike. Each row now carries the record's line (its place in a .json array), in a
    JSONL file, a .json array and stdin alike, and the model that scored it."""
    texts = ["Alpha.", "Beta beta.", "Gamma gamma gamma.", "Delta delta delta delta.", "Eps eps eps eps eps."]
    records = [{"id": "a", "text": texts[0]}, {"id": "a", "text": texts[1]}, {"text": texts[2]}]
    records += [{"id": 3, "text": texts[3]}, {"id": "3", "text": texts[4]}]
    lines = [json.dumps(r) for r in records]
    data = "\n".join([*lines[:2], "", *lines[2:]]) + "\n"  # a blank line is counted: the record after it is on line 4
    (tmp_path / "a.jsonl").write_text(data, encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(records), encoding="utf-8")
    set_stdin(monkeypatch, data.encode())
    code, out, err = run(capsys, "score", "--format", fmt, str(tmp_path / "a.jsonl"), str(tmp_path / "b.json"), "-")
    assert (code, err) == (0, "")
    rows = jsonl(out) if fmt == "jsonl" else list(csv.DictReader(io.StringIO(out)))
    expected = {}
    for name, places in ((str(tmp_path / "a.jsonl"), [1, 2, 4, 5, 6]), (str(tmp_path / "b.json"), [1, 2, 3, 4, 5])):
        for place, record in zip(places, records):
            expected[(inputs.record_source(name, record.get("id"), place), place)] = record["text"]
    for place, record in zip([1, 2, 4, 5, 6], records):
        expected[(inputs.record_source("<stdin>", record.get("id"), place), place)] = record["text"]
    keys = [(row["source"], int(row["record"])) for row in rows]
    assert len(expected) == len(set(keys)) == len(rows) == 15  # one row each: every record told apart
    for key, row in zip(keys, rows):  # and each row's offsets are into its own record's text
        assert int(row["end"]) == len(expected[key])
    assert {row["model_id"] for row in rows} == {_shipped().model.fingerprint}


@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (["score"], "text from the terminal; end it with Ctrl-D (or pass files to score)"),
        (["explain", "-"], "the document from the terminal; end it with Ctrl-D (or pass a file)"),
        (["compare", "-", str(CLEAN)], "the document from the terminal; end it with Ctrl-D (or pass a file)"),
        (["evaluate", "-"], "labelled lines from the terminal; end it with Ctrl-D (or pass a file)"),
    ],
)
def test_every_command_reading_a_terminal_says_how_to_end_it(capsys, monkeypatch, argv, what):
    # only score said so: explain, compare and evaluate waited in silence, as if they hung
    set_stdin(monkeypatch, b"")
    monkeypatch.setattr(cli, "_isatty", lambda stream: stream is sys.stdin)
    _, _, err = run(capsys, *argv)
    assert err.startswith(f"spincheck: note: reading {what}\n")
    _, _, err = run(capsys, "-q", *argv)
    assert "reading" not in err


def test_file_names_on_stdin_are_an_error_that_says_to_pass_them_as_arguments(capsys, monkeypatch, tmp_path):
    # find ... | spincheck score scored the names as text: one paragraph not scored, exit status 0, nothing said
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a b.txt").write_text(CLEAN.read_text())
    (tmp_path / "notes").mkdir()
    for names in (b"a b.txt\nnotes\n", b"./a b.txt\r\n", b"a b.txt\0notes\0"):  # ls, Windows line ends, find -print0
        set_stdin(monkeypatch, names)
        code, out, err = run(capsys, "score", "--format", "jsonl")
        assert (code, out) == (2, "") and err.startswith("spincheck: error: <stdin> is a list of file names, not text")
        assert err.endswith("find DIR -print0 | xargs -0 spincheck score; skipped)\n")
    # a text whose first line happens to name a file is text
    set_stdin(monkeypatch, b"a b.txt\n" + CLEAN.read_bytes())
    code, out, err = run(capsys, "score", "--format", "jsonl")
    assert (code, err) == (0, "") and len(jsonl(out)) == 8
    # so is a title naming a folder, then a paragraph longer than the head on one line: no name is that long
    set_stdin(monkeypatch, b"notes\n\n" + b" ".join(CLEAN.read_bytes().split() * 6))
    code, out, err = run(capsys, "score", "--format", "jsonl")
    assert (code, err) == (0, "") and len(jsonl(out)) == 2
    # named, such a file is read as text, as named files are
    (tmp_path / "list.txt").write_bytes(b"a b.txt\n")
    code, out, _ = run(capsys, "score", "list.txt")
    assert (code, out) == (0, "list.txt: 1 paragraph, 0 scored, 0 flagged, highest probability -\n")


class _SlowStdin(io.RawIOBase):
    """A pipe that delivers ``blocks`` blocks of text and, at its end, notes what was printed so far."""

    def __init__(self, capsys, blocks: int) -> None:
        self.capsys = capsys
        self.blocks = blocks
        self.printed_before_eof = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self.blocks:
            self.printed_before_eof = self.capsys.readouterr().out
            return 0
        self.blocks -= 1
        data = (SPUN.read_bytes() + b"\n\n")[: len(buffer)]
        buffer[: len(data)] = data
        return len(data)


@pytest.mark.parametrize("fmt", ["jsonl", "text"])
def test_output_starts_before_the_input_ends(capsys, monkeypatch, fmt):
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 3000)
    stdin = _SlowStdin(capsys, blocks=8)
    set_stdin(monkeypatch, stdin)
    main(["score", "--format", fmt])
    assert stdin.printed_before_eof  # flagged paragraphs were printed while stdin was still open


def test_a_batch_from_a_pipe_ends_when_the_pipe_has_nothing_ready(monkeypatch):
    read_end, write_end = os.pipe()
    with open(read_end, "rb") as pipe, open(write_end, "wb", buffering=0) as feed:
        monkeypatch.setattr(sys, "stdin", pipe)
        assert cli._stdin_waits()  # nothing written yet: score what has come
        feed.write(b'{"text": "more"}\n')
        assert not cli._stdin_waits()  # more is ready: the batch may grow
    monkeypatch.setattr(sys, "stdin", io.StringIO("no file descriptor"))
    assert cli._stdin_waits()  # cannot tell: batches of one, as before


def _wait_or_kill(process: subprocess.Popen, seconds: float) -> int:
    """The exit status of ``process``; killed, and TimeoutExpired raised, if it runs on past ``seconds``."""
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def _feed_score(jobs: str) -> subprocess.Popen:
    """``spincheck score --jobs JOBS --format jsonl -`` reading a pipe the test feeds; the child
    sees four CPUs, so that --jobs 2 starts workers on any runner."""
    four_cpus = "import os, sys; os.cpu_count = lambda: 4; from spincheck import cli; sys.exit(cli.console_main())"
    return subprocess.Popen(
        [sys.executable, "-c", four_cpus, "score", "--jobs", jobs, "--format", "jsonl", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize(("jobs", "encoding"), [("1", "utf-8"), ("2", "utf-8"), ("1", "utf-16")])
def test_a_slow_jsonl_feed_is_answered_record_by_record(jobs, encoding):
    """tail -f log.jsonl | spincheck score -: the first record is answered without waiting for
    more input (the kind of input used to be guessed only once 8 KiB had come). With --jobs 2
    nothing came out until 256 records had: joblib reads tasks ahead before it answers any. In
    UTF-16 with a byte-order mark (PowerShell's ``>``) the head was read on to 8 KiB, since only
    a UTF-8 first record ended it early."""
    process = _feed_score(jobs)
    text = "The council voted on Tuesday to rebuild the old harbor bridge after three years of debate."
    later = "utf-16-le" if encoding == "utf-16" else encoding  # one byte-order mark, at the start
    try:
        for i in range(2):
            process.stdin.write((json.dumps({"id": i, "text": text}) + "\n").encode(later if i else encoding))
            process.stdin.flush()
            answered, _, _ = select.select([process.stdout], [], [], 60)
            assert answered, f"record {i} not answered while the feed stays open"
            assert json.loads(process.stdout.readline())["id"] == i
    finally:
        process.stdin.close()
        process.stdout.close()
        # waited for first: reading stderr to its end would wait as long as the process, without a limit
        code = _wait_or_kill(process, 60)
        err = process.stderr.read().decode()
    assert (code, err) == (0, "")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_record_is_answered_while_the_next_one_is_still_coming(jobs):
    """A feed that has sent one record and half of the next: the whole one is answered now, not
    once the other is complete (the half in the reader's buffer is no record to wait for)."""
    process = _feed_score(jobs)
    text = "The council voted on Tuesday to rebuild the old harbor bridge after three years of debate."
    second = (json.dumps({"id": 1, "text": text}) + "\n").encode()
    try:
        process.stdin.write((json.dumps({"id": 0, "text": text}) + "\n").encode() + second[:20])
        process.stdin.flush()
        answered, _, _ = select.select([process.stdout], [], [], 60)
        assert answered, "record 0 not answered while record 1 is half sent"
        assert json.loads(process.stdout.readline())["id"] == 0
        process.stdin.write(second[20:])
        process.stdin.flush()
        assert json.loads(process.stdout.readline())["id"] == 1
    finally:
        process.stdin.close()
        process.stdout.close()
        err = process.stderr.read().decode()
    assert (process.wait(timeout=60), err) == (0, "")


def test_a_pipe_that_is_ready_is_scored_in_batches(capsys, monkeypatch):
    """zcat | spincheck score -: records waiting in the pipe are batched as a file's are."""
    text = "The council voted on Tuesday to rebuild the old harbor bridge after three years of debate."
    data = "".join(json.dumps({"id": i, "text": text}) + "\n" for i in range(12)).encode()
    calls = _count_batches(monkeypatch)
    read_end, write_end = os.pipe()
    with open(write_end, "wb") as feed:
        feed.write(data)  # far under a pipe's buffer: all of it waits there, then the end
    with io.TextIOWrapper(open(read_end, "rb")) as pipe:
        monkeypatch.setattr(sys, "stdin", pipe)
        code, out, _ = run(capsys, "score", "--format", "jsonl", "-")
    assert code == 0 and len(jsonl(out)) == 12 and calls == [12]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_records_read_ahead_are_batched_though_the_pipe_has_nothing_more(capsys, monkeypatch, tmp_path, jobs):
    """(cat crawl.jsonl; sleep 60) | spincheck score -: once the pipe was empty, the records already
    read into the reader's buffer were scored a record a call, and with --jobs each waited 50 ms
    for the pipe first (12,000 short records: 34 s against 1.2 s)."""
    text = "The council voted on Tuesday to rebuild the old harbor bridge after three years of debate."
    data = "".join(json.dumps({"id": i, "text": text}) + "\n" for i in range(12)).encode()
    calls = _count_batches(monkeypatch)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)  # workers really score with --jobs 2
    marks = tmp_path / "tasks"
    marks.mkdir()
    real_task = cli._score_task

    def counted_task(config, explain, texts):  # in a worker: what it was given goes in a file
        (marks / f"{os.getpid()}-{time.monotonic_ns()}").write_text(str(len(texts)))
        return real_task(config, explain, texts)

    monkeypatch.setattr(cli, "_score_task", counted_task)
    read_end, write_end = os.pipe()
    os.write(write_end, data)  # all of it at once, read in one go; the feed stays open a while
    closer = threading.Timer(1.0, os.close, [write_end])
    closer.start()
    try:
        with io.TextIOWrapper(open(read_end, "rb")) as pipe:
            monkeypatch.setattr(sys, "stdin", pipe)
            code, out, _ = run(capsys, "score", "--jobs", jobs, "--format", "jsonl", "-")
    finally:
        closer.join()
    tasks = [int(p.read_text()) for p in marks.iterdir()]
    assert code == 0 and len(jsonl(out)) == 12
    assert (calls if jobs == "1" else [n for n in tasks if n]) == [12]


def test_output_from_stdin_starts_before_its_end_when_files_are_given_too(capsys, monkeypatch):
    """Stdin given among files ("spincheck score - other.txt") is fed as slowly as stdin alone."""
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 3000)
    stdin = _SlowStdin(capsys, blocks=8)
    set_stdin(monkeypatch, stdin)
    main(["score", "--format", "jsonl", "-", str(CLEAN)])
    assert stdin.printed_before_eof


def test_files_beside_a_waiting_stdin_are_still_scored_in_batches(capsys, monkeypatch, tmp_path):
    # "(sleep 60; echo) | spincheck score big.jsonl -": every record of big.jsonl was a call
    pages = tmp_path / "pages.jsonl"
    paragraphs = [p for p in SPUN.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    pages.write_text("".join(json.dumps({"text": p}) + "\n" for p in paragraphs), encoding="utf-8")
    calls = _count_batches(monkeypatch)
    monkeypatch.setattr(cli, "_stdin_waits", lambda: True)  # stdin has nothing ready, ever
    set_stdin(monkeypatch, SPUN.read_bytes())
    run(capsys, "score", "--format", "csv", str(pages), "-")
    assert calls[0] >= len(paragraphs)  # the whole file in the first call, not a record a call


def test_the_bar_is_not_redrawn_around_rows_written_to_a_file(capsys, monkeypatch, tmp_path):
    # score big.jsonl > out.jsonl with the bar on the terminal: cleared and redrawn for each row
    guarded = []
    monkeypatch.setattr(cli, "_stdout_guard", lambda bar: guarded.append(bar) or contextlib.nullcontext)
    monkeypatch.setattr(cli, "BAR_BYTES", 1)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(cli, "_isatty", lambda stream: stream is sys.stderr)
    run(capsys, "score", "--format", "csv", str(SPUN))
    assert guarded == []
    monkeypatch.setattr(cli, "_isatty", lambda stream: True)  # both on the terminal: guarded
    assert run(capsys, "score", "--format", "csv", str(SPUN))[0] == 1
    assert len(guarded) == 1 and guarded[0] is not None


def test_a_closed_stdin_cannot_say_it_is_ready(monkeypatch):
    read_end, write_end = os.pipe()
    os.close(write_end)
    pipe = open(read_end, "rb")
    pipe.close()
    monkeypatch.setattr(sys, "stdin", pipe)
    assert cli._stdin_waits()  # no error: batches of one


def test_streamed_document_is_named_before_its_paragraphs(capsys, tmp_path, monkeypatch):
    """A file read in several chunks prints its flagged paragraphs before its summary line: a line
    naming it comes first, so they are not read as the previous file's."""
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 3000)
    big = tmp_path / "big.txt"
    big.write_text((SPUN.read_text() + "\n\n") * 4)
    code, out, _ = run(capsys, "score", "--color", "never", str(SPUN), str(big))
    lines = out.splitlines()
    header = lines.index(f"{big}: (streamed; its summary follows its paragraphs)")
    assert code == 1 and lines[0].startswith(f"{SPUN}: ") and header > 0
    assert lines[header + 1].startswith("  paragraph ") and lines[-2].startswith(f"{big}: ")
    assert lines[-1].startswith("total: 2 documents, 2 with flagged paragraphs; ")
    assert out.count(f"{SPUN}: ") == 1  # the whole small file: summary first, no header


def test_directory_with_every_kind_of_input(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "_trafilatura_state", {"module": None})
    paragraphs = SPUN.read_text().split("\n\n")
    (tmp_path / "a.md").write_text(CLEAN.read_text())
    (tmp_path / "b.html").write_text(
        "<html><head><script>var x = 1;</script></head><body><nav>Home | News</nav>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "<footer>Copyright</footer></body></html>"
    )
    (tmp_path / "c.jsonl").write_text(
        json.dumps({"id": "r1", "body": CLEAN.read_text()}) + "\n" + json.dumps({"id": 2, "body": paragraphs[2]}) + "\n"
    )
    (tmp_path / "skipped.csv").write_text("not,read\n")
    code, out, err = run(capsys, "score", "--format", "json", "--text-field", "body", str(tmp_path))
    documents = json.loads(out)
    assert code == 1
    assert [(d["source"], d.get("id")) for d in documents] == [
        (str(tmp_path / "a.md"), None),
        (str(tmp_path / "b.html"), None),
        (f"{tmp_path / 'c.jsonl'}:r1", "r1"),
        (f"{tmp_path / 'c.jsonl'}:2", 2),
    ]
    assert [d["summary"]["spun"] for d in documents] == [False, True, False, True]
    assert err == f"spincheck: note: {inputs.TRAFILATURA_NOTE}\n"


def test_a_json_array_of_records_is_scored_like_the_same_jsonl(capsys, tmp_path, monkeypatch):
    # Scrapy's "-o items.json": read as text, its keys were scored ("text -> book" as evidence)
    paragraphs = [p for p in SPUN.read_text(encoding="utf-8").split("\n\n") if p.strip()][:4]
    items = [{"url": f"https://example.invalid/{i}", "text": p} for i, p in enumerate(paragraphs)]
    items[2]["id"] = "third"
    (tmp_path / "items.json").write_text(json.dumps(items, indent=2), encoding="utf-8")
    (tmp_path / "items.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    code, from_json, err = run(capsys, "score", "--format", "jsonl", str(tmp_path / "items.json"))
    _, from_jsonl, _ = run(capsys, "score", "--format", "jsonl", str(tmp_path / "items.jsonl"))
    rows = jsonl(from_json)
    assert (code, err) == (1, "") and [r["source"].rsplit(":", 1)[1] for r in rows] == ["1", "2", "third", "4"]
    drop = ("source",)
    assert [{k: v for k, v in r.items() if k not in drop} for r in rows] == [
        {k: v for k, v in r.items() if k not in drop} for r in jsonl(from_jsonl)
    ]
    assert all(e["phrase"] != "text" for r in rows for e in r["evidence"])
    set_stdin(monkeypatch, (tmp_path / "items.json").read_bytes())  # known by its first bytes, [{"
    assert [r["probability"] for r in jsonl(run(capsys, "score", "--format", "jsonl")[1])] == [
        r["probability"] for r in rows
    ]
    # a directory scan leaves .json files (package.json, settings) alone
    scanned = {
        line.split(":")[0] for line in run(capsys, "score", "--format", "csv", str(tmp_path))[1].splitlines()[1:]
    }
    assert scanned == {str(tmp_path / "items.jsonl")}


@pytest.mark.parametrize(
    ("content", "errors"),
    [
        ('[{"text": "Short."}, 3, {"id": 1}]', [":2: not a JSON object (skipped)", ":3: no string field 'text'"]),
        ('[{"text"', [" is not valid JSON: it ends inside the document: cut short (skipped)"]),
        (
            '[{"text": "Short."},\n {"text": tru}]',
            [" is not valid JSON: Expecting value at line 2, column 11 (read up to item 1; the rest is skipped)"],
        ),
        ('[{"text": "Short."},]', [" is not valid JSON: Expecting value at line 1, column 21 (read up to item 1;"]),
        ('[42, "a text"]', [":1: not a JSON object (skipped)", ":2: not a JSON object (skipped)"]),
    ],
)
def test_a_json_file_that_is_not_records_says_why(capsys, tmp_path, content, errors):
    path = tmp_path / "items.json"
    path.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "score", str(path))
    assert code == 2 and all(f"spincheck: error: {path}{e}" in err for e in errors), err


def test_a_json_array_cut_short_keeps_the_items_before_the_cut(capsys, tmp_path):
    """A crawl killed before its closing ``]`` loses only the item it was writing: the whole
    ones before it are scored, as the good lines of damaged JSONL are, and the run exits 2."""
    items = [{"id": f"p{n}", "text": SPUN.read_text(encoding="utf-8")} for n in range(3)]
    whole = json.dumps(items, indent=1)
    path = tmp_path / "items.json"
    path.write_text(whole[: whole.rindex('"text"') + 12], encoding="utf-8")  # into the third text
    code, out, err = run(capsys, "score", "--format", "jsonl", str(path))
    assert code == 2 and list(dict.fromkeys(r["source"] for r in jsonl(out))) == [f"{path}:p0", f"{path}:p1"]
    assert err == (
        f"spincheck: error: {path} is not valid JSON: it ends inside the document: cut short "
        "(read up to item 2; the rest is skipped)\n"
    )


def test_a_json_file_over_the_size_cap_is_refused_with_a_way_out(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "MAX_DOCUMENT_BYTES", 9000)
    path = tmp_path / "items.json"
    path.write_text(json.dumps([{"text": "word " * 100}] * 30), encoding="utf-8")
    code, out, err = run(capsys, "score", str(path))
    assert (code, out) == (2, "") and "is larger than" in err and "jq -c '.[]'" in err


def test_explain_and_compare_refuse_a_json_array_as_many_documents(capsys, tmp_path):
    path = tmp_path / "items.json"
    path.write_text(json.dumps([{"text": SPUN.read_text(encoding="utf-8")}] * 2), encoding="utf-8")
    for argv in (["explain", str(path), "-o", str(tmp_path / "page.html")], ["compare", str(SPUN), str(path)]):
        code, out, err = run(capsys, *argv)
        assert (code, out) == (2, "") and f"and {path} holds records (many documents)" in err
    assert not (tmp_path / "page.html").exists()


def test_a_json_file_of_json_lines_is_read_as_json_lines(capsys, tmp_path):
    # many crawls name JSON Lines ".json": only a file that opens an array is one document
    paragraphs = [p for p in SPUN.read_text(encoding="utf-8").split("\n\n") if p.strip()][:3]
    path = tmp_path / "crawl.json"
    path.write_text("".join(json.dumps({"id": i, "text": p}) + "\n" for i, p in enumerate(paragraphs)))
    code, out, err = run(capsys, "score", "--format", "jsonl", str(path))
    assert (code, err) == (1, "") and [r["id"] for r in jsonl(out)] == [0, 1, 2]


def test_a_json_array_in_utf16_is_read_as_records(capsys, tmp_path):
    # Windows PowerShell 5: ConvertTo-Json > items.json writes UTF-16 with a byte-order mark
    path = tmp_path / "items.json"
    path.write_bytes(json.dumps([{"id": "u", "text": SPUN.read_text(encoding="utf-8")}]).encode("utf-16"))
    code, out, err = run(capsys, "score", "--format", "json", str(path))
    assert (code, err) == (1, "") and [d["source"] for d in json.loads(out)] == [f"{path}:u"]


def test_an_empty_json_array_is_noted_as_empty(capsys, tmp_path):
    path = tmp_path / "items.json"
    path.write_text("[ ]\n")
    assert run(capsys, "score", str(path)) == (0, "", f"spincheck: note: {path} is empty\n")


@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl"])
def test_json_nested_too_deeply_is_an_error_and_the_other_inputs_are_scored(capsys, tmp_path, name):
    deep = tmp_path / name
    deep.write_text("[" * 200_000 + "]" * 200_000 + "\n")
    code, out, err = run(capsys, "score", "--format", "csv", str(deep), str(SPUN))
    assert code == 2 and "nested too deeply" in err and "this is a bug" not in err
    assert f"{SPUN}," in out


def test_a_json_file_of_one_record_is_one_document(capsys, tmp_path):
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"id": "p1", "text": SPUN.read_text(encoding="utf-8")}), encoding="utf-8")
    code, out, _ = run(capsys, "score", "--format", "json", str(path))
    assert code == 1 and [d["source"] for d in json.loads(out)] == [f"{path}:p1"]


def test_pdf_is_scored_like_the_same_text(capsys, tmp_path):
    pytest.importorskip("pypdf")
    from pdf_maker import make_pdf

    paragraphs = [" ".join(p.split()) for p in SPUN.read_text().split("\n\n") if p.strip()]
    lines = [line for p in paragraphs for line in textwrap.wrap(p, 80)]
    (tmp_path / "spun.pdf").write_bytes(make_pdf([lines[: len(lines) // 2], lines[len(lines) // 2 :]]))
    (tmp_path / "spun.txt").write_text("\n\n".join(paragraphs))
    code, out, err = run(capsys, "score", "--format", "jsonl", str(tmp_path / "spun.pdf"))
    from_pdf = jsonl(out)
    assert (code, err) == (1, "")
    _, out, _ = run(capsys, "score", "--format", "jsonl", str(tmp_path / "spun.txt"))
    keys = ("paragraph", "start", "end", "probability", "spun")
    assert [[r[k] for k in keys] for r in from_pdf] == [[r[k] for k in keys] for r in jsonl(out)]


def test_pdf_without_pypdf_is_an_error(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "_pypdf_state", {"module": None})
    (tmp_path / "paper.pdf").write_bytes(b"%PDF-1.7\n")
    code, out, err = run(capsys, "score", str(tmp_path / "paper.pdf"))
    assert code == 2 and "pip install pypdf" in err and "Traceback" not in err
    assert out == ""  # nothing scored, as for any input that cannot be read


def test_bad_jsonl_line_is_an_error_but_the_rest_is_scored(capsys, tmp_path):
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps({"id": 1, "text": SPUN.read_text()}) + "\n{oops\n")
    code, out, err = run(capsys, "score", "--format", "jsonl", str(path))
    assert code == 2 and jsonl(out)[0]["source"] == f"{path}:1" and jsonl(out)[0]["id"] == 1
    assert err.startswith(f"spincheck: error: {path}:2: invalid JSON (")


def test_invalid_utf8_in_jsonl_is_a_warning_and_every_record_is_scored(capsys, tmp_path):
    # the bytes were replaced in silence; a text file has always had this warning
    path = tmp_path / "pages.jsonl"
    lines = [json.dumps({"id": i, "text": CLEAN.read_text()}) for i in range(12)]
    path.write_bytes("\n".join(lines).encode().replace(b"residents", b"r\xe9sidents"))
    code, out, err = run(capsys, "score", "--format", "jsonl", str(path))
    assert code == 0 and {r["id"] for r in jsonl(out)} == set(range(12))
    assert err == f"spincheck: warning: {path} is not valid UTF-8; undecodable bytes were replaced with U+FFFD\n"


def test_hostile_inputs_are_reported_once_and_the_rest_scored(capsys, tmp_path):
    (tmp_path / "1-empty.txt").write_text("")
    (tmp_path / "2-binary.txt").write_bytes(bytes(range(256)) * 64)
    (tmp_path / "3-latin1.txt").write_bytes(CLEAN.read_text().replace("residents", "résidents").encode("latin-1"))
    (tmp_path / "4-utf16.txt").write_bytes(SPUN.read_text().encode("utf-16"))
    (tmp_path / "5-loop.txt").symlink_to(tmp_path / "5-loop.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "back").symlink_to(tmp_path)
    code, out, err = run(capsys, "score", str(tmp_path))
    assert code == 2  # the binary file and the looping link, though something was also flagged
    assert err.splitlines() == [
        f"spincheck: note: {tmp_path / '1-empty.txt'} is empty",
        f"spincheck: error: {tmp_path / '2-binary.txt'} looks binary (skipped)",
        (
            f"spincheck: warning: {tmp_path / '3-latin1.txt'} is not valid UTF-8; "
            "undecodable bytes were replaced with U+FFFD"
        ),
        (
            f"spincheck: error: cannot read {tmp_path / '5-loop.txt'}: too many levels of symbolic links "
            "(symlink loop; skipped)"
        ),
        (
            f"spincheck: warning: {tmp_path / 'sub' / 'back'} leads to a directory that is already being read "
            "(read once; skipped)"
        ),
    ]
    summaries = [line for line in out.splitlines() if not line.startswith("  ")]
    assert summaries[0] == f"{tmp_path / '1-empty.txt'}: 0 paragraphs, 0 scored, 0 flagged, highest probability -"
    assert summaries[1].startswith(f"{tmp_path / '3-latin1.txt'}: 7 paragraphs, 6 scored, 0 flagged")
    assert summaries[2].startswith(f"{tmp_path / '4-utf16.txt'}: 7 paragraphs, 6 scored,")
    assert ", 0 flagged" not in summaries[2]


def test_missing_file_among_inputs(capsys, tmp_path):
    missing = tmp_path / "missing.txt"
    code, out, err = run(capsys, "score", str(SPUN), str(missing), str(CLEAN))
    assert code == 2  # an error wins over a flag
    assert [line.split(":")[0] for line in out.splitlines() if not line.startswith("  ")] == [
        str(SPUN),
        str(CLEAN),
        "total",
    ]
    assert err == f"spincheck: error: cannot read {missing}: no such file or directory (check the path)\n"


def test_directory_with_thousands_of_files(capsys, tmp_path):
    for i in range(2000):
        (tmp_path / f"{i:04d}.txt").write_text(f"Short note number {i}.\n")
    code, out, err = run(capsys, "score", "--format", "csv", str(tmp_path))
    assert (code, err) == (0, "")
    rows = out.splitlines()[1:]
    assert len(rows) == 2000 and rows[-1].startswith(f"{tmp_path / '1999.txt'},0,0,")


@pytest.fixture
def tqdm_defaults(monkeypatch):
    """tqdm with its own defaults, whatever TQDM_* variables the environment sets (TQDM_DISABLE=1
    is a common way to keep bars out of CI logs). tqdm reads them once, when imported, into
    keyword defaults of tqdm.__init__ (a functools.partialmethod): drop those keywords."""
    from tqdm import tqdm

    init = vars(tqdm)["__init__"]
    if isinstance(init, functools.partialmethod) and init.keywords:
        monkeypatch.setattr(tqdm, "__init__", init.func)


@pytest.mark.usefixtures("tqdm_defaults")
def test_progress_bar_only_for_several_files_on_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert "scoring" in run(capsys, "score", str(CLEAN), str(SPUN))[2]
    assert "scoring" not in run(capsys, "score", "--quiet", str(CLEAN), str(SPUN))[2]
    assert "scoring" not in run(capsys, "score", str(CLEAN))[2]
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert run(capsys, "score", str(CLEAN), str(SPUN))[2] == ""


@pytest.mark.usefixtures("tqdm_defaults")
def test_progress_bar_in_bytes_for_one_large_file(capsys, monkeypatch, tmp_path):
    # a bar over files stood still for the whole run of one large file
    big = tmp_path / "crawl.jsonl"
    big.write_text("".join(json.dumps({"id": i, "text": SPUN.read_text()}) + "\n" for i in range(40)))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(cli, "BAR_BYTES", big.stat().st_size)
    err = run(capsys, "score", "--format", "csv", str(big))[2]
    assert "scoring" in err and "B/s" in err  # a rate in bytes, not files
    monkeypatch.setattr(cli, "BAR_BYTES", big.stat().st_size + 1)
    assert "scoring" not in run(capsys, "score", "--format", "csv", str(big))[2]
    set_stdin(monkeypatch, SPUN.read_bytes())  # stdin among the inputs: its size is unknown, so files
    assert "file/s" in run(capsys, "score", "--format", "csv", "-", str(CLEAN))[2]


def test_the_bar_totals_a_directory_without_listing_it(tmp_path):
    # counted with os.scandir, as the walk will find them: hidden files and tables left out
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("x" * 10)
    (tmp_path / "b.jsonl").write_text("y" * 5)
    (tmp_path / ".draft.txt").write_text("z" * 100)
    (tmp_path / "t.csv").write_text("z" * 100)
    spun = SPUN.stat().st_size
    assert cli._input_sizes([str(tmp_path), str(SPUN)]) == (3, 15 + spun)
    assert cli._input_sizes([str(tmp_path), "-"]) == (3, None)  # stdin's size is unknown
    assert cli._input_sizes([]) == (1, None)


def test_the_byte_bar_follows_what_has_been_read(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 3000)  # a text file read in several chunks
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text((SPUN.read_text() + "\n\n") * 200)
    second.write_text(CLEAN.read_text())
    sizes = [first.stat().st_size, second.stat().st_size]

    class Bar:
        n = 0

        def update(self, by):
            assert by > 0
            self.n += by

    bar, reader, seen = Bar(), inputs.Reader(), []
    items = [inputs.InputFile(first, "text"), inputs.InputFile(second, "text")]
    for event in cli._read_bytes(reader.events(items), reader, bar):
        seen.append((type(event).__name__, bar.n))
    done = [n for kind, n in seen if kind == "Done"]
    assert done == [sizes[0], sum(sizes)]  # each file counted whole when read to its end
    assert any(0 < n < sizes[0] for kind, n in seen if kind == "Chunk")  # and part way through it


def test_error_line_and_exit_status_from_a_real_process(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(Path(spincheck.__file__).resolve().parents[1]))
    proc = subprocess.run(
        [sys.executable, "-m", "spincheck", "score", "missing.txt"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == "spincheck: error: cannot read missing.txt: no such file or directory (check the path)\n"


def test_a_lone_surrogate_escaped_in_jsonl_is_read_as_a_replacement_character(tmp_path):
    """JSON allows "\\ud800"; kept as a lone surrogate it reached the output, which cannot encode
    it: "unexpected UnicodeEncodeError ... this is a bug in spincheck" and nothing written."""
    words = "A paragraph with an odd character after\\ud800 this word, long enough to be scored."
    (tmp_path / "pages.jsonl").write_text(f'{{"id": "p\\udc00", "text": "{words}"}}\n', encoding="ascii")
    env = dict(os.environ, PYTHONPATH=str(Path(spincheck.__file__).resolve().parents[1]))
    out = {}
    for fmt in ("jsonl", "text", "csv"):
        proc = subprocess.run(
            [sys.executable, "-m", "spincheck", "score", "--explain", "--format", fmt, "pages.jsonl"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert proc.returncode in (0, 1) and proc.stderr == b"", proc.stderr
        out[fmt] = proc.stdout.decode("utf-8")
        assert "pages.jsonl:p\ufffd" in out[fmt]
    [row] = jsonl(out["jsonl"])
    assert row["words"] > 12 and row["probability"] is not None


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_a_stdout_that_cannot_hold_every_character_gets_utf8_or_escapes(tmp_path, encoding):
    """LC_ALL=C with PYTHONUTF8=0, or Windows: the first character stdout's encoding lacks (a U+FFFD
    for undecodable input, any non-Latin word) ended the run as "a bug in spincheck"."""
    words = "The café council voted to rebuild the old harbour bridge after three years of debate \u2018here\u2019."
    (tmp_path / "pages.jsonl").write_text(json.dumps({"id": "p\ufffd", "text": words}) + "\n", encoding="utf-8")
    env = dict(os.environ, PYTHONIOENCODING=encoding, PYTHONPATH=str(Path(spincheck.__file__).resolve().parents[1]))
    command = [sys.executable, "-m", "spincheck", "score", "--format"]
    piped = subprocess.run([*command, "jsonl", "pages.jsonl"], cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert (piped.returncode, piped.stderr) == (0, b"")
    assert json.loads(piped.stdout.decode("utf-8"))["id"] == "p\ufffd"  # in UTF-8, as -o writes it
    main_end, terminal = pty.openpty()
    try:
        shown = subprocess.run(
            [*command, "text", "--color", "never", "pages.jsonl"],
            cwd=tmp_path,
            env=env,
            stdout=terminal,
            stderr=subprocess.PIPE,
            timeout=120,
        )
        os.close(terminal)
        screen = os.read(main_end, 4096).decode(encoding)
    finally:
        os.close(main_end)
    assert (shown.returncode, shown.stderr) == (0, b"")
    assert "pages.jsonl:p\\ufffd: 1 paragraph" in screen  # escaped where the terminal cannot show it


# ---- explain ------------------------------------------------------------------------------------


class _Marks(html.parser.HTMLParser):
    """The paragraphs of an explanation page, with the phrases marked in each."""

    def __init__(self) -> None:
        super().__init__()
        self.paragraphs: list[tuple[str, list[str]]] = []  # (class, phrases marked)
        self.in_para = self.in_mark = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "p" and "para" in attrs.get("class", "").split():
            self.paragraphs.append((attrs["class"], []))
            self.in_para = True
        elif tag == "mark" and self.in_para and "evidence" in attrs.get("class", "").split():
            self.in_mark = True
            self.paragraphs[-1][1].append("")

    def handle_endtag(self, tag):
        self.in_mark = self.in_mark and tag != "mark"
        self.in_para = self.in_para and tag != "p"

    def handle_data(self, data):
        if self.in_mark:
            self.paragraphs[-1][1][-1] += data


def test_explain_marks_every_flagged_paragraph_and_evidence_phrase(capsys, tmp_path):
    out = tmp_path / "report.html"
    code, stdout, err = run(capsys, "explain", str(SPUN), "-o", str(out))
    document = _shipped().score_text(SPUN.read_text(), explain=True)
    assert code == 1 and stdout == ""
    counts = f"{len(document.flagged)} of {len(document.scored)} scored paragraphs flagged"
    assert err == f"spincheck: note: wrote {out}: {counts}\n"
    page = out.read_text(encoding="utf-8")
    parsed = _Marks()
    parsed.feed(page)
    assert len(parsed.paragraphs) == len(document.paragraphs)
    for (cls, marked), paragraph in zip(parsed.paragraphs, document.paragraphs, strict=True):
        assert ("flagged" in cls.split()) == bool(paragraph.result.spun)
        assert sorted(marked) == sorted(e.phrase for e in paragraph.result.evidence)
    assert f"<dd>{_shipped().model.card.version}</dd>" in page and f"<dd>{_shipped().threshold:.4f}</dd>" in page
    assert "<script" not in page and "http" not in page.split("<style>")[0] + page.split("</style>")[1]


def test_explain_page_gets_the_usual_file_permissions(capsys, tmp_path):
    out = tmp_path / "report.html"
    umask = os.umask(0o022)
    try:
        run(capsys, "explain", str(CLEAN), "-o", str(out))
    finally:
        os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0600


def test_explain_to_stdout_and_options(capsys):
    code, out, _ = run(capsys, "explain", str(CLEAN), "--threshold", "0.01", "--min-words", "5")
    assert code == 1 and out.startswith("<!DOCTYPE html>") and "<dt>Threshold</dt><dd>0.0100</dd>" in out
    assert "not scored: too short" not in out  # the 8-word headline is scored with --min-words 5
    code, out, _ = run(capsys, "explain", str(CLEAN))
    assert code == 0 and "not scored: too short" in out


def test_explain_does_not_fill_a_terminal_with_its_page(capsys, monkeypatch):
    # `spincheck explain doc.txt` at a prompt printed 52 KB of CSS and markup for seed 004
    monkeypatch.setattr(cli, "_isatty", lambda stream: stream is sys.stdout)
    code, out, err = run(capsys, "explain", str(SPUN))
    assert (code, out) == (2, "")
    assert err == (
        "spincheck: error: explain writes an HTML page, and stdout is a terminal "
        "(pass -o report.html, or -o - to print it)\n"
    )
    code, out, err = run(capsys, "explain", str(SPUN), "-o", "-")  # asked for: written there
    assert (code, err) == (1, "") and out.startswith("<!DOCTYPE html>")
    # a document that is not there is what to fix first: named, not the terminal
    code, out, err = run(capsys, "explain", str(SPUN) + ".missing")
    assert (code, out) == (2, "") and "no such file or directory" in err and "terminal" not in err


def test_explain_takes_one_document(capsys, tmp_path):
    (tmp_path / "pages.jsonl").write_text("{}\n")
    for path in (tmp_path, tmp_path / "pages.jsonl"):
        code, _, err = run(capsys, "explain", str(path), "-o", str(tmp_path / "x.html"))
        assert code == 2 and err.startswith(
            "spincheck: error: explain takes one text, HTML, PDF, Word, OpenDocument, RTF or EPUB document, "
            f"and {path} is "
        )
    code, _, err = run(capsys, "explain", str(tmp_path / "missing.txt"))
    assert code == 2 and "no such file or directory" in err


# ---- train --------------------------------------------------------------------------------------


def test_train_passes_every_option(capsys, monkeypatch, tmp_path):
    pytest.importorskip("sklearn")  # train checks for it before anything else
    import spincheck.training

    calls = []

    def fake_train(clean, out, **kwargs):
        calls.append((clean, out, kwargs))
        return {
            "threshold": 0.9,
            "heldout_metrics": {"precision": 0.98, "recall": 0.8, "f1": 0.88, "roc_auc": 0.97, "fpr": 0.008},
        }

    monkeypatch.setattr(spincheck.training, "train", fake_train)
    argv = [
        "train",
        "--clean",
        "a.jsonl",
        "dir",
        "--out",
        str(tmp_path / "m"),
        "--spun",
        "s.txt",
        "--seed",
        "3",
        "--clean",
        "more.txt",
        "--spun",
        "t.jsonl",
        "--jobs",
        "2",
        "--reference",
        "replace",
        "--text-field",
        "body",
        "--model",
        "base",
    ]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    [(clean, out_dir, kwargs)] = calls
    # a repeated option adds to the first rather than replacing it
    assert clean == [Path("a.jsonl"), Path("dir"), Path("more.txt")] and out_dir == tmp_path / "m"
    progress = kwargs.pop("progress")
    assert callable(kwargs.pop("corpus_read"))
    assert kwargs == {
        "spun": [Path("s.txt"), Path("t.jsonl")],
        "seed": 3,
        "reference_mode": "replace",
        "text_field": "body",
        "base_model": Path("base"),
        "command": shlex.join(["spincheck", *argv]),  # quoted: tmp_path may hold a space
        "jobs": 2,  # the BLAS threads of the fits, which the outer limit did not reach (SciPy's)
        "info": None,  # nothing more to say without -v
    }
    assert f"wrote model to {tmp_path / 'm'}" in out and "F1 0.880" in out
    # not on a terminal: a line per stage instead of bars, so that a log shows where a long run is
    progress("counting n-grams")
    assert capsys.readouterr().err == "spincheck: note: counting n-grams ...\n"
    run(capsys, "-q", *argv)
    assert calls[-1][2]["progress"] is False
    run(capsys, "-v", *argv)
    calls[-1][2]["info"]("base model base")  # -v: told to the console's info line
    assert capsys.readouterr().err == "spincheck: base model base\n"


def test_train_errors_are_one_line(capsys, monkeypatch, tmp_path):
    pytest.importorskip("sklearn")
    code, _, err = run(capsys, "train", "-q", "--clean", str(tmp_path / "none.txt"), "--out", str(tmp_path / "m"))
    assert (
        code == 2 and err == f"spincheck: error: {tmp_path / 'none.txt'}: no such file or directory (check the path)\n"
    )
    code, _, err = run(capsys, "train", "-q", "--clean", "https://example.com/corpus", "--out", str(tmp_path / "m"))
    assert code == 2 and err.startswith("spincheck: error: https://example.com/corpus: it is a web address, not a file")
    # a bad seed is a usage error, not a bug found after the reference is counted
    code, _, err = run(capsys, "train", "--clean", str(CLEAN), "--out", str(tmp_path / "m"), "--seed", "-1")
    assert (code, err) == (
        2,
        "spincheck: error: argument --seed: -1 is not a seed (a whole number from 0 to 4294967295) "
        "(see 'spincheck train --help')\n",
    )
    code, _, err = run(capsys, "train", "--clean", str(CLEAN), "--out", str(tmp_path / "m"), "--seed", str(2**32))
    assert code == 2 and "is not a seed" in err  # scikit-learn would refuse it after the counting
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "sklearn" else real_find_spec(name, *a)
    )
    code, _, err = run(capsys, "train", "--clean", str(CLEAN), "--out", str(tmp_path / "m"))
    assert code == 2
    hint = "in spincheck's checkout: pip install '.[train]'"
    assert err == f"spincheck: error: training needs scikit-learn, which is not installed ({hint})\n"


# ---- evaluate -----------------------------------------------------------------------------------


@pytest.fixture
def labelled(tmp_path) -> Path:
    rows = [{"text": CLEAN.read_text()[s.start : s.end], "label": 0} for s in split_paragraphs(CLEAN.read_text())]
    rows += [{"text": SPUN.read_text()[s.start : s.end], "label": 1} for s in split_paragraphs(SPUN.read_text())]
    path = tmp_path / "dev.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_evaluate(capsys, labelled, monkeypatch):
    # works without scikit-learn: the AUC is computed in numpy
    monkeypatch.setitem(sys.modules, "sklearn", None)
    code, out, err = run(capsys, "evaluate", str(labelled), "--json")
    result = json.loads(out)
    m = result["metrics"]
    assert (code, err) == (0, "")
    assert (result["paragraphs"], result["scored"], result["not_scored"]) == (14, 12, 2)
    assert result["not_scored_by_reason"] == {"too short": 2}
    assert (result["scored_spun"], result["scored_clean"]) == (6, 6)
    # the examples are far apart (clean at most 0.34, spun at least 0.98): every paragraph is right
    assert (m["tp"], m["fp"], m["fn"], m["tn"], m["roc_auc"]) == (6, 0, 0, 6, 1.0)
    code, text, _ = run(capsys, "evaluate", str(labelled), "--threshold", "0.5")
    assert code == 0 and "not scored   2 (too short 2)" in text and "threshold 0.5000" in text
    assert f"ROC-AUC      {m['roc_auc']:.4f}" in text


def test_evaluate_at_fpr_finds_the_threshold_for_this_files_clean_text(capsys, labelled):
    code, out, err = run(capsys, "evaluate", str(labelled), "--json", "--at-fpr", "0.2")
    result = json.loads(out)
    at = result["at_fpr"]
    assert (code, err) == (0, "") and at["target_fpr"] == 0.2
    assert at["metrics"]["fp"] <= 0.2 * result["scored_clean"]
    # the same numbers as evaluating at that threshold
    code, out, _ = run(capsys, "evaluate", str(labelled), "--json", "--threshold", str(at["threshold"]))
    assert json.loads(out)["metrics"] == at["metrics"]
    code, text, _ = run(capsys, "evaluate", str(labelled), "--at-fpr", "0.2")
    printed = text.split("at most 20 % of the clean paragraphs flagged: threshold ")[1].split()[0]
    assert float(printed) == pytest.approx(at["threshold"], abs=1e-6)
    # the printed value, copied by a user, gives the same numbers
    code, out, _ = run(capsys, "evaluate", str(labelled), "--json", "--threshold", printed)
    assert json.loads(out)["metrics"] == at["metrics"]


@pytest.mark.parametrize("value", ["1", "1.5", "-0.1", "one"])
def test_evaluate_at_fpr_rejects_a_share_outside_0_1(capsys, labelled, value):
    code, out, err = run(capsys, "evaluate", str(labelled), f"--at-fpr={value}")
    assert code == 2 and out == "" and "argument --at-fpr" in err


def test_evaluate_at_fpr_without_clean_paragraphs(capsys, tmp_path):
    path = tmp_path / "spun.jsonl"
    path.write_text(json.dumps({"text": SPUN.read_text().split("\n\n")[1], "label": 1}) + "\n")
    code, out, err = run(capsys, "evaluate", str(path), "--at-fpr", "0.01")
    assert code == 2 and "1 labelled paragraph," in out and "at most" not in out
    assert err == (
        f"spincheck: error: --at-fpr needs scored clean paragraphs (label 0), and {path} has none that was scored\n"
    )


def test_evaluate_at_fpr_says_when_there_are_too_few_clean_paragraphs_for_the_rate(capsys, labelled):
    """6 clean paragraphs cannot measure a 1 % rate: the threshold then only clears the highest one."""
    code, out, err = run(capsys, "evaluate", str(labelled), "--at-fpr", "0.01", "--json")
    report = json.loads(out)
    assert code == 0 and report["at_fpr"]["metrics"]["fp"] == 0
    clean = report["scored_clean"]
    assert 0 < clean < 100 and err == (
        f"spincheck: warning: --at-fpr 0.01 on {clean} clean paragraphs: not one of them may be flagged, so the "
        "threshold only clears the highest clean score (a rate of 0.01 needs 100 clean paragraphs to mean "
        "anything, ten times that to be measured)\n"
    )
    code, out, err = run(capsys, "evaluate", str(labelled), "--at-fpr", "0", "--json")  # none flagged: allowed
    assert (code, err) == (0, "") and json.loads(out)["at_fpr"]["metrics"]["fp"] == 0  # asked for: no warning
    # a rate whose inverse is too large for a float ended the run as "a bug in spincheck" (OverflowError)
    code, out, err = run(capsys, "evaluate", str(labelled), "--at-fpr", "5e-324", "--json")
    assert code == 0 and json.loads(out)["at_fpr"]["metrics"]["fp"] == 0
    assert err.endswith(
        "(a rate of 4.94066e-324 needs over 1,000,000,000,000,000 clean paragraphs to mean anything, "
        "ten times that to be measured)\n"
    )


@pytest.mark.parametrize(("clean", "warned"), [(10, False), (9, True)])
def test_evaluate_at_fpr_warns_only_when_not_one_clean_paragraph_may_be_flagged(capsys, tmp_path, clean, warned):
    # 10 clean paragraphs at 10 %: one of them may be flagged, so the threshold means something
    text = CLEAN.read_text()
    scored = [text[s.start : s.end] for s in split_paragraphs(text)][1:]  # the headline is too short
    path = tmp_path / "dev.jsonl"
    path.write_text("".join(json.dumps({"text": scored[i % len(scored)], "label": 0}) + "\n" for i in range(clean)))
    code, out, err = run(capsys, "evaluate", str(path), "--at-fpr", "0.1", "--json")
    assert code == 0 and json.loads(out)["scored_clean"] == clean
    assert err.startswith("spincheck: warning: --at-fpr 0.1 on 9 clean paragraphs: ") if warned else err == ""


def test_evaluate_takes_minus_zero_as_zero(capsys, labelled):
    # --at-fpr -0 printed "at most -0 % of the clean paragraphs flagged" and wrote -0.0 in JSON
    code, out, err = run(capsys, "evaluate", str(labelled), "--at-fpr", "-0")
    assert (code, err) == (0, "") and "at most 0 % of the clean paragraphs flagged" in out
    code, out, err = run(capsys, "evaluate", str(labelled), "--at-fpr", "-0", "--threshold", "-0.0", "--json")
    report = json.loads(out)
    assert (code, err) == (0, "") and '": -0.0' not in out
    assert [str(report["threshold"]), str(report["at_fpr"]["target_fpr"])] == ["0.0", "0.0"]  # 0.0 == -0.0


@pytest.mark.parametrize(("clean", "warned"), [(49, False), (48, True)])
def test_evaluate_at_fpr_warns_as_the_threshold_counts_the_clean_paragraphs_it_may_flag(
    capsys, tmp_path, clean, warned
):
    """49 x (1 / 49) is 0.9999999999999999: the threshold lets one of 49 clean paragraphs be flagged
    (as 0.29 x 100 lets 29), but the warning said not one may be, and that 1 / 49 needs 50 of them."""
    text = CLEAN.read_text()
    scored = [text[s.start : s.end] for s in split_paragraphs(text)][1:]  # the headline is too short
    path = tmp_path / "dev.jsonl"
    path.write_text("".join(json.dumps({"text": scored[i % len(scored)], "label": 0}) + "\n" for i in range(clean)))
    rate = 1 / 49
    code, out, err = run(capsys, "evaluate", str(path), "--at-fpr", repr(rate), "--json")
    report = json.loads(out)
    assert code == 0 and report["scored_clean"] == clean and report["at_fpr"]["metrics"]["fp"] <= rate * clean
    if warned:
        assert err.startswith(f"spincheck: warning: --at-fpr {rate:g} on 48 clean paragraphs: not one of them")
        assert f"a rate of {rate:g} needs 49 clean paragraphs to mean anything" in err
    else:
        assert err == ""


def test_evaluate_reports_bad_lines(capsys, tmp_path):
    path = tmp_path / "dev.jsonl"
    path.write_text(
        json.dumps({"text": SPUN.read_text(), "label": 1}) + "\n" + json.dumps({"text": "x", "label": "spun"}) + "\n"
    )
    code, out, err = run(capsys, "evaluate", str(path))
    assert code == 2 and "1 labelled paragraph," in out
    assert err.splitlines() == [
        f"spincheck: error: {path}:2: label must be 0 or 1, not 'spun' (skipped)",
        # a whole text is scored as one paragraph, which evaluate says rather than splitting it
        f"spincheck: note: {path}: 1 text of several paragraphs, each scored as one paragraph; evaluate judges "
        "paragraphs (split documents first, or score them with 'spincheck score')",
    ]
    # past ten bad lines, one line counts the rest, and the JSON report counts them all
    lines = [json.dumps({"text": "x", "label": "spun"}), "{not json"] * 12 + ["[1]"]  # invalid JSON counts too
    lines += [json.dumps({"text": "y", "label": None})]
    path.write_text("\n".join([*lines, json.dumps({"text": CLEAN.read_text().split("\n\n")[1], "label": 0})]))
    code, out, err = run(capsys, "evaluate", str(path), "--json")
    assert code == 2 and len(err.splitlines()) == 12
    assert err.splitlines()[10:] == [
        f"spincheck: error: {path}: 15 more bad lines (not shown; skipped)",
        f'spincheck: note: {path}: 1 paragraph with "label": null left out',
    ]
    assert (json.loads(out)["skipped_lines"], json.loads(out)["unlabelled"]) == (25, 1)
    (tmp_path / "empty.jsonl").write_text("")
    code, _, err = run(capsys, "evaluate", str(tmp_path / "empty.jsonl"))
    assert code == 2 and "holds no labelled paragraphs" in err


def test_evaluate_with_exactly_ten_bad_lines_shows_them_all_and_no_count(capsys, tmp_path):
    # no count of the ones not shown ("0 more bad lines")
    path = tmp_path / "dev.jsonl"
    lines = [json.dumps({"text": "x", "label": "spun"})] * 10
    path.write_text("\n".join([*lines, json.dumps({"text": CLEAN.read_text().split("\n\n")[1], "label": 0})]))
    code, out, err = run(capsys, "evaluate", str(path), "--json")
    assert code == 2 and json.loads(out)["skipped_lines"] == 10
    assert err.splitlines() == [
        f"spincheck: error: {path}:{n}: label must be 0 or 1, not 'spun' (skipped)" for n in range(1, 11)
    ]


def test_evaluate_reads_a_json_array_of_records_as_the_same_jsonl(capsys, tmp_path, monkeypatch, labelled):
    """Scrapy's "-o items.json", which score and train read as records, was refused: "is one JSON
    array over several lines, not JSON Lines"."""
    expected = json.loads(run(capsys, "evaluate", str(labelled), "--json")[1])
    array = tmp_path / "dev.json"
    array.write_text(json.dumps(jsonl(labelled.read_text()), indent=2))
    code, out, err = run(capsys, "evaluate", str(array), "--json")
    assert (code, err) == (0, "") and json.loads(out) == {**expected, "source": str(array)}
    text = run(capsys, "evaluate", str(labelled))[1]
    assert run(capsys, "evaluate", str(array))[1] == text.replace(str(labelled), str(array))
    set_stdin(monkeypatch, array.read_bytes())  # stdin is known by its first bytes, [{", as score knows it
    code, out, err = run(capsys, "evaluate", "-", "--json")
    assert (code, err) == (0, "") and json.loads(out) == {**expected, "source": "<stdin>"}
    array.write_bytes(labelled.read_bytes())  # JSON Lines named .json stay JSON Lines
    assert json.loads(run(capsys, "evaluate", str(array), "--json")[1]) == {**expected, "source": str(array)}


def test_evaluate_reports_a_bad_record_of_a_json_array_as_a_bad_jsonl_line(capsys, tmp_path):
    good = json.dumps({"text": CLEAN.read_text().split("\n\n")[1], "label": 0})
    bad = [json.dumps({"text": "x", "label": "spun"}), "3", json.dumps({"body": "x", "label": 1})]
    bad.append(json.dumps({"text": "x"}))
    for records in (bad, bad * 3):  # past ten bad ones, the count says what they are
        lines, array = tmp_path / "dev.jsonl", tmp_path / "dev.json"
        lines.write_text("\n".join([good, *records]) + "\n")
        array.write_text("[\n" + ",\n".join([good, *records]) + "\n]\n")
        code, out, err = run(capsys, "evaluate", str(lines), "--json")
        assert code == 2 and err.startswith(f"spincheck: error: {lines}:2: label must be 0 or 1, not 'spun' (skipped)")
        # line N of the JSONL is item N of the array
        assert run(capsys, "evaluate", str(array), "--json") == (
            code,
            out.replace(str(lines), str(array)),
            err.replace(str(lines), str(array)).replace("more bad lines", "more bad items"),
        )
    assert f"{array}: 2 more bad items (not shown; skipped)" in run(capsys, "evaluate", str(array))[2]


def test_evaluate_of_an_empty_json_array_says_it_holds_no_labelled_paragraphs(capsys, tmp_path):
    path = tmp_path / "dev.json"
    path.write_text("[ ]\n")
    assert run(capsys, "evaluate", str(path)) == (
        2,
        "",
        f'spincheck: error: {path} holds no labelled paragraphs (expected items like {{"text": "...", "label": 1}})\n',
    )


def test_evaluate_notes_a_text_of_two_paragraphs(capsys, tmp_path):
    # two paragraphs are "several": scored as one, which the note must say
    path = tmp_path / "dev.jsonl"
    paragraphs = CLEAN.read_text().split("\n\n")
    path.write_text(json.dumps({"text": paragraphs[1] + "\n\n" + paragraphs[2], "label": 0}) + "\n")
    code, _, err = run(capsys, "evaluate", str(path))
    assert (code, err) == (
        0,
        f"spincheck: note: {path}: 1 text of several paragraphs, each scored as one paragraph; evaluate judges "
        "paragraphs (split documents first, or score them with 'spincheck score')\n",
    )


def test_evaluate_takes_json_true_and_false_as_labels_1_and_0(capsys, tmp_path, labelled):
    # docs/cli.md counts JSON's true and false as the labels 1 and 0
    rows = jsonl(labelled.read_text())
    booleans = tmp_path / "booleans.jsonl"
    booleans.write_text("".join(json.dumps({**r, "label": bool(r["label"])}) + "\n" for r in rows))
    expected = json.loads(run(capsys, "evaluate", str(labelled), "--json")[1])
    code, out, err = run(capsys, "evaluate", str(booleans), "--json")
    assert (code, err) == (0, "") and json.loads(out) == {**expected, "source": str(booleans)}


def test_evaluate_measures_the_evidence_of_flagged_paragraphs_only(capsys, tmp_path):
    # at a high threshold the swaps of unflagged spun paragraphs, which get no evidence, are not
    # counted as missed "swaps in flagged paragraphs"
    argv = ["--threshold", "0.9999", "--no-context", str(CLEAN), str(SPUN), "--format", "jsonl"]
    rows = jsonl(run(capsys, "compare", *argv)[1])
    flagged = [r for r in rows if r["label"] == 1 and r["spun"]]
    assert 0 < len(flagged) < sum(r["label"] == 1 for r in rows)
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    swaps = sum(len(r["replacements"]) for r in flagged)
    code, out, _ = run(capsys, "evaluate", "--threshold", "0.9999", str(path), "--json")
    assert code == 0 and json.loads(out)["evidence"]["replaced"] == swaps
    code, text, _ = run(capsys, "evaluate", "--threshold", "0.9999", str(path))
    assert f" of the {swaps} swaps in flagged paragraphs inside an evidence span" in text


# ---- compare ------------------------------------------------------------------------------------


def test_compare_lists_the_swaps_and_whether_the_evidence_found_them(capsys):
    code, out, err = run(capsys, "compare", str(CLEAN), str(SPUN))
    assert (code, err) == (0, "")
    head = out.splitlines()
    assert head[0] == f"{SPUN} against {CLEAN}: threshold {_shipped().threshold:.4f}"
    assert head[1] == "  copy         7 paragraphs: 6 reworded, 1 taken unchanged, 0 not from the original"
    assert "6 of 6 scored reworded paragraphs" in out
    # each swap of examples/spun.txt is listed with what the evidence made of it
    swap_lines = [line for line in out.splitlines() if line.startswith("  ") and " -> " in line][1:]
    assert out.splitlines()[3].endswith("replaced, listed below as copy -> original")  # the first such line
    swaps = sum(len(m.swaps) for m in align(CLEAN.read_text(), SPUN.read_text()).paragraphs)
    assert len(swap_lines) == swaps > 50 and any(line.startswith("  trio -> three: ") for line in swap_lines)
    assert all(line.endswith("missed") or ": found" in line for line in swap_lines)


def test_compare_says_when_the_pair_is_the_same_text_unrelated_or_given_the_other_way_round(capsys, tmp_path):
    """Each ended with status 0 and no word on stderr: the summary's counts ("0 reworded, 0 taken
    unchanged, 7 not from the original", "0 of 6 reworded paragraphs flagged") were left to be read."""
    code, out, err = run(capsys, "compare", str(CLEAN), str(CLEAN))
    assert (code, err) == (0, f"spincheck: note: {CLEAN} and {CLEAN} hold the same text: nothing was reworded\n")
    assert "7 paragraphs: 0 reworded, 7 taken unchanged, 0 not from the original" in out
    copied = tmp_path / "copied.txt"  # taken word for word, with a line of its own
    copied.write_text(CLEAN.read_text() + "\nSource link\n")
    code, out, err = run(capsys, "compare", str(CLEAN), str(copied))
    assert (code, err) == (
        0,
        f"spincheck: note: none of the 7 paragraphs {copied} takes from {CLEAN} was reworded: they are copied "
        "as they are (house style aside)\n",
    )
    one = tmp_path / "one.txt"  # "none of the 1 paragraphs ... was reworded" read oddly
    one.write_text(CLEAN.read_text().split("\n\n")[2] + "\n")
    code, out, err = run(capsys, "compare", str(CLEAN), str(one))
    assert (code, err) == (
        0,
        f"spincheck: note: the one paragraph {one} takes from {CLEAN} was not reworded: it is copied as it is "
        "(house style aside)\n",
    )
    unrelated = tmp_path / "unrelated.txt"
    unrelated.write_text(
        "Heavy rain flooded the lower town overnight, and the river rose past its banks near the mill.\n\n"
        "Volunteers filled sandbags at the school until the water began to fall again after midnight.\n"
    )
    code, out, err = run(capsys, "compare", str(unrelated), str(SPUN))
    assert code == 0 and "0 reworded, 0 taken unchanged, 7 not from the original" in out
    assert err == (
        f"spincheck: warning: no paragraph of {SPUN} was found in {unrelated}: it is not the copy's source "
        "(the copy was scored on its own; compare it with another original)\n"
    )
    code, out, err = run(capsys, "compare", str(SPUN), str(CLEAN))
    assert code == 0 and "  flagged      0 of 6 scored reworded paragraphs" in out
    assert err == (
        f"spincheck: warning: {SPUN} looks spun and {CLEAN} does not: of the paragraphs the copy rewords, "
        "6 of 6 are flagged in the original, 0 of 6 in the copy (were they given the other way round? the "
        "original comes first: spincheck compare ORIGINAL COPY)\n"
    )
    assert run(capsys, "compare", "-q", str(SPUN), str(CLEAN))[2] == ""


def test_compare_counts_the_other_way_round_check_by_the_copys_paragraphs(capsys, tmp_path):
    """The check counted the sources of the reworded paragraphs once each and the copy's paragraphs
    as they are: a copy that rewords one paragraph twice read "6 of 6 are flagged in the original,
    0 of 7 in the copy", two counts of different things side by side."""
    paragraphs = CLEAN.read_text().split("\n\n")
    twice = tmp_path / "twice.txt"
    twice.write_text("\n\n".join([*paragraphs, paragraphs[1]]))
    code, out, err = run(capsys, "compare", str(SPUN), str(twice))
    assert code == 0 and "  flagged      0 of 7 scored reworded paragraphs" in out
    assert "of the paragraphs the copy rewords, 7 of 7 are flagged in the original, 0 of 7 in the copy" in err


def test_compare_does_not_call_an_unrelated_copy_copied_for_a_shared_separator(capsys, tmp_path):
    """A paragraph without words ("* * *", a bare link) is taken from any original that has one:
    two unrelated articles of a site, each with its separator, were "copied as they are" (a note)
    where the copy is not taken from the original at all (a warning)."""
    unrelated = tmp_path / "unrelated.txt"
    unrelated.write_text(
        "Heavy rain flooded the lower town overnight, and the river rose past its banks near the mill.\n\n"
        "* * *\n\n"
        "Volunteers filled sandbags at the school until the water began to fall again after midnight.\n"
    )
    copy = tmp_path / "copy.txt"
    copy.write_text(SPUN.read_text().replace("\n\n", "\n\n* * *\n\n", 1))
    code, out, err = run(capsys, "compare", str(unrelated), str(copy))
    assert code == 0 and "0 reworded, 1 taken unchanged, 7 not from the original" in out
    assert err == (
        f"spincheck: warning: no paragraph of {copy} with words in it was found in {unrelated}: it is not the "
        "copy's source (the copy was scored on its own; compare it with another original)\n"
    )


def test_compare_and_evaluate_keep_each_name_and_swap_on_one_line(capsys, tmp_path):
    """File names went out raw (a newline or an escape sequence in one reached the terminal), and
    a swap across a hard line break split its line in two ("as a" / "result -> because")."""
    original = (
        "The council met on Tuesday night in the town hall, and because of the storm that swept the coast, "
        "the vote on the harbor bridge was delayed again until the spring session."
    )
    wrapped = (  # hard-wrapped: one paragraph of three lines
        "The council met on Tues\x1b[2Jday night in the town hall, and as a\n"
        "result of the storm that swept the coast, the vote on the\n"
        "harbor bridge was delayed again until the spring session.\n"
    )
    odd = tmp_path / "copy\nname\x1b[2J.txt"
    odd.write_text(wrapped, encoding="utf-8")
    (tmp_path / "original.txt").write_text(original, encoding="utf-8")
    code, out, err = run(capsys, "compare", str(tmp_path / "original.txt"), str(odd))
    assert code in (0, 1) and err == ""
    assert "\x1b" not in out and out.splitlines()[0].startswith(str(tmp_path / "copy\\nname\\x1b[2J.txt"))
    assert "\n  as a result -> because: " in out and "\n  Tues\\x1b[2Jday -> Tuesday: " in out
    labelled = tmp_path / "ev\x1b[31mil.jsonl"
    labelled.write_text(json.dumps({"text": original, "label": 0}) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(labelled))
    assert "\x1b" not in out and out.startswith(str(tmp_path / "ev\\x1b[31mil.jsonl") + ": 1 labelled paragraph")


def test_names_in_messages_are_escaped_as_on_stdout(capsys, tmp_path):
    # stdout escaped a name's newline or escape sequence, but stderr's errors carried them raw:
    # a message in two lines, an escape sequence run by the terminal
    labelled = tmp_path / "ev\x1b[31mil.jsonl"
    labelled.write_text("5\n", encoding="utf-8")
    code, _, err = run(capsys, "evaluate", str(labelled))
    assert code == 2 and "\x1b" not in err
    assert err.startswith(f"spincheck: error: {tmp_path / 'ev'}\\x1b[31mil.jsonl:1: not a JSON object (skipped)\n")
    code, _, err = run(capsys, "explain", str(tmp_path / "missing\nname.txt"))
    assert (code, err) == (
        2,
        f"spincheck: error: cannot read {tmp_path / 'missing'}\\nname.txt: no such file or directory (check the path)\n",
    )


def test_compare_jsonl_is_labelled_input_for_evaluate(capsys, tmp_path):
    added = "Subscribe to our newsletter to get stories like this one every day of the week."
    (tmp_path / "copy.txt").write_text(SPUN.read_text() + "\n" + added + "\n")
    code, out, err = run(capsys, "compare", str(CLEAN), str(tmp_path / "copy.txt"), "--format", "jsonl")
    rows = jsonl(out)
    assert (code, err) == (0, "")
    assert [r["label"] for r in rows] == [0, 1, 1, 1, 1, 1, 1, None]
    assert {r["model_id"] for r in rows} == {_shipped().model.fingerprint}  # kept apart, a row names its model
    for r in rows:
        for start, end, _original, replacement in r["replacements"]:
            assert r["text"][start:end] == replacement
        for e in r["evidence"]:
            assert r["text"][e["start"] : e["end"]] == e["phrase"]
    assert rows[1]["spun"] and ["three", "trio"] in [r[2:] for r in rows[1]["replacements"]]
    path = tmp_path / "labelled.jsonl"
    path.write_text(out)
    code, out, err = run(capsys, "evaluate", str(path), "--json")
    report = json.loads(out)
    assert code == 0 and err == f'spincheck: note: {path}: 1 paragraph with "label": null left out\n'
    assert (report["paragraphs"], report["scored_spun"]) == (7, 6)
    ev = report["evidence"]
    alone = [r for r in rows if r["spun"] and not r["by_context"] and r["label"] == 1]  # as evaluate flags them
    flagged_swaps = [(r, swap) for r in alone for swap in r["replacements"]]
    covered = [
        (r, swap)
        for r, swap in flagged_swaps
        if any(e["start"] < swap[1] and e["end"] > swap[0] for e in r["evidence"])
    ]
    assert ev["replaced"] == len(flagged_swaps)
    assert ev["covered_share"] == round(len(covered) / len(flagged_swaps), 4)
    code, text, _ = run(capsys, "evaluate", str(path))
    assert f"{100 * ev['covered_share']:.0f} % of the {ev['replaced']} swaps in flagged paragraphs" in text


def test_evaluate_of_compare_jsonl_gives_the_figures_compare_prints_without_context(capsys, tmp_path):
    """evaluate judges each paragraph alone: a paragraph compare flagged with its document is not
    flagged there (docs/cli.md says so), and compare --no-context prints evaluate's figures."""
    _, out, _ = run(capsys, "compare", str(CLEAN), str(SPUN), "--format", "json")
    probabilities = sorted(p["probability"] for p in json.loads(out)["paragraphs"] if p["spun"])
    threshold = f"{(probabilities[0] + probabilities[1]) / 2:.6f}"  # the lowest one flagged by context only
    argv = ["compare", "--threshold", threshold, str(CLEAN), str(SPUN)]
    path = tmp_path / "labelled.jsonl"
    path.write_text(run(capsys, *argv, "--format", "jsonl")[1])
    code, out, _ = run(capsys, "evaluate", "--threshold", threshold, str(path), "--json")
    report = json.loads(out)
    with_context = json.loads(run(capsys, *argv, "--format", "json")[1])["summary"]
    alone = json.loads(run(capsys, *argv, "--no-context", "--format", "json")[1])["summary"]
    assert with_context["flagged"]["reworded"] == alone["flagged"]["reworded"] + 1
    m = report["metrics"]
    assert code == 0 and (m["tp"], m["fp"]) == (alone["flagged"]["reworded"], alone["flagged"]["unchanged"])
    assert m["tp"] + m["fn"] == alone["scored"]["reworded"] and m["fp"] + m["tn"] == alone["scored"]["unchanged"]
    assert report["evidence"] == alone["evidence"]["flagged_reworded"]


def test_compare_leaves_swaps_in_unscored_paragraphs_out_of_the_evidence_figures(capsys, tmp_path):
    """A swap in a paragraph the detector did not score (too short, not English) was counted as
    missed, which made the evidence look worse than it is."""
    original, copy = tmp_path / "original.txt", tmp_path / "copy.txt"
    original.write_text("The minister will hold talks.\n\n" + CLEAN.read_text())
    copy.write_text("The minister will maintain talks.\n\n" + SPUN.read_text())
    _, out, _ = run(capsys, "compare", str(CLEAN), str(SPUN), "--format", "json")
    expected = json.loads(out)["summary"]["evidence"]
    _, out, _ = run(capsys, "compare", str(original), str(copy), "--format", "json")
    report = json.loads(out)
    assert report["summary"]["copy"]["reworded"] == 7 and report["paragraphs"][0]["reason"] == "too short"
    assert report["summary"]["evidence"] == expected
    _, text, _ = run(capsys, "compare", str(original), str(copy))
    assert "  maintain -> hold: not scored" in text.splitlines()


def test_compare_csv_is_a_row_per_swap_that_a_spreadsheet_reads(capsys, tmp_path):
    """An investigator had JSON and JSON Lines, nested, to build a table from: a row per swap, with
    its paragraph's columns, offsets into the copy, and what the text format says of it."""
    added = "Subscribe to our newsletter to get stories like this one every day of the week."
    copy = tmp_path / "copy.txt"
    copy.write_text(SPUN.read_text() + "\n" + added + "\n")
    code, out, err = run(capsys, "compare", str(CLEAN), str(copy), "--format", "csv")
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    records = jsonl(run(capsys, "compare", str(CLEAN), str(copy), "--format", "jsonl")[1])
    # every paragraph is there: one row per swap, or one with empty swap cells
    assert len(rows) == sum(max(1, len(r["replacements"])) for r in records) > 50
    assert sorted({int(row["paragraph"]) for row in rows}) == [r["paragraph"] for r in records]
    text = copy.read_text()
    text_lines = run(capsys, "compare", str(CLEAN), str(copy))[1].splitlines()
    for row in rows:
        if row["swap_start"]:
            assert text[int(row["swap_start"]) : int(row["swap_end"])] == row["copy_phrase"]
            verdict = row["found"] + (", suggested " + repr(row["suggestion"]) if row["suggestion"] else "")
            if row["found"] == "found" and not row["suggestion"]:
                verdict += ", no suggestion"
            assert f"  {row['copy_phrase']} -> {row['original_phrase']}: {verdict}" in text_lines
        assert row["model_id"] == _shipped().model.fingerprint
    last = rows[-1]
    assert (last["label"], last["original_paragraph"], last["swap_start"], last["copy_phrase"]) == ("", "", "", "")
    assert rows[1]["label"] == "1" and rows[0]["label"] == "0" and rows[1]["spun"] == "true"


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_no_csv_cell_runs_as_a_formula_in_a_spreadsheet(capsys, tmp_path, monkeypatch):
    """Untrusted text reaches the csv tables through file names, crawled ids and phrases; a cell
    starting "=", "+", "-" or "@" ran as a formula where an investigator opened the table. Numbers
    stay numbers; jsonl, for programs, keeps every text as it came."""
    monkeypatch.chdir(tmp_path)
    link = '=HYPERLINK("http://evil.example","open")'
    texts = [f"{link} {SPUN.read_text()}", f"-5 degrees and falling. {CLEAN.read_text()}"]
    Path("crawl.jsonl").write_text(
        "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in zip([link, -5], texts)), encoding="utf-8"
    )
    name = '=HYPERLINK("evil.example","open").txt'  # no "/" in a file name
    Path(name).write_text(texts[0], encoding="utf-8")
    Path("@copy.txt").write_text(texts[1].replace("said", "stated"), encoding="utf-8")
    out = run(capsys, "score", "--format", "csv", "crawl.jsonl", name)[1]
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    out = run(capsys, "compare", str(CLEAN), "@copy.txt", "--format", "csv")[1]
    swaps = list(csv.DictReader(io.StringIO(out, newline="")))
    assert len(rows) > 10 and len(swaps) > 5 and any(r["spun"] == "true" for r in rows)
    for row in rows + swaps:
        assert all(_number(cell) or not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
    assert {(r["source"], r["id"]) for r in rows} == {
        (f"crawl.jsonl:{link}", "'" + link),
        ("crawl.jsonl:-5", "-5"),
        ("'" + name, ""),
    }
    assert {r["source"] for r in swaps} == {"'@copy.txt"}
    records = jsonl(run(capsys, "score", "--format", "jsonl", "crawl.jsonl", name)[1])
    assert [r.get("id") for r in records if r["paragraph"] == 0] == [link, -5, None]
    assert records[-1]["source"] == name


def test_compare_shows_each_probability_as_score_and_explain_do(capsys, monkeypatch):
    """compare printed the records' probability, rounded to four places, rounded again to three:
    seed 004's second paragraph, 0.99549, read 0.996 there and 0.995 in score and on the page."""
    score_text = Detector.score_text

    def near_a_half(self, text, **kwargs):
        document = score_text(self, text, **kwargs)
        first = document.paragraphs[1]
        moved = dataclasses.replace(first, result=dataclasses.replace(first.result, probability=0.99549))
        return dataclasses.replace(document, paragraphs=(document.paragraphs[0], moved, *document.paragraphs[2:]))

    monkeypatch.setattr(Detector, "score_text", near_a_half)
    code, out, _ = run(capsys, "compare", str(CLEAN), str(SPUN))
    assert code == 0 and "paragraph 1 at char 53, from original paragraph 1 (100 % aligned): probability 0.995, " in out
    assert jsonl(run(capsys, "compare", str(CLEAN), str(SPUN), "--format", "jsonl")[1])[1]["probability"] == 0.9955


def test_compare_writes_to_o_in_the_format_its_suffix_names_and_never_over_a_document(capsys, tmp_path):
    """compare wrote to stdout only: a spreadsheet's file came through the shell (UTF-16 from
    PowerShell 5's >), in text unless --format was given; score and explain had -o."""
    table = tmp_path / "swaps.csv"
    code, out, err = run(capsys, "compare", str(CLEAN), str(SPUN), "-o", str(table))
    swaps = json.loads(run(capsys, "compare", str(CLEAN), str(SPUN), "--format", "json")[1])["summary"]["swaps"]
    assert (code, out) == (0, "")
    assert err == f"spincheck: note: wrote {table}: 6 of 7 paragraphs of the copy reworded, {swaps} swaps\n"
    assert table.read_text(encoding="utf-8") == run(capsys, "compare", str(CLEAN), str(SPUN), "--format", "csv")[1]
    report = tmp_path / "report.txt"
    run(capsys, "compare", str(CLEAN), str(SPUN), "-o", str(report))
    assert report.read_text(encoding="utf-8") == run(capsys, "compare", str(CLEAN), str(SPUN))[1]
    # a document that cannot be read leaves the old file as it was
    code, _, err = run(capsys, "compare", str(CLEAN), str(tmp_path / "missing.txt"), "-o", str(table))
    assert code == 2 and "wrote" not in err and table.read_text(encoding="utf-8").startswith("source,paragraph,")
    # nor is the report written over a document, under another name
    copy = tmp_path / "copy.txt"
    copy.write_text(SPUN.read_text())
    os.link(copy, tmp_path / "link.txt")
    code, _, err = run(capsys, "compare", str(CLEAN), str(copy), "-o", str(tmp_path / "link.txt"))
    assert (code, err) == (
        2,
        f"spincheck: error: {tmp_path / 'link.txt'} is COPY; the report would replace it (choose another -o)\n",
    )
    assert copy.read_text() == SPUN.read_text()
    # a name for compressed output is refused, the hint naming the format its inner suffix chose
    code, _, err = run(capsys, "compare", str(CLEAN), str(SPUN), "-o", str(tmp_path / "case.html.gz"))
    assert code == 2 and err.endswith(
        f"(compress through a pipe: --format html -o >(gzip > {tmp_path}/case.html.gz))\n"
    )


def test_compare_lists_what_the_copy_added_flagged_or_not(capsys, tmp_path):
    """A paragraph not from the original was listed only when flagged: "3 not from the original"
    in seed 004, and the investigator could not see which ("Source link", a site's prompt)."""
    copy = tmp_path / "copy.txt"
    copy.write_text(SPUN.read_text() + "\nSource link\n")
    code, out, _ = run(capsys, "compare", str(CLEAN), str(copy))
    at = copy.read_text().index("Source link")
    assert code == 0 and out.endswith(
        f"\nparagraph 7 at char {at}, not from the original: not scored (too short)\n"
        '  not in the original: "Source link"\n'
    )


class _SwapMarks(html.parser.HTMLParser):
    """The swap marks of a comparison page, each with the original's wording after it, and
    anything that needs a script or the network."""

    def __init__(self) -> None:
        super().__init__()
        self.swaps: list[dict] = []
        self.external: list[str] = []
        self.scripts = 0
        self.paragraph: int | None = None  # the legend's marks are in none
        self.inside: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.scripts += tag == "script"
        self.external += [attrs[k] for k in ("src", "href") if attrs.get(k) and not attrs[k].startswith("#")]
        if tag == "p" and "para" in attrs.get("class", "").split():
            self.paragraph = int(attrs["data-index"])
        elif self.paragraph is None:
            return
        elif tag == "mark" and "swap" in attrs.get("class", "").split():
            self.swaps.append({**attrs, "paragraph": self.paragraph, "text": "", "was": ""})
            self.inside = "text"
        elif tag == "span" and attrs.get("class") == "was":
            self.inside = "was"

    def handle_endtag(self, tag):
        if tag in ("mark", "span"):
            self.inside = None
        if tag == "p":
            self.paragraph = None

    def handle_data(self, data):
        if self.inside:
            self.swaps[-1][self.inside] += data


def test_compare_html_marks_each_swap_with_the_original_wording_for_an_editor(capsys, tmp_path):
    """The swaps were in text, CSV and JSON only: nothing to show an editor. The page marks each
    in the copy's text with the original's wording after it, found or missed as the text says."""
    original, copy = tmp_path / "original.txt", tmp_path / "copy.txt"
    hostile = 'He wrote <script>alert("x")</script> & <img src=x onerror=alert(1)> nothing else at all here.\n\n'
    original.write_text(hostile + CLEAN.read_text())
    copy.write_text(hostile + SPUN.read_text())
    page = tmp_path / "case.html"
    code, out, err = run(capsys, "compare", str(original), str(copy), "-o", str(page))
    assert (code, out) == (0, "") and err.startswith(f"spincheck: note: wrote {page}: 6 of 8 paragraphs")
    text = page.read_text(encoding="utf-8")
    parsed = _SwapMarks()
    parsed.feed(text)
    assert parsed.scripts == 0 and parsed.external == [] and "&lt;script&gt;alert" in text
    records = jsonl(run(capsys, "compare", str(original), str(copy), "--format", "jsonl")[1])
    swaps = [(r["paragraph"], *swap) for r in records for swap in r["replacements"]]
    marked = [(m["paragraph"], int(m["data-start"]), int(m["data-end"])) for m in parsed.swaps]
    assert marked == [swap[:3] for swap in swaps] and len(swaps) > 50
    listed = run(capsys, "compare", str(original), str(copy))[1].splitlines()
    for mark, (_, _, _, was, phrase) in zip(parsed.swaps, swaps, strict=True):
        assert (mark["text"], mark["was"]) == (phrase, f"[{was}]")
        missed = f"  {phrase} -> {was}: missed" in listed
        assert ("missed" in mark["class"].split()) == missed and mark["title"].startswith(f"original: {was}; ")
    assert '<div class="source">copy: ' + str(copy) in text and "<dt>Swaps</dt><dd>" + str(len(swaps)) in text


def test_compare_json_summary(capsys):
    code, out, _ = run(capsys, "compare", str(CLEAN), str(SPUN), "--format", "json")
    report = json.loads(out)
    summary = report["summary"]
    assert code == 0 and summary["swaps"] == sum(len(p["replacements"]) for p in report["paragraphs"])
    assert summary["copy"] == {"paragraphs": 7, "reworded": 6, "unchanged": 1, "not_from_original": 0}
    assert summary["original"] == {"paragraphs": 7, "left_out": 0, "left_out_paragraphs": []}
    assert summary["evidence"]["reworded"]["replaced"] == summary["swaps"]


def test_compare_json_is_written_a_record_at_a_time_as_json_dumps_writes_it(capsys, tmp_path):
    """compare --format json held every record and dumped them at once: an 11 MB copy peaked at
    1.5 GB, twice its JSON Lines. Each record is now written before the next is made, and the
    output is still what json.dumps(..., indent=2) writes, with paragraphs or without."""
    from spincheck.report import write_comparison_json

    (tmp_path / "empty.txt").write_text("")
    for pair in ((CLEAN, SPUN), (CLEAN, tmp_path / "empty.txt")):
        code, out, _ = run(capsys, "compare", *map(str, pair), "--format", "json")
        assert code == 0 and out == json.dumps(json.loads(out), ensure_ascii=False, indent=2) + "\n"
    report = json.loads(out)
    del report["paragraphs"]
    out = io.StringIO()
    records = [{"text": "a\u2028\u00e9", "replacements": [[0, 1, "b", "a"]], "evidence": []}, {"n": [1.5, None]}]

    def made():
        for n, record in enumerate(records):
            assert out.getvalue().count('"text"') + out.getvalue().count('"n"') == n  # the ones before: written
            yield record

    write_comparison_json(out, report, made())
    assert out.getvalue() == json.dumps({**report, "paragraphs": records}, ensure_ascii=False, indent=2) + "\n"


def test_compare_text_says_a_paragraph_under_the_threshold_was_flagged_with_its_document(capsys):
    """compare printed "probability 0.972, flagged" under a header giving threshold 0.9900, where
    score says "(flagged with its document)": the document rule flagged it."""
    _, out, _ = run(capsys, "compare", str(CLEAN), str(SPUN), "--format", "json")
    probabilities = sorted(p["probability"] for p in json.loads(out)["paragraphs"] if p["spun"])
    assert len(probabilities) >= 3 and probabilities[0] < probabilities[-2]  # the lowest one, under the rest
    threshold = f"{(probabilities[0] + probabilities[1]) / 2:.6f}"
    _, out, _ = run(capsys, "compare", str(CLEAN), str(SPUN), "--threshold", threshold, "--format", "json")
    by_context = [p["paragraph"] for p in json.loads(out)["paragraphs"] if p["by_context"]]
    assert by_context
    code, out, err = run(capsys, "compare", str(CLEAN), str(SPUN), "--threshold", threshold)
    lines = [line for line in out.splitlines() if line.startswith("paragraph ")]
    assert (code, err) == (0, "") and len(lines) == len(probabilities)
    for line in lines:
        number = int(line.split()[1])
        assert line.endswith(", flagged with its document" if number in by_context else ", flagged"), line
    _, out, _ = run(capsys, "compare", str(CLEAN), str(SPUN), "--threshold", threshold, "--no-context")
    assert "with its document" not in out


def test_compare_summary_counts_by_kind_at_a_threshold_that_leaves_reworded_paragraphs_unflagged(capsys, tmp_path):
    # "flagged" counts flagged paragraphs only, the flagged reworded paragraphs' evidence is theirs alone,
    # and the evidence spans of a paragraph not from the original do not count as reworded
    copy = tmp_path / "copy.txt"
    copy.write_text(
        SPUN.read_text() + "\nSubscribe to our newsletter to get stories like this one every day of the week.\n"
    )
    argv = ["compare", "--threshold", "0.9999", "--no-context", str(CLEAN), str(copy), "--format", "json"]
    code, out, _ = run(capsys, *argv)
    report = json.loads(out)
    summary, scored = report["summary"], [r for r in report["paragraphs"] if r["spun"] is not None]
    kinds = {1: "reworded", 0: "unchanged", None: "not_from_original"}
    assert code == 0 and summary["scored"] == {k: sum(kinds[r["label"]] == k for r in scored) for k in kinds.values()}
    assert summary["flagged"] == {k: sum(kinds[r["label"]] == k and r["spun"] for r in scored) for k in kinds.values()}
    assert 0 < summary["flagged"]["reworded"] < summary["scored"]["reworded"]
    added = report["paragraphs"][-1]
    assert added["label"] is None and added["spun"] is False and added["evidence"]
    reworded = [r for r in scored if r["label"] == 1]
    for key, chosen in [("reworded", reworded), ("flagged_reworded", [r for r in reworded if r["spun"]])]:
        evidence = summary["evidence"][key]
        assert evidence["replaced"] == sum(len(r["replacements"]) for r in chosen)
        assert evidence["evidence_spans"] == sum(len(r["evidence"]) for r in chosen)


_REORDERED = (
    "The top U.S. diplomat will hold talks on Tuesday with leaders of the five countries, officials said.\n\n"
    "Experts say the region is walking a tightrope between Moscow and Beijing.\n\n"
    "A third paragraph the copy leaves out entirely, about something else altogether.\n",
    "Consultants say the region is strolling a tightrope between Moscow and Beijing.\n\n"
    "Subscribe to our newsletter for more stories like this one every single day.\n\n"
    "The highest US diplomat will maintain talks on Tuesday with leaders of the 5 countries, officials stated.\n",
)


def test_compare_of_a_reordered_copy_names_each_source_and_lists_each_flagged_paragraph(capsys, tmp_path):
    """Paragraphs moved, one added and one left out: where each came from, and a flagged paragraph
    with no swaps (a false positive, or text the copy added) is listed too."""
    from spincheck.report import render_comparison

    (tmp_path / "original.txt").write_text(_REORDERED[0])
    (tmp_path / "copy.txt").write_text(_REORDERED[1])
    argv = ["compare", "--threshold", "0.01", str(tmp_path / "original.txt"), str(tmp_path / "copy.txt")]
    code, out, _ = run(capsys, *argv, "--format", "jsonl")
    records = jsonl(out)
    assert [(r["original_paragraph"], r["label"]) for r in records] == [(1, 1), (None, None), (0, 1)]
    assert all(r["spun"] and r["by_context"] is False for r in records)
    code, out, _ = run(capsys, *argv)
    lines = out.splitlines()
    assert "  original     3 paragraphs, 1 of them not in the copy: 2" in lines  # which one, not only how many
    [added] = [i for i, line in enumerate(lines) if line.startswith("paragraph 1 at char 81, not from the original: ")]
    assert lines[added].endswith(", flagged")
    assert lines[added + 1].startswith(
        '  not in the original: "Subscribe to our newsletter for more stories like this one every single ..."; '
        "its evidence: "
    )
    # a swap is found by the strongest span that overlaps it, not by one that only touches it
    code, out, _ = run(capsys, *argv, "--format", "json")
    report = json.loads(out)
    diplomat = report["paragraphs"][2]
    end_of_highest = diplomat["text"].index("highest") + len("highest")
    maintain = diplomat["text"].index("maintain")
    diplomat["evidence"] = [
        {"phrase": "maintain", "start": maintain, "end": maintain + 8, "suggestion": "hold", "strength": 0.9},
        {"phrase": "maintain", "start": maintain, "end": maintain + 8, "suggestion": "keep", "strength": 0.5},
        {"phrase": " US", "start": end_of_highest, "end": end_of_highest + 3, "suggestion": "top", "strength": 0.9},
    ]
    shown = render_comparison(report).splitlines()
    assert "  highest -> top: missed" in shown and "  maintain -> hold: found, suggested 'hold'" in shown
    # the strongest span's suggestion is the one shown: none there, though a weaker span has one
    strong, weak = diplomat["evidence"][:2]
    diplomat["evidence"][:2] = [{**strong, "suggestion": None}, {**weak, "suggestion": "hold"}]
    assert "  maintain -> hold: found, no suggestion" in render_comparison(report).splitlines()


def test_compare_problems(capsys, tmp_path, monkeypatch):
    code, out, err = run(capsys, "compare", "-", "-")
    assert code == 2 and out == "" and err.startswith("spincheck: error: stdin ('-') can be given only once")
    code, out, err = run(capsys, "compare", str(CLEAN), str(tmp_path / "missing.txt"))
    assert code == 2 and out == "" and "cannot read" in err and "missing.txt" in err
    code, out, err = run(capsys, "compare", str(tmp_path / "gone.txt"), str(tmp_path / "missing.txt"))
    assert code == 2 and out == "" and [line.split(":")[1] for line in err.splitlines()] == [" error"] * 2
    assert "gone.txt" in err and "missing.txt" in err  # both said at once, not one per run
    code, out, err = run(capsys, "compare", str(tmp_path), str(SPUN))
    assert (
        code == 2 and out == "" and "compare takes one text, HTML, PDF, Word, OpenDocument, RTF or EPUB document" in err
    )
    set_stdin(monkeypatch, SPUN.read_bytes())
    code, out, err = run(capsys, "compare", str(CLEAN), "-", "--format", "json")
    assert (code, err) == (0, "") and json.loads(out)["copy"] == "<stdin>"
    set_stdin(monkeypatch, b'{"id": 1, "text": "One page."}\n{"id": 2, "text": "Another page."}\n')
    code, out, err = run(capsys, "compare", str(CLEAN), "-")
    assert (code, out) == (2, "") and err == (
        "spincheck: error: compare takes one document, and <stdin> holds records (many documents) "
        "(use 'spincheck score' for it)\n"
    )


def test_compare_of_a_damaged_file_does_not_say_it_keeps_a_part(capsys, tmp_path):
    """The hint was score's "(the rest of it is skipped)", though compare refuses the whole file."""
    damaged = tmp_path / "copy.txt.gz"
    damaged.write_bytes(gzip.compress(SPUN.read_bytes())[:-12])
    code, out, err = run(capsys, "compare", str(CLEAN), str(damaged))
    assert (code, out) == (2, "")
    assert err.startswith(f"spincheck: error: cannot read {damaged}: its gzip data is truncated (")
    assert err.endswith(") (compare needs the whole document; get an undamaged copy)\n") and len(err.splitlines()) == 1


def test_explain_of_a_damaged_file_names_explain_in_its_hint(capsys, tmp_path):
    damaged = tmp_path / "page.txt.gz"
    damaged.write_bytes(gzip.compress(SPUN.read_bytes())[:-12])
    code, out, err = run(capsys, "explain", str(damaged))
    assert (code, out) == (2, "")
    assert err.endswith(") (explain needs the whole document; get an undamaged copy)\n") and len(err.splitlines()) == 1


def test_evaluate_of_compare_json_output_says_once_that_it_is_not_jsonl(capsys, tmp_path):
    """compare --format json fed to evaluate gave ten "invalid JSON" errors and a count of the
    rest, the cause (one JSON document, not one object per line) only guessed at in the last line."""
    report = tmp_path / "report.json"
    code, out, _ = run(capsys, "compare", str(CLEAN), str(SPUN), "--format", "json")
    report.write_text(out)
    hint = "(expected one JSON object per line, as 'spincheck compare --format jsonl' writes them; skipped)"
    example = '(expected lines like {"text": "...", "label": 1})'
    last = f"spincheck: error: {report} holds no labelled paragraphs {example}"
    code, out, err = run(capsys, "evaluate", str(report))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"spincheck: error: {report} is one JSON object over several lines, not JSON Lines {hint}",
        last,
    ]
    paragraphs = json.loads(report.read_text())["paragraphs"]
    one_line = tmp_path / "report.jsonl"  # one line, one array, named as JSON Lines
    one_line.write_text(json.dumps(paragraphs))
    err = run(capsys, "evaluate", str(one_line))[2]
    assert err.splitlines() == [
        f"spincheck: error: {one_line} is one JSON array, not JSON Lines {hint}",
        f"spincheck: error: {one_line} holds no labelled paragraphs {example}",
    ]
    report.write_text(json.dumps(paragraphs))  # named .json, the array is read as records, as score reads it
    assert run(capsys, "evaluate", str(report))[0] in (0, 1)
    report.write_text(json.dumps({"copy": str(SPUN), "paragraphs": paragraphs}))  # one line, the report
    err = run(capsys, "evaluate", str(report))[2]
    assert err.splitlines() == [
        f"spincheck: error: {report}:1: no string field 'text'; its 'paragraphs' holds records "
        "(set --text-field, or give one record a line; skipped)",
        last,
    ]
    report.write_text("".join(json.dumps(p) + "\n" for p in paragraphs))  # what the hint says: read
    assert run(capsys, "evaluate", str(report))[0] in (0, 1)


def test_evaluate_rejects_malformed_replacements(capsys, tmp_path):
    text = SPUN.read_text()
    path = tmp_path / "dev.jsonl"
    lines = [
        {"text": text, "label": 1, "replacements": [[0, 5, "three", "trio"]]},
        {"text": text, "label": 1, "replacements": [[0, len(text) + 1, "a", "b"]]},
        {"text": text, "label": 1, "replacements": [[5, 0, "a", "b"]]},
        {"text": text, "label": 1, "replacements": "trio"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    code, out, err = run(capsys, "evaluate", str(path))
    assert code == 2 and "1 labelled paragraph," in out
    assert err.count("replacements must be [start, end, original, replacement] lists") == 3


def test_evaluate_takes_a_replacement_that_ends_the_text(capsys, tmp_path):
    # end == len(text) is inside the text (offsets are Python slices): a swap of the last word is valid
    text = SPUN.read_text().split("\n\n")[3].rstrip().removesuffix(".")
    assert text.endswith(" clientele")
    path = tmp_path / "dev.jsonl"
    swap = [len(text) - len("clientele"), len(text), "customers", "clientele"]
    path.write_text(json.dumps({"text": text, "label": 1, "replacements": [swap]}) + "\n")
    code, out, err = run(capsys, "evaluate", str(path), "--json")
    assert (code, err) == (0, "") and json.loads(out)["evidence"]["replaced"] == 1


# ---- output that cannot be written, and other hostile settings ----------------------------------


def test_explain_writes_through_a_fifo_and_a_symlink_without_replacing_them(capsys, tmp_path):
    import threading

    fifo = tmp_path / "page.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    code, _, err = run(capsys, "explain", str(SPUN), "-o", str(fifo))
    reader.join(timeout=30)
    assert code == 1 and err.startswith(f"spincheck: note: wrote {fifo}")
    assert fifo.is_fifo() and received[0].startswith("<!DOCTYPE html>")
    target, link = tmp_path / "target.html", tmp_path / "link.html"
    target.write_text("old")
    link.symlink_to(target)
    code, _, _ = run(capsys, "explain", str(SPUN), "-o", str(link))
    assert code == 1 and link.is_symlink() and target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("command", ["score", "explain"])
def test_an_output_that_is_a_symlink_loop_is_an_error_and_stays_a_link(capsys, tmp_path, command):
    """-o onto a symlink loop replaced the link with the results, where the shell says "Too many
    levels of symbolic links"; a link is written through, never replaced."""
    loop, other = tmp_path / "out.html", tmp_path / "other"
    loop.symlink_to(other)
    other.symlink_to(loop)
    code, out, err = run(capsys, command, str(CLEAN), "-o", str(loop))
    assert (code, out) == (2, "") and loop.is_symlink() and other.is_symlink()
    assert err == f"spincheck: error: cannot write {loop}: Too many levels of symbolic links (choose another -o)\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "out.html"]  # no temporary file left


def test_explain_never_writes_its_report_over_the_document(capsys, tmp_path, monkeypatch):
    document = tmp_path / "essay.txt"
    document.write_text(SPUN.read_text())
    link = tmp_path / "link.txt"
    link.symlink_to(document)
    for output in (document, link):  # the same file by its name or through a link
        code, out, err = run(capsys, "explain", str(document), "-o", str(output))
        assert (code, out) == (2, "") and err == (
            f"spincheck: error: {output} is the document being explained; the report would replace it "
            "(choose another -o)\n"
        )
    assert document.read_text() == SPUN.read_text()
    # the document on stdin (explain - -o essay.txt < essay.txt): replaced by the report before
    with document.open("rb") as stdin:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stdin))
        code, out, err = run(capsys, "explain", "-", "-o", str(document))
    assert (code, out) == (2, "") and "is the document being explained" in err
    assert document.read_text() == SPUN.read_text()


def test_explain_never_writes_its_page_into_the_document_through_stdout(capsys, tmp_path, monkeypatch):
    """`spincheck explain essay.txt >> essay.txt` appended the page to the document (score leaves
    such a file unread; -o naming it is an error)."""
    document = tmp_path / "essay.txt"
    document.write_text(SPUN.read_text())
    with open(document, "a", encoding="utf-8") as stdout:
        monkeypatch.setattr(sys, "stdout", stdout)
        code, _, err = run(capsys, "explain", str(document))
        with document.open("rb") as stdin:  # explain - < essay.txt >> essay.txt
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stdin))
            code_stdin, _, err_stdin = run(capsys, "explain", "-")
    assert (code, code_stdin) == (2, 2)
    assert err == (
        f"spincheck: error: stdout goes to {document}, the document being explained; "
        "the page would be written into it (choose -o FILE)\n"
    )
    assert "stdout goes to the file on stdin, the document being explained" in err_stdin
    assert document.read_text() == SPUN.read_text()


def test_compare_never_writes_its_report_into_a_document_through_stdout(capsys, tmp_path, monkeypatch):
    """`spincheck compare a.txt b.txt >> b.txt` appended the report to the copy, as explain did."""
    original, copy = tmp_path / "a.txt", tmp_path / "b.txt"
    original.write_text(CLEAN.read_text())
    copy.write_text(SPUN.read_text())
    for target in (original, copy):
        with open(target, "a", encoding="utf-8") as stdout:
            monkeypatch.setattr(sys, "stdout", stdout)
            code, _, err = run(capsys, "compare", str(original), str(copy))
        assert code == 2 and f"stdout goes to {target}, a document being compared" in err
    with copy.open("rb") as stdin, open(copy, "a", encoding="utf-8") as stdout:  # compare a.txt - < b.txt >> b.txt
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stdin))
        monkeypatch.setattr(sys, "stdout", stdout)
        code, _, err = run(capsys, "compare", str(original), "-")
    assert code == 2 and "stdout goes to the file on stdin, a document being compared" in err
    assert (original.read_text(), copy.read_text()) == (CLEAN.read_text(), SPUN.read_text())


@pytest.mark.parametrize("command", ["score", "explain"])
@pytest.mark.parametrize("suffix", ["/", "/.", "/./"])
def test_an_output_name_ending_as_a_directory_never_writes_the_file_before_it(capsys, tmp_path, command, suffix):
    """pathlib reads "essay.txt/." and "essay.txt/" as essay.txt: -o essay.txt/. replaced the
    document scored or explained with the results, and explain -o newdir/ made a file newdir."""
    document = tmp_path / "essay.txt"
    document.write_text(SPUN.read_text())
    for output in (f"{document}{suffix}", f"{tmp_path / 'newdir'}{suffix}"):
        code, out, err = run(capsys, command, str(document), "-o", output)
        assert (code, out) == (2, "") and err == (
            f"spincheck: error: cannot write {output}: it names a directory (choose a file name for -o)\n"
        )
    assert document.read_text() == SPUN.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["essay.txt"]


@pytest.mark.parametrize("where", ["missing/dir/page.html", "clean.txt/page.html", "."])
def test_explain_to_a_path_that_cannot_be_written_is_one_line(capsys, tmp_path, where, monkeypatch):
    (tmp_path / "clean.txt").write_text("x")
    target = tmp_path / where
    # before the document is read and scored, which a long one takes a while to (14 s for 6 MB)
    monkeypatch.setattr(cli, "_read_document", lambda *args: pytest.fail("read before -o was made"))
    code, out, err = run(capsys, "explain", str(SPUN), "-o", str(target))
    assert code == 2 and out == ""
    hint = "(choose a file name for -o)\n" if where == "." else "choose another -o)\n"  # a directory, as score says
    assert err.startswith(f"spincheck: error: cannot write {target}: ") and err.endswith(hint)


@pytest.mark.parametrize("command", [["score"], ["explain"], ["compare", str(CLEAN)]])
def test_an_output_file_in_a_missing_folder_names_the_folder_and_makes_none(capsys, tmp_path, command):
    """An output file's folder is not made, as a shell's redirection does not make it (train makes
    a model directory's); the error said "No such file or directory", as if the file itself were
    missing, and now names the folder. compare's -o, new beside them, says it the same way."""
    (tmp_path / "clean.txt").write_text("x")
    target, folder = tmp_path / "missing" / "dir" / "out.html", tmp_path / "missing" / "dir"
    code, out, err = run(capsys, *command, str(SPUN), "-o", str(target))
    assert (code, out) == (2, "") and err == (
        f"spincheck: error: cannot write {target}: the folder {folder} does not exist "
        "(create it first, or choose another -o)\n"
    )
    code, out, err = run(capsys, *command, str(SPUN), "-o", str(tmp_path / "clean.txt" / "out.html"))
    assert (code, out) == (2, "") and err == (
        f"spincheck: error: cannot write {tmp_path / 'clean.txt' / 'out.html'}: {tmp_path / 'clean.txt'} "
        "is not a folder (choose another -o)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.txt"]


def test_explain_failing_while_it_writes_keeps_the_old_page(capsys, tmp_path, monkeypatch):
    """The page is written as it is made (a long text's is hundreds of MB): a disk that fills
    up halfway is one line, exit 2, and -o keeps the page it held, with no temporary left."""
    write_html = cli.write_html

    def half_then_full(out, *args, **kwargs):
        write_html(out, *args, **kwargs)
        out.flush()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "write_html", half_then_full)
    (tmp_path / "page.html").write_text("old")
    code, out, err = run(capsys, "explain", str(SPUN), "-o", str(tmp_path / "page.html"))
    assert (code, out) == (2, "")
    full = "No space left on device"
    assert err == f"spincheck: error: cannot write {tmp_path / 'page.html'}: {full} (choose another -o)\n"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"] and (tmp_path / "page.html").read_text() == "old"
    code, out, err = run(capsys, "explain", str(SPUN))
    assert code == 2 and err == f"spincheck: error: cannot write the output: {full}\n"


def test_a_failing_or_closed_stdout_is_one_line(capsys, monkeypatch):
    class Full(io.StringIO):
        def write(self, text):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(sys, "stdout", Full())
    code = main(["score", str(CLEAN)])
    err = capsys.readouterr().err
    assert code == 2 and err == "spincheck: error: cannot write the output: No space left on device\n"
    monkeypatch.setattr(sys, "stdout", None)
    code = main(["score", str(CLEAN)])
    err = capsys.readouterr().err
    assert code == 2 and err == "spincheck: error: stdout is closed (redirect it to a file or /dev/null)\n"


def test_messages_with_stderr_closed_do_not_go_to_stdout(capsys, monkeypatch, tmp_path):
    # `2>&-`: print(file=None) writes to stdout, so errors and notes landed among the JSONL rows
    monkeypatch.setattr(sys, "stderr", None)
    code = main(["score", "--format", "jsonl", str(CLEAN), str(tmp_path / "missing.txt")])
    out = capsys.readouterr().out
    assert code == 2 and {row["source"] for row in jsonl(out)} == {str(CLEAN)}


def test_jobs_beyond_the_cpus_are_capped(capsys, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    code, out, err = run(capsys, "score", str(CLEAN), str(SPUN), "--jobs", "64")
    assert code == 1 and err == "spincheck: note: --jobs 64 is more than this machine's 1 CPUs; using 1\n"
    assert out == run(capsys, "score", str(CLEAN), str(SPUN))[1]


def test_jobs_beyond_the_cpus_are_capped_where_the_scoring_uses_them(capsys, monkeypatch):
    # the note says "using 1": 1 must also be what reaches joblib, not 64
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    used = []
    real = cli._scored

    def scored(events, detector, jobs, *args):
        used.append(jobs)
        return real(events, detector, jobs, *args)

    monkeypatch.setattr(cli, "_scored", scored)
    assert run(capsys, "-q", "score", str(CLEAN), "--jobs", "64")[0] == 0 and used == [1]


def test_evaluate_binary_file_and_missing_label(capsys, tmp_path, monkeypatch):
    binary = tmp_path / "ls.jsonl"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00" * 200 + b"\n" * 50)
    code, out, err = run(capsys, "evaluate", str(binary))
    assert (
        code == 2
        and out == ""
        and err.splitlines()
        == [
            f"spincheck: error: {binary} looks binary (skipped)",
            f'spincheck: error: {binary} holds no labelled paragraphs (expected lines like {{"text": "...", "label": 1}})',
        ]
    )
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps({"text": SPUN.read_text()}) + "\n")
    code, _, err = run(capsys, "evaluate", str(path))
    assert code == 2
    assert err.startswith(f'spincheck: error: {path}:1: no label (add "label": 0 (clean) or 1 (spun); skipped)')
    monkeypatch.setattr(sys, "stdin", None)
    code, _, err = run(capsys, "evaluate", "-")
    assert code == 2 and err == "spincheck: error: cannot read stdin: it is closed (pass a file instead)\n"


# ---- interruptions, broken pipes, colour --------------------------------------------------------


def test_interrupt_while_scoring_is_one_line_and_exit_130(capsys, monkeypatch):
    def interrupt(self, paragraphs, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Detector, "score_paragraphs", interrupt)
    code, out, err = run(capsys, "score", str(SPUN))
    assert (code, out, err) == (130, "", "spincheck: error: interrupted\n")


def test_broken_pipe_stops_quietly_and_silences_stdout(capsys, monkeypatch, tmp_path):
    target = tmp_path / "stdout"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT)

    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self):
            return fd

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    try:
        code = main(["score", "--format", "jsonl", str(SPUN)])
        err = capsys.readouterr().err
        assert (code, err) == (141, "")  # no message, no traceback; 128 + SIGPIPE
        # stdout now points at /dev/null, so a flush at exit cannot raise BrokenPipeError again
        os.write(fd, b"written after the pipe broke")
        assert target.read_bytes() == b""
    finally:
        os.close(fd)


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl"])
def test_compare_to_an_unbuffered_stdout_whose_reader_went_away_is_exit_141(capsys, monkeypatch, tmp_path, fmt):
    """python -u (PYTHONUNBUFFERED=1, common in containers) writes straight to the pipe, and a
    write the pipe takes only part of returns short with nothing raised: the text report, written
    in one piece, lost its rest when the reader of 'compare ... | head' went away, and exit 0."""
    fd = os.open(tmp_path / "stdout", os.O_WRONLY | os.O_CREAT)  # main() points it at /dev/null

    class PipeReadOnce(io.RawIOBase):
        """A pipe whose reader takes part of the first write, then goes away."""

        read_once = False

        def writable(self):
            return True

        def write(self, data):
            if self.read_once:
                raise BrokenPipeError(32, "Broken pipe")
            self.read_once = True
            return min(len(data), 100)

        def fileno(self):
            return fd

    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(PipeReadOnce(), encoding="utf-8", write_through=True))
    try:
        code = main(["compare", "--format", fmt, str(CLEAN), str(SPUN)])
        assert (code, capsys.readouterr().err) == (141, "")
    finally:
        os.close(fd)


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--version"], ["compare", str(CLEAN), str(SPUN)], ["evaluate", "labelled.jsonl"]],
    ids=["help", "version", "compare", "evaluate"],
)
@pytest.mark.parametrize("buffering", [-1, 1], ids=["buffered", "line-buffered"])
def test_output_that_cannot_be_written_is_an_error_for_every_command(capsys, monkeypatch, tmp_path, argv, buffering):
    # the last output stayed in stdout's buffer, so `> /dev/full` or `| head` failed only at exit:
    # "Exception ignored ... OSError", status 120; argparse dropped the error of an unbuffered --help
    paragraph = CLEAN.read_text().split("\n\n")[1]
    (tmp_path / "labelled.jsonl").write_text(json.dumps({"text": paragraph, "label": 0}) + "\n")
    monkeypatch.chdir(tmp_path)
    read, write = os.pipe()
    os.close(read)  # a reader that went away
    outputs = [(write, 141, "")]
    if Path("/dev/full").exists():
        outputs.append((os.open("/dev/full", os.O_WRONLY), 2, "cannot write the output: No space left on device"))
    for fd, status, message in outputs:
        with open(fd, "w", buffering=buffering, encoding="utf-8") as out:
            monkeypatch.setattr(sys, "stdout", out)
            code = main(argv)
            monkeypatch.setattr(sys, "stdout", sys.__stdout__)
            out.flush()  # stdout now points at /dev/null: the flush at exit cannot fail again
        err = capsys.readouterr().err
        assert (code, err) == (status, f"spincheck: error: {message}\n" if message else "")


def test_a_reader_that_goes_away_stops_parallel_scoring_quietly(tmp_path):
    for i in range(10):  # long enough that the workers are still busy when the reader leaves
        (tmp_path / f"page{i:02}.txt").write_text("\n\n".join([SPUN.read_text()] * 60))
    # python -m spincheck, seeing two CPUs however many there are: on a one-CPU machine --jobs 2 was
    # capped to 1 with a note on stderr, and the worker pool this test is about was never started
    two_cpus = "\n".join(
        [
            "import os, runpy",
            "os.cpu_count = lambda: 2",
            "runpy.run_module('spincheck', run_name='__main__', alter_sys=True)",
        ]
    )
    process = subprocess.Popen(
        [sys.executable, "-c", two_cpus, "score", "--jobs", "2", "--format", "jsonl", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = process.stdout.readline()
    process.stdout.close()  # as `| head -n 1` does
    # stderr is read to its end, which comes when the command and every process it started (the
    # workers, the resource tracker) are gone; a hang there fails here instead of stalling the run
    try:
        err = process.communicate(timeout=120)[1].decode()
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert json.loads(first)["source"].endswith("page00.txt")
    assert (process.returncode, err) == (141, "")  # no joblib warning, no worker traceback


@pytest.mark.parametrize(
    ("tracker", "kind"), [("joblib.externals.loky.backend", "semlock"), ("multiprocessing", "semaphore")]
)
@pytest.mark.parametrize("quiet", [False, True])
def test_the_worker_pools_resource_tracker_keeps_its_warnings_off_stderr(tracker, kind, quiet):
    # The race behind it (a semaphore removed before the tracker heard so) is rare and cannot be
    # forced from the command line; a semaphore registered and never removed makes the tracker
    # say the same at exit. Without the filter it does (the control), with it stderr stays clean.
    code = (
        "import contextlib, sys\n"
        "from spincheck import cli\n"
        f"with {'cli._quiet_resource_tracker()' if quiet else 'contextlib.nullcontext()'}:\n"
        f"    from {tracker} import resource_tracker\n"
        f"    resource_tracker.register('/spincheck-test-never-made', '{kind}')\n"
        "assert not sys.warnoptions, sys.warnoptions  # the options are this process's own again\n"
    )
    # PYTHONWARNINGS=ignore (set by some to silence warnings) would pass to the tracker and hide the control's warning
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0
    assert (f"leaked {kind}" in done.stderr) is not quiet, done.stderr


@pytest.mark.parametrize(
    ("env", "coloured"),
    [({}, True), ({"NO_COLOR": "1"}, False), ({"NO_COLOR": ""}, True), ({"TERM": "dumb"}, False)],
    ids=["terminal", "NO_COLOR", "NO_COLOR-empty", "TERM=dumb"],
)
def test_color_auto_on_a_terminal_honours_no_color_and_dumb_terminals(capsys, monkeypatch, env, coloured):
    monkeypatch.setattr(cli, "_isatty", lambda stream: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, _ = run(capsys, "score", "--color", "auto", str(SPUN))
    assert code == 1 and ("\x1b[" in out) == coloured
    assert (out == run(capsys, "score", "--color", "never", str(SPUN))[1]) == (not coloured)


# ---- explain: size cap, stdin, HTML -------------------------------------------------------------


def test_explain_refuses_a_document_over_the_size_cap(capsys, monkeypatch, tmp_path):
    text = SPUN.read_text(encoding="utf-8")
    page = tmp_path / "page.html"
    monkeypatch.setattr(cli, "MAX_EXPLAIN_CHARS", len(text))  # at the cap: explained
    assert run(capsys, "explain", str(SPUN), "-o", str(page))[0] == 1 and page.exists()
    page.unlink()
    monkeypatch.setattr(cli, "MAX_EXPLAIN_CHARS", 1000)
    code, out, err = run(capsys, "explain", str(SPUN), "-o", str(page))
    assert (code, out) == (2, "") and not page.exists()
    assert err == (
        f"spincheck: error: {SPUN} is too long for an HTML report (over 1,000 characters) "
        "(use 'spincheck score' for large inputs)\n"
    )
    code, out, _ = run(capsys, "explain", str(SPUN))
    assert (code, out) == (2, "")  # nothing on stdout either


def test_compare_refuses_a_document_over_the_size_cap_with_a_hint_for_compare(capsys, monkeypatch):
    """The hint was explain's "use 'spincheck score' for large inputs": score cannot compare two documents."""
    monkeypatch.setattr(cli, "MAX_EXPLAIN_CHARS", 1000)
    code, out, err = run(capsys, "compare", str(CLEAN), str(SPUN))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"spincheck: error: {path} is too long for a comparison (over 1,000 characters) "
        "(split both documents and compare them part by part)"
        for path in (CLEAN, SPUN)
    ]


def test_explain_reads_stdin(capsys, monkeypatch):
    import html

    from_file = run(capsys, "explain", str(SPUN))
    set_stdin(monkeypatch, SPUN.read_bytes())
    code, out, err = run(capsys, "explain", "-")
    assert (code, err) == (1, "") and out.startswith("<!DOCTYPE html>")
    assert html.escape(str(SPUN)) not in out
    assert out == from_file[1].replace(html.escape(str(SPUN)), html.escape("<stdin>"))


def test_explain_an_html_page(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(formats, "_trafilatura_state", {"module": None})
    paragraphs = [" ".join(p.split()) for p in SPUN.read_text().split("\n\n") if p.strip()]
    path = tmp_path / "article.html"
    path.write_text(
        "<html><head><script>var tracking = 1;</script></head><body><nav>Home | News</nav>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "<footer>Copyright footer</footer></body></html>"
    )
    code, out, err = run(capsys, "explain", str(path))
    assert (code, err) == (1, f"spincheck: note: {inputs.TRAFILATURA_NOTE}\n")
    parsed = _Marks()
    parsed.feed(out)
    assert len(parsed.paragraphs) == len(paragraphs)  # the page's main text only
    assert any("flagged" in cls.split() for cls, _ in parsed.paragraphs)
    assert "tracking" not in out and "Copyright footer" not in out


# ---- evaluate: stdin, --text-field, a missing file -----------------------------------------------


def test_evaluate_reads_stdin(capsys, monkeypatch, labelled):
    from_file = json.loads(run(capsys, "evaluate", str(labelled), "--json")[1])
    set_stdin(monkeypatch, labelled.read_bytes())
    code, out, err = run(capsys, "evaluate", "-", "--json")
    from_stdin = json.loads(out)
    assert (code, err) == (0, "")
    assert from_stdin["source"] == "<stdin>" and from_stdin["paragraphs"] == 14
    assert from_stdin == {**from_file, "source": "<stdin>"}


def test_evaluate_text_field(capsys, tmp_path, labelled):
    from_text = json.loads(run(capsys, "evaluate", str(labelled), "--json")[1])
    rows = [json.loads(line) for line in labelled.read_text().splitlines()]
    path = tmp_path / "body.jsonl"
    path.write_text("".join(json.dumps({"body": r["text"], "label": r["label"]}) + "\n" for r in rows))
    code, out, err = run(capsys, "evaluate", str(path), "--json", "--text-field", "body")
    assert (code, err) == (0, "")
    assert json.loads(out) == {**from_text, "source": str(path)}
    code, out, err = run(capsys, "evaluate", str(path))  # the default field is missing on every line
    assert code == 2
    hint = "set --text-field to 'body'; skipped"  # the field each line has, named
    assert err.splitlines()[0] == f"spincheck: error: {path}:1: no string field 'text' ({hint})"


def test_evaluate_names_what_a_text_field_of_another_type_holds(capsys, tmp_path):
    """A text field holding a list, a number, an object or null was "no string field 'text'
    (set --text-field)": the field is there, and --text-field does not help."""
    path = tmp_path / "dev.jsonl"
    records = [{"text": ["a", "b"]}, {"text": 3}, {"text": {"en": "x"}}, {"text": None}, {"body": "x"}]
    path.write_text("".join(json.dumps({**r, "label": 1}) + "\n" for r in records))
    code, out, err = run(capsys, "evaluate", str(path))
    assert (code, out) == (2, "")
    assert err.splitlines()[:5] == [
        f"spincheck: error: {path}:1: field 'text' holds a list, not a string (skipped)",
        f"spincheck: error: {path}:2: field 'text' holds a number, not a string (skipped)",
        f"spincheck: error: {path}:3: field 'text' holds an object, not a string (skipped)",
        f"spincheck: error: {path}:4: field 'text' holds null, not a string (skipped)",
        f"spincheck: error: {path}:5: no string field 'text' (set --text-field to 'body'; skipped)",
    ]


def test_evaluate_missing_file_is_one_line(capsys, tmp_path):
    missing = tmp_path / "missing.jsonl"
    code, out, err = run(capsys, "evaluate", str(missing))
    assert (code, out) == (2, "")
    assert err == f"spincheck: error: cannot read {missing}: no such file or directory (check the path)\n"


def test_evaluate_of_a_directory_says_it_takes_one_file(capsys, tmp_path):
    """It said "cannot read DIR: Is a directory (skipped)", in the system's words; compare names the mistake."""
    code, out, err = run(capsys, "evaluate", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == (
        f"spincheck: error: evaluate takes one JSONL or .json file, and {tmp_path} is a directory "
        "(pass one of its .jsonl files, or cat them into one)\n"
    )


def test_evaluate_of_damaged_stdin_reports_the_lines_read_before_the_damage(capsys, monkeypatch, tmp_path, labelled):
    """Compressed data piped in and cut short is evaluated on what came before, as a file is."""
    rows = labelled.read_bytes().splitlines(keepends=True) * 60  # more than one read's worth
    data = gzip.compress(b"".join(rows)) + gzip.compress(b"".join(rows))[:-12]
    damaged = tmp_path / "dev.jsonl.gz"
    damaged.write_bytes(data)
    from_file = json.loads(run(capsys, "evaluate", str(damaged), "--json")[1])
    set_stdin(monkeypatch, data)
    code, out, err = run(capsys, "evaluate", "-", "--json")
    assert code == 2 and err.startswith("spincheck: error: cannot read <stdin>: its gzip data is truncated")
    assert json.loads(out) == {**from_file, "source": "<stdin>"} and from_file["paragraphs"] >= len(rows)


def test_evaluate_reads_stdin_beside_a_directory_named_dash(capsys, monkeypatch, tmp_path, labelled):
    """'-' is stdin, even where the working directory holds a directory of that name."""
    (tmp_path / "-").mkdir()
    monkeypatch.chdir(tmp_path)
    set_stdin(monkeypatch, labelled.read_bytes())
    code, out, err = run(capsys, "evaluate", "-", "--json")
    assert (code, err) == (0, "") and json.loads(out)["source"] == "<stdin>"


def test_evaluate_names_a_file_whose_name_is_not_utf8_as_score_does(capsys, tmp_path, labelled):
    """The name's undecodable byte went into the JSON report as a lone surrogate ("\\udcff"),
    which strict JSON parsers reject; score and compare show it as U+FFFD."""
    odd = Path(os.fsdecode(os.fsencode(tmp_path) + b"/dev\xff.jsonl"))
    odd.write_bytes(labelled.read_bytes())
    shown = str(tmp_path / "dev\ufffd.jsonl")
    code, out, err = run(capsys, "evaluate", str(odd), "--json")
    assert (code, err) == (0, "") and "\\ud" not in out and json.loads(out)["source"] == shown
    code, out, _ = run(capsys, "evaluate", str(odd))
    assert out.startswith(f"{shown}: 14 labelled paragraphs")


def test_output_and_model_paths_that_are_not_utf8_show_as_input_names_do(capsys, tmp_path):
    """-o, --model and --out names went into messages as "\\udcff" (the terminal's escape of a
    lone surrogate), where an input's name shows the same byte as U+FFFD."""
    odd = os.fsdecode(os.fsencode(tmp_path) + b"/no\xffdir")
    shown = str(tmp_path / "no\ufffddir")
    code, _, err = run(capsys, "score", str(CLEAN), "-o", f"{odd}/out.jsonl")
    assert (code, err) == (
        2,
        f"spincheck: error: cannot write {shown}/out.jsonl: the folder {shown} does not exist "
        "(create it first, or choose another -o)\n",
    )
    code, _, err = run(capsys, "score", "--model", odd, str(CLEAN))
    assert code == 2 and err.startswith(f"spincheck: error: model directory {shown} does not exist")


def test_evaluate_of_a_damaged_file_reports_the_lines_read_before_the_damage(capsys, tmp_path, labelled):
    """The error says "the rest of it is skipped", as score keeps what it read: evaluate printed
    nothing at all, every line read before the damage thrown away."""
    rows = labelled.read_bytes().splitlines(keepends=True) * 60  # more than one read's worth
    damaged = tmp_path / "dev.jsonl.gz"  # two gzip members, the second cut short
    damaged.write_bytes(gzip.compress(b"".join(rows)) + gzip.compress(b"".join(rows))[:-12])
    code, out, err = run(capsys, "evaluate", str(damaged), "--json")
    assert code == 2 and err.startswith(f"spincheck: error: cannot read {damaged}: its gzip data is truncated")
    assert err.endswith("(the rest of it is skipped)\n") and len(err.splitlines()) == 1
    report = json.loads(out)
    read = report["paragraphs"]
    assert len(rows) <= read < 2 * len(rows) and report["skipped_lines"] == 0
    head = tmp_path / "head.jsonl"
    head.write_bytes(b"".join((rows * 2)[:read]))  # the same numbers as evaluating the lines read
    assert json.loads(run(capsys, "evaluate", str(head), "--json")[1]) == {**report, "source": str(head)}
    damaged.write_bytes(gzip.compress(b"".join(rows[:14]))[:-12])  # nothing read: the one error, no report
    assert run(capsys, "evaluate", str(damaged))[:2] == (2, "")


def test_score_closed_stdin_is_one_line(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)
    code, out, err = run(capsys, "score", "-")
    assert (code, out, err) == (2, "", "spincheck: error: cannot read stdin: it is closed (pass a file instead)\n")


# ---- train: failures, warnings and --jobs -------------------------------------------------------

_CARD = {"threshold": 0.9, "heldout_metrics": {"precision": 0.98, "recall": 0.8, "f1": 0.88, "roc_auc": 0.97}}


def _fake_train(monkeypatch, body):
    import spincheck.training

    pytest.importorskip("sklearn")  # train checks for it before anything else
    monkeypatch.setattr(spincheck.training, "train", body)


def test_train_warns_when_the_threshold_cannot_reach_the_target_fpr(capsys, monkeypatch, tmp_path):
    from spincheck.training import TARGET_FPR

    for fpr, warned in [(TARGET_FPR, False), (0.014, True)]:
        card = {**_CARD, "heldout_metrics": {**_CARD["heldout_metrics"], "fpr": fpr}}
        _fake_train(monkeypatch, lambda clean, out, card=card, **kwargs: card)
        code, out, err = run(capsys, "train", "--clean", str(CLEAN), "--out", str(tmp_path / "m"))
        assert code == 0 and f"FPR {fpr:.3f}" in out
        assert (
            "spincheck: warning: the held-out false-positive rate is 1.4%, over the 0.8% aimed for" in err
        ) == warned


def test_train_output_that_cannot_be_written_is_one_line(capsys, monkeypatch, tmp_path):
    out_dir = tmp_path / "ro" / "model"

    def fails(clean, out, **kwargs):
        import warnings

        from spincheck.training import CorpusFileWarning

        warnings.warn(CorpusFileWarning("a.txt", "has no text to train on", "{n} files have no text ({files})"))
        raise PermissionError(13, "Permission denied", str(out))

    _fake_train(monkeypatch, fails)
    code, out, err = run(capsys, "train", "--clean", str(CLEAN), "--out", str(out_dir))
    assert (code, out) == (2, "")
    assert err == (  # what the run found in the corpus is not lost with it
        "spincheck: warning: a.txt has no text to train on\n"
        f"spincheck: error: cannot write {out_dir}: Permission denied (choose another --out)\n"
    )


def test_train_reports_corpus_warnings_before_a_missing_package(capsys, monkeypatch, tmp_path):
    import warnings

    from spincheck.training import CorpusFileWarning

    def fails(clean, out, **kwargs):
        warnings.warn(CorpusFileWarning("a.txt", "has no text to train on", "{n} files have no text ({files})"))
        raise ImportError("No module named 'scipy'", name="scipy")

    _fake_train(monkeypatch, fails)
    code, _, err = run(capsys, "train", "--clean", str(CLEAN), "--out", str(tmp_path / "m"))
    assert code == 2 and err.splitlines()[0] == "spincheck: warning: a.txt has no text to train on"


@pytest.mark.parametrize(("name", "shown"), [("scipy", "scipy"), (None, "a missing package")])
def test_train_missing_package_is_one_line(capsys, monkeypatch, tmp_path, name, shown):
    def fails(clean, out, **kwargs):
        raise ImportError(f"No module named {name!r}", name=name)

    _fake_train(monkeypatch, fails)
    code, out, err = run(capsys, "train", "--clean", str(CLEAN), "--out", str(tmp_path / "m"))
    assert (code, out) == (2, "")
    hint = "in spincheck's checkout: pip install '.[train]'"
    assert err == f"spincheck: error: training needs {shown}, which is not installed ({hint})\n"


def test_train_reports_warnings_one_line_each(capsys, monkeypatch, tmp_path):
    import warnings

    class ConvergenceWarning(UserWarning):
        pass

    def warns(clean, out, **kwargs):
        warnings.warn("lbfgs failed to converge (status=1):\nSTOP: ITERATIONS REACHED LIMIT.", ConvergenceWarning)
        warnings.warn("lbfgs failed to converge (status=1):\nanother detail", ConvergenceWarning)  # same first line
        warnings.warn("a deprecated option", DeprecationWarning)
        # spincheck's own say what is wrong in words: no "UserWarning:" before them
        warnings.warn_explicit("2 paragraphs given to --spun are given there twice", UserWarning, training.__file__, 1)
        return _CARD

    _fake_train(monkeypatch, warns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # as Python hides a DeprecationWarning outside __main__: still reported
        code, out, err = run(capsys, "train", "--clean", str(CLEAN), "--out", str(tmp_path / "m"))
    assert code == 0 and out.startswith(f"wrote model to {tmp_path / 'm'}\n")
    assert err.splitlines() == [
        "spincheck: warning: ConvergenceWarning: lbfgs failed to converge (status=1):",
        "spincheck: warning: DeprecationWarning: a deprecated option",
        "spincheck: warning: 2 paragraphs given to --spun are given there twice",
    ]
    code, _, err = run(capsys, "train", "-q", "--clean", str(CLEAN), "--out", str(tmp_path / "m"))
    assert (code, err) == (0, "")  # warnings are not errors: --quiet hides them


def test_train_reports_corpus_files_with_one_issue_together_and_before_a_failure(capsys, tmp_path):
    """A corpus of 300 Latin-1 files gave 300 warning lines, printed only after training, and none
    at all when the run then failed; a file with no text (a scanned PDF) was left out silently."""
    pytest.importorskip("sklearn")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(5):
        (corpus / f"{i}-latin1.txt").write_bytes(f"Le caf\xe9 num\xe9ro {i} est ferm\xe9.".encode("latin-1"))
    (corpus / "blank.txt").write_text("\n\n  \n")

    def problems(err: str) -> list[str]:  # without the notes of each stage
        return [line for line in err.splitlines() if not line.startswith("spincheck: note:")]

    code, _, err = run(capsys, "train", "--clean", str(corpus), "--out", str(tmp_path / "m"))
    files = ", ".join(str(corpus / f"{i}-latin1.txt") for i in range(3))
    assert code == 2 and problems(err)[:2] == [
        f"spincheck: warning: 5 files are not valid UTF-8 ({files} and 2 more); undecodable bytes were "
        "replaced with U+FFFD",
        f"spincheck: warning: {corpus / 'blank.txt'} has no text to train on",
    ]
    assert (
        problems(err)[2:] == [problems(err)[2]] and "error: the corpus does not look like English" in problems(err)[2]
    )
    # up to three files with one issue are named one by one
    for i in range(3, 5):
        (corpus / f"{i}-latin1.txt").unlink()
    code, _, err = run(capsys, "train", "--clean", str(corpus), "--out", str(tmp_path / "m"))
    assert problems(err)[:3] == [
        f"spincheck: warning: {corpus / f'{i}-latin1.txt'} is not valid UTF-8; undecodable bytes were replaced "
        "with U+FFFD"
        for i in range(3)
    ]


def test_train_jobs_limits_the_threads_training_uses(capsys, monkeypatch, tmp_path):
    import contextlib

    calls = []

    @contextlib.contextmanager
    def limited(jobs):
        calls.append(("limit", jobs))
        yield
        calls.append(("unlimit", jobs))

    def fake(clean, out, **kwargs):
        calls.append(("train", None))
        return _CARD

    _fake_train(monkeypatch, fake)
    monkeypatch.setattr(cli, "_limited_threads", limited)
    assert run(capsys, "train", "--clean", str(CLEAN), "--out", str(tmp_path / "m"), "--jobs", "3")[0] == 0
    assert calls == [("limit", 3), ("train", None), ("unlimit", 3)]  # training runs inside the limit
    calls.clear()
    assert run(capsys, "train", "--clean", str(CLEAN), "--out", str(tmp_path / "m"))[0] == 0
    assert calls == [("limit", 1), ("train", None), ("unlimit", 1)]


def test_train_jobs_beyond_what_a_thread_pool_takes_is_a_usage_error(capsys, monkeypatch, tmp_path):
    # the BLAS limit is a C int: ctypes' OverflowError ended the run as "a bug in spincheck"
    _fake_train(monkeypatch, lambda clean, out, **kwargs: _CARD)
    code, out, err = run(capsys, "train", "--clean", str(CLEAN), "--out", str(tmp_path / "m"), "--jobs", "9" * 20)
    assert (code, out) == (2, "")
    assert err == (
        f"spincheck: error: argument --jobs: {'9' * 20} is more threads than training can use (at most 1024) "
        "(see 'spincheck train --help')\n"
    )


def test_train_defaults_and_summary_line(capsys, monkeypatch, tmp_path):
    # a changed default (seed, --reference, --text-field) would train a different model from the same
    # command line, and swapped figures would misreport the model
    calls = []
    _fake_train(monkeypatch, lambda clean, out, **kwargs: calls.append(kwargs) or _CARD)
    code, out, err = run(capsys, "train", "--clean", str(CLEAN), "--out", str(tmp_path / "m"))
    assert (code, err) == (0, "")
    [kwargs] = calls
    assert {k: kwargs[k] for k in ("spun", "seed", "reference_mode", "text_field", "base_model")} == {
        "spun": [],
        "seed": 0,
        "reference_mode": "merge",
        "text_field": "text",
        "base_model": None,
    }
    # precision and recall each under its own name (_CARD has no FPR: "-")
    assert "  threshold 0.9000; held-out precision 0.980, recall 0.800, F1 0.880, ROC-AUC 0.970, FPR -" in out
    # the lowest seed can be given too
    assert run(capsys, "train", "--clean", str(CLEAN), "--out", str(tmp_path / "m"), "--seed", "0")[0] == 0
    assert calls[-1]["seed"] == 0


def test_train_reports_the_corpus_warnings_once_it_is_read(capsys, monkeypatch, tmp_path):
    # they came after the whole run (minutes of counting and fitting), too late to stop it and fix
    # the corpus; each is reported once, in the order it came
    from spincheck.training import CorpusFileWarning

    def fake_train(clean, out, *, progress, corpus_read, **kwargs):
        progress("reading the corpus")
        for name in ("a", "b", "c", "d"):
            warnings.warn(CorpusFileWarning(name, "is left out", "{n} files are left out ({files})"))
        corpus_read()
        progress("counting n-grams")
        warnings.warn(UserWarning("late"))
        return _CARD

    _fake_train(monkeypatch, fake_train)
    code, _, err = run(capsys, "train", "--clean", str(CLEAN), "--out", str(tmp_path / "m"))
    assert (code, err.splitlines()) == (
        0,
        [
            "spincheck: note: reading the corpus ...",
            "spincheck: warning: 4 files are left out (a, b, c and 1 more)",
            "spincheck: note: counting n-grams ...",
            "spincheck: warning: UserWarning: late",
        ],
    )


def test_train_summary_says_what_the_corpus_gave_each_part(capsys, monkeypatch, tmp_path):
    # the summary gave the threshold and figures only: a corpus read in part (files left out,
    # paragraphs not English) showed in the card alone
    counts = {"train_paragraphs": 15926, "dev_paragraphs": 11178, "train_not_scored": 3271, "dev_not_scored": 2213}
    card = {**_CARD, "corpus_paragraphs": {"ref": 81330, "train": 19197, "dev": 13391}, "training_counts": counts}
    _fake_train(monkeypatch, lambda clean, out, **kwargs: card)
    code, out, _ = run(capsys, "train", "--clean", str(CLEAN), "--out", str(tmp_path / "m"))
    assert code == 0 and out.splitlines()[1] == (
        "  paragraphs: 81,330 counted for the reference, 15,926 trained on, 11,178 held out; "
        "5,484 others not used (under 12 words, or not English prose)"
    )
    card["training_counts"] = {**counts, "train_not_scored": 0, "dev_not_scored": 0, "extra_spun": 1}
    out = run(capsys, "train", "--clean", str(CLEAN), "--out", str(tmp_path / "m"))[1]
    assert out.splitlines()[1].endswith("11,178 held out; 1 --spun example added")


def test_train_fpr_warning_only_over_the_target_and_its_hint_by_reference_mode(capsys, monkeypatch, tmp_path):
    from spincheck.training import TARGET_FPR

    def train_to(fpr):
        card = {**_CARD, "heldout_metrics": {**_CARD["heldout_metrics"], "fpr": fpr}}
        _fake_train(monkeypatch, lambda clean, out, **kwargs: card)

    argv = ["train", "--clean", str(CLEAN), "--out", str(tmp_path / "m")]
    train_to(TARGET_FPR)  # reaching the target is no reason to warn
    code, _, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    train_to(0.014)
    # "--reference merge" is a way out only for a model trained with --reference replace
    assert run(capsys, *argv)[2].endswith("the corpus may be too small or too unlike the reference; try more text)\n")
    code, _, err = run(capsys, *argv, "--reference", "replace")
    assert code == 0 and err.endswith("; try --reference merge or more text)\n")


def test_train_warns_when_a_replaced_reference_is_counted_from_too_few_words(capsys, monkeypatch, tmp_path):
    """--reference replace on 44,000 words: the card said FPR 0.7 %, unseen text of the same source
    4.4 %, and nothing warned (the README's "needs millions of words" only). The count is the reference's
    tokens, punctuation marks too (104,085 of them for 91,515 words of BBC news): the warning called them
    words."""
    from spincheck.training import MIN_OWN_REFERENCE_TOKENS

    def train_on(tokens):
        card = {**_CARD, "reference": {"tokens": tokens}}
        _fake_train(monkeypatch, lambda clean, out, **kwargs: card)

    argv = ["train", "--clean", str(CLEAN), "--out", str(tmp_path / "m")]
    train_on(44_000)
    code, _, err = run(capsys, *argv, "--reference", "replace")
    assert code == 0 and err == (
        "spincheck: warning: the reference was counted from the corpus alone, 44,000 tokens (words and punctuation "
        "marks): --reference replace needs millions, and text unlike the corpus will be flagged far more often "
        "than the card's FPR says (use --reference merge, or more text)\n"
    )
    assert run(capsys, *argv)[2] == ""  # merged with the shipped counts, a small corpus is fine
    train_on(MIN_OWN_REFERENCE_TOKENS - 1)
    assert "--reference replace needs millions" in run(capsys, *argv, "--reference", "replace")[2]
    train_on(MIN_OWN_REFERENCE_TOKENS)
    assert run(capsys, *argv, "--reference", "replace")[2] == ""


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_flagged_only_lists_only_flagged_paragraphs(capsys, fmt):
    code, everything, _ = run(capsys, "score", "--format", fmt, str(CLEAN), str(SPUN))
    code_only, only, _ = run(capsys, "score", "--format", fmt, "--flagged-only", str(CLEAN), str(SPUN))
    assert code == code_only == 1
    if fmt == "jsonl":
        rows = jsonl(everything)
        assert jsonl(only) == [r for r in rows if r["spun"]] and len(jsonl(only)) < len(rows)
    elif fmt == "json":
        docs, kept = json.loads(everything), json.loads(only)
        assert [d["summary"] for d in kept] == [d["summary"] for d in docs]  # still counts every paragraph
        assert [d["paragraphs"] for d in kept] == [[p for p in d["paragraphs"] if p["spun"]] for d in docs]
    else:
        header, *rows = everything.splitlines()
        assert only.splitlines() == [header] + [r for r in rows if ",true," in r]


def test_compressed_inputs_score_and_evaluate_as_their_content(capsys, tmp_path):
    packed = tmp_path / "spun.txt.gz"
    packed.write_bytes(gzip.compress(SPUN.read_bytes()))
    code, out, err = run(capsys, "score", "--format", "jsonl", str(packed))
    plain = run(capsys, "score", "--format", "jsonl", str(SPUN))
    assert (code, err) == (plain[0], plain[2]) == (1, "")
    strip = [{k: v for k, v in r.items() if k != "source"} for r in jsonl(out)]
    assert strip == [{k: v for k, v in r.items() if k != "source"} for r in jsonl(plain[1])]
    labelled = tmp_path / "dev.jsonl.bz2"
    labelled.write_bytes(
        bz2.compress((json.dumps({"text": SPUN.read_text().split("\n\n")[1], "label": 1}) + "\n").encode())
    )
    code, out, _ = run(capsys, "evaluate", "--json", str(labelled))
    assert code == 0 and json.loads(out)["metrics"]["tp"] == 1
    # damaged: one error line, exit 2, no traceback; cut in its first bytes, none of it is read
    broken = tmp_path / "broken.txt.gz"
    broken.write_bytes(packed.read_bytes()[:40])
    code, out, err = run(capsys, "score", str(broken))
    assert (
        code == 2
        and err
        == f"spincheck: error: cannot read {broken}: its gzip data is truncated "
        "(Compressed file ended before the end-of-stream marker was reached) "
        "(none of it was read; get an undamaged copy)\n"
    )


def test_a_damaged_document_read_whole_does_not_say_a_part_was_kept(capsys, tmp_path):
    """score says "(the rest of it is skipped)" where it keeps what came before the damage; a
    page is read whole, and nothing of it was scored, yet it said so too."""
    text = "The council voted on Tuesday to rebuild the old harbor bridge after three years of debate."
    data = "<html><body>" + "".join(f"<p>{i}. {text}</p>" for i in range(2000)) + "</body></html>"
    packed = gzip.compress(data.encode())
    damaged = tmp_path / "page.html.gz"
    damaged.write_bytes(packed[: len(packed) // 2])  # far past the first 8 KiB read to sniff it
    code, out, err = run(capsys, "score", "--format", "jsonl", str(damaged))
    assert (code, out) == (2, "")
    assert err.startswith(f"spincheck: error: cannot read {damaged}: its gzip data is truncated (")
    assert err.endswith(") (none of it was read; get an undamaged copy)\n") and len(err.splitlines()) == 1


def test_a_damaged_compressed_json_array_keeps_its_whole_items_before_the_damage(capsys, tmp_path):
    """A gzipped crawl cut short lost every item, as a page read whole does; its whole items
    before the damage are scored now (a multi-byte character cut by the damage raises no
    warning), and one damaged before its first whole item still says none of it was read."""
    text = "The council voted on Tuesday to rebuild the old harbour bridge — after three years."
    packed = gzip.compress(json.dumps([{"id": i, "text": text} for i in range(2000)], ensure_ascii=False).encode())
    damaged = tmp_path / "items.json.gz"
    for cut, hint in (
        (len(packed) // 2, "the rest of it is skipped"),
        (60, "none of it was read; get an undamaged copy"),
    ):
        damaged.write_bytes(packed[:cut])
        code, out, err = run(capsys, "score", "--format", "jsonl", str(damaged))
        sources = [r["source"] for r in jsonl(out)]
        assert code == 2 and sources == [f"{damaged}:{i}" for i in range(len(sources))]
        assert (len(sources) > 100) == (cut > 60)
        assert err.startswith(f"spincheck: error: cannot read {damaged}: its gzip data is truncated (")
        assert err.endswith(f") ({hint})\n") and len(err.splitlines()) == 1


@pytest.mark.parametrize("suffix", [".docx", ".rtf"])
def test_word_documents_score_as_their_text(capsys, tmp_path, suffix):
    paragraphs = [p.replace("\n", " ").strip() for p in SPUN.read_text().split("\n\n") if p.strip()]
    if suffix == ".docx":
        document = docx_bytes("".join(docx_paragraph(p) for p in paragraphs))
    else:
        document = rtf_bytes(paragraphs)
    (tmp_path / f"spun{suffix}").write_bytes(document)
    (tmp_path / "spun.txt").write_text("\n\n".join(paragraphs))
    code, out, err = run(capsys, "score", "--format", "jsonl", str(tmp_path / f"spun{suffix}"))
    _, plain, _ = run(capsys, "score", "--format", "jsonl", str(tmp_path / "spun.txt"))
    assert (code, err) == (1, "")
    scores = [(r["start"], r["probability"], r["spun"]) for r in jsonl(out)]
    assert scores == [(r["start"], r["probability"], r["spun"]) for r in jsonl(plain)] and len(scores) == len(
        paragraphs
    )


def test_evaluate_at_fpr_never_suggests_a_threshold_over_1(capsys, tmp_path, monkeypatch):
    # a "clean" paragraph scoring 0.99999994 gave threshold 1.000001, which --threshold refuses
    rows = [{"text": SPUN.read_text()[s.start : s.end], "label": 0} for s in split_paragraphs(SPUN.read_text())]
    path = tmp_path / "mislabelled.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, err = run(capsys, "evaluate", str(path), "--at-fpr", "0", "--json")
    report = json.loads(out)
    assert code == 0 and report["at_fpr"]["threshold"] == 1.0 and report["at_fpr"]["metrics"]["fp"] == 0
    assert err == ""
    score = Detector.score_paragraphs

    def certain(self, paragraphs, **kwargs):  # a clean paragraph at exactly 1.0: flagged at any threshold
        return [dataclasses.replace(r, probability=1.0) if r.spun else r for r in score(self, paragraphs, **kwargs)]

    monkeypatch.setattr(Detector, "score_paragraphs", certain)
    code, out, err = run(capsys, "evaluate", str(path), "--at-fpr", "0", "--json")
    report = json.loads(out)
    flagged = report["at_fpr"]["metrics"]["fp"]
    assert code == 0 and report["at_fpr"]["threshold"] == 1.0 and flagged > 0
    assert err == (
        f"spincheck: warning: {flagged} clean paragraphs of {path} score 1.0, which every threshold flags "
        "(the threshold shown is 1, the highest --threshold takes)\n"
    )
    code, _, _ = run(capsys, "score", "--threshold", "1", str(SPUN))  # the threshold it shows is one score takes
    assert code in (0, 1)


def test_output_option_keeps_an_old_file_when_a_folder_holds_nothing_to_score(capsys, tmp_path):
    # docs/cli.md promises it; an empty folder (exit 0) replaced the old results with nothing
    (tmp_path / "empty").mkdir()
    target = tmp_path / "scores.jsonl"
    target.write_text("earlier results\n")
    code, out, err = run(capsys, "score", "--format", "jsonl", str(tmp_path / "empty"), "-o", str(target))
    assert (code, out) == (0, "") and target.read_text() == "earlier results\n"
    assert err.endswith(f"spincheck: note: {target} is left as it was: nothing was scored\n")
    # written in place, /dev/stdout has no earlier results to keep: its "[]" is the run's output
    code, out, err = run(capsys, "score", "--format", "json", str(tmp_path / "empty"), "-o", "/dev/stdout")
    assert code == 0 and err.endswith("wrote /dev/stdout: 0 of 0 scored paragraphs flagged in 0 documents\n")
    code, out, err = run(capsys, "score", "--format", "json", str(tmp_path / "missing.txt"), "-o", "/dev/stdout")
    assert code == 2 and err.endswith("wrote /dev/stdout: 0 of 0 scored paragraphs flagged in 0 documents\n")
    new = tmp_path / "new.jsonl"  # no earlier results: the file is made, empty, so that it is there to read
    code, out, err = run(capsys, "score", "--format", "jsonl", str(tmp_path / "empty"), "-o", str(new))
    assert (code, out, new.read_text()) == (0, "", "") and err.endswith(
        f"wrote {new}: 0 of 0 scored paragraphs flagged in 0 documents\n"
    )
