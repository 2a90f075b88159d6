"""The Dask recipe: rows like ``spincheck score --format jsonl``, and a real two-process LocalCluster.

``score_partition`` needs no Dask, so its test runs without the extra.
"""

from __future__ import annotations

import builtins
import dataclasses
import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest
from helpers import paragraphs_of

from spincheck import Detector
from spincheck.integrations.dask import document_rows, score_bag, score_jsonl_shards, score_partition

NO_DASK = "Dask is not installed (pip install 'spincheck[dask]')"

ROW_KEYS = {"source", "paragraph", "start", "end", "words", "probability", "spun", "by_context", "evidence", "model_id"}
OPTIONAL_KEYS = {"id", "record", "reason"}
EVIDENCE_KEYS = {"phrase", "start", "end", "suggestion", "strength"}


def same_row(a: dict, b: dict) -> bool:
    """Equal up to floating-point noise: batches of another size differ by ~1e-9 before rounding."""
    exact = ("source", "id", "record", "paragraph", "start", "end", "words", "spun", "by_context", "reason", "model_id")
    if any(a.get(k) != b.get(k) for k in exact) or (a["probability"] is None) != (b["probability"] is None):
        return False
    if a["probability"] is not None and a["probability"] != pytest.approx(b["probability"], abs=2e-4):
        return False
    key = [(e["phrase"], e["start"], e["end"], e["suggestion"]) for e in a["evidence"]]
    return key == [(e["phrase"], e["start"], e["end"], e["suggestion"]) for e in b["evidence"]]


def check_schema(row: dict) -> None:
    assert ROW_KEYS <= set(row) <= ROW_KEYS | OPTIONAL_KEYS, row
    assert all(set(e) == EVIDENCE_KEYS for e in row["evidence"])
    assert (row["probability"] is None) == (row["spun"] is None) == ("reason" in row)


@pytest.fixture(scope="module")
def records(article: str, spun_article: str) -> list[dict]:
    paras, spun = paragraphs_of(article), paragraphs_of(spun_article)
    return [
        {"id": 1, "text": article},
        {"id": 2, "text": spun_article},
        {"id": "mixed", "text": "\n\n".join(paras[:3] + spun[3:])},
        {"id": 4, "text": "Only a headline."},
        {"id": 5, "text": ""},
    ]


def direct_rows(detector: Detector, record: dict, source: str, line: int | None = None) -> list[dict]:
    text = detector.score_text(record["text"])
    return document_rows(text, source, record.get("id"), record=line, model_id=detector.model_id)


def write_shard(path: Path, lines: list[str]) -> None:
    data = "".join(line + "\n" for line in lines)
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(data)
    else:
        path.write_text(data, encoding="utf-8")


def test_score_partition_matches_direct_scoring(detector: Detector, records: list[dict]) -> None:
    rows = score_partition(records, batch_size=4)
    expected = [row for r in records for row in direct_rows(detector, r, str(r["id"]))]
    assert len(rows) == len(expected) and all(same_row(a, b) for a, b in zip(rows, expected))
    for row in rows:
        check_schema(row)
    assert {r["id"] for r in rows if r["spun"]} == {2, "mixed"}  # the clean article is never flagged
    assert {1, "mixed"} <= {r["id"] for r in rows if r["spun"] is False}
    # no paragraphs: one row all the same, so that every record can be joined back
    assert [(r["paragraph"], r["spun"], r["reason"]) for r in rows if r["id"] == 5] == [(None, None, "empty")]

    bad = score_partition([{"source": "a"}, {"text": 3}, 42])
    assert [(r["source"], r["paragraph"], r["spun"]) for r in bad] == [("a", None, None)] + [(None, None, None)] * 2
    assert [r["reason"] for r in bad] == [
        "no string field 'text'",
        "field 'text' holds a number, not a string or a list of strings",  # named, as score names it
        "not a JSON object",
    ]


def test_shards_match_the_command_line(detector: Detector, records: list[dict], tmp_path: Path, capsys) -> None:
    pytest.importorskip("dask.bag", reason=NO_DASK)
    cli = pytest.importorskip("spincheck.cli", reason="the command line is not available")
    shard = tmp_path / "pages.jsonl"
    write_shard(shard, [json.dumps(r) for r in records] + [json.dumps({"text": records[1]["text"]})])
    capsys.readouterr()
    cli.main(["score", "-q", "--format", "jsonl", str(shard)])
    expected = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    [written] = score_jsonl_shards(shard, tmp_path / "out", client="sync")
    rows = [json.loads(line) for line in Path(written).read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(expected) and all(same_row(a, b) for a, b in zip(rows, expected))


@pytest.mark.parametrize(
    "variant", ["utf-8-sig", "utf-16", "stray CR", "lone surrogate", "U+2028 in UTF-16", "invalid UTF-8"]
)
def test_shards_are_read_as_the_command_line_reads_them(
    records: list[dict], tmp_path: Path, capsys, variant: str
) -> None:
    """A byte-order mark made record 1 invalid JSON, UTF-16 made every line so, a line ending in
    \\r\\r\\n shifted every later line number, and an escaped lone surrogate ("\\ud800") failed
    the whole shard half-written. In UTF-16, a raw U+2028 inside a string split its record;
    invalid UTF-8 gives a warning for the shard, not a row."""
    pytest.importorskip("dask.bag", reason=NO_DASK)
    cli = pytest.importorskip("spincheck.cli", reason="the command line is not available")
    texts = [r["text"] for r in records[:3]]
    lines = [json.dumps({"id": i, "text": text}) for i, text in enumerate(texts, 1)]
    ids = ["1", "2", "3"]
    if variant == "stray CR":  # no ids: rows are named by line number
        lines = [json.dumps({"text": text}) for text in texts]
        lines[0] += "\r\r"
    if variant == "lone surrogate":
        lines[1] = json.dumps({"id": "odd\ud800", "text": texts[1].replace("after that", "after\ud800that")})
        ids[1] = "odd\ufffd"
    if variant == "U+2028 in UTF-16":
        lines[1] = json.dumps({"id": 2, "text": texts[1].replace(". ", ".\u2028", 1)}, ensure_ascii=False)
    data = "".join(line + "\n" for line in lines)
    encoding = {"utf-8-sig": "utf-8-sig", "utf-16": "utf-16", "U+2028 in UTF-16": "utf-16"}.get(variant, "utf-8")
    shard = tmp_path / "in" / "pages.jsonl"
    shard.parent.mkdir()
    shard.write_bytes(data.encode(encoding).replace(b" the ", b" th\x92e ", 1 if variant == "invalid UTF-8" else 0))
    capsys.readouterr()
    cli.main(["score", "-q", "--format", "jsonl", str(shard)])
    expected = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    [written] = score_jsonl_shards(shard.parent, tmp_path / "out", client="sync")
    rows = [json.loads(line) for line in Path(written).read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(expected) and all(same_row(a, b) for a, b in zip(rows, expected))
    assert sorted({row["source"].rsplit(":", 1)[1] for row in rows}) == sorted(ids)  # every record read


def test_shards_are_never_written_over_their_inputs(records: list[dict], tmp_path: Path) -> None:
    pytest.importorskip("dask.bag", reason=NO_DASK)
    shards = tmp_path / "shards"
    shards.mkdir()
    write_shard(shards / "a.jsonl", [json.dumps(records[0])])
    write_shard(shards / "b.jsonl.gz", [json.dumps(records[1])])
    (shards / "c.jsonl.bak").write_text("{not a shard", encoding="utf-8")  # nor half-written ".part" files
    before = {p.name: p.read_bytes() for p in shards.iterdir()}
    with pytest.raises(ValueError, match=r"a\.jsonl would be written among the input shards"):
        score_jsonl_shards(shards, shards, client="sync")
    # the same folder named as a URL or relative to here: "file://..." overwrote the inputs
    for output in (f"file://{shards}", os.path.relpath(shards), f"{shards}/../{shards.name}"):
        with pytest.raises(ValueError, match=r"a\.jsonl would be written among the input shards"):
            score_jsonl_shards(f"file://{shards}/*.jsonl*", output, client="sync")
    assert {p.name: p.read_bytes() for p in shards.iterdir()} == before
    (shards / "a.jsonl").unlink()  # only b.jsonl.gz: its scores, "b.jsonl", would be read as input next time
    with pytest.raises(ValueError, match=r"b\.jsonl would be written among the input shards"):
        score_jsonl_shards(shards, shards, client="sync")
    (shards / "._c.jsonl").write_bytes(b"\x00\x05\x16\x07" * 20)  # nor its hidden files (macOS's AppleDouble)
    write_shard(shards / "a.jsonl", [json.dumps(records[0])])
    written = score_jsonl_shards(shards, tmp_path / "out", client="sync")  # the folder: its JSONL shards only
    assert sorted(Path(p).name for p in written) == ["a.jsonl", "b.jsonl"]


def test_shards_without_dask_say_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The module imports without Dask (score_partition needs none); score_jsonl_shards then raised
    "No module named 'dask'", naming neither the function nor what to install."""
    real_import = builtins.__import__

    def without_dask(name: str, *args: Any, **kwargs: Any) -> Any:  # as if it were not installed
        if name.split(".")[0] == "dask":
            raise ModuleNotFoundError("No module named 'dask'", name="dask")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_dask)
    with pytest.raises(ModuleNotFoundError, match=r"score_jsonl_shards needs Dask, .*pip install 'dask\[bag\]'"):
        score_jsonl_shards(str(tmp_path / "*.jsonl"), tmp_path / "out")


def test_score_partition_record_fields() -> None:
    # a plain string is the text itself, not a record that is "not a JSON object"
    [row] = score_partition(["Hi there."])
    assert (row["source"], row["paragraph"], row["reason"]) == (None, 0, "too short")
    # a record's own source is kept beside its id, and a record that cannot be scored keeps its id
    [row] = score_partition([{"source": "https://example.invalid/a", "id": 7, "text": "Hi there."}])
    assert (row["source"], row["id"], row["reason"]) == ("https://example.invalid/a", 7, "too short")
    [row] = score_partition([{"id": 7, "text": 3}])
    assert (row["source"], row["id"], row["paragraph"]) == ("7", 7, None)
    assert row["reason"] == "field 'text' holds a number, not a string or a list of strings"
    # records built in Python hold what JSON cannot: each named, not called "a string"
    reasons = [row["reason"] for row in score_partition([{"text": b"Hi"}, {"text": ("Hi",)}, {"text": ["Hi", b"Hi"]}])]
    assert reasons == [
        "field 'text' holds bytes, not a string or a list of strings",
        "field 'text' holds a tuple, not a string or a list of strings",
        "field 'text' holds a list with bytes in it, not only strings",
    ]
    # ids from a pandas column are numpy scalars, which json.dumps refused: written as numbers
    import numpy as np

    rows = score_partition([{"id": np.int64(7), "text": "Hi there."}, {"id": np.int64(8), "text": 3}])
    assert [(row["source"], row["id"]) for row in json.loads(json.dumps(rows))] == [("7", 7), ("8", 8)]


def test_a_batch_size_that_is_not_a_count_is_refused_before_any_task(tmp_path: Path) -> None:
    """Checked as score_many checks it: "512" from a setting failed inside every task with
    "'>=' not supported between instances of 'int' and 'str'", after the graph was built."""
    import numpy as np

    db = pytest.importorskip("dask.bag", reason=NO_DASK)
    (tmp_path / "in").mkdir()
    write_shard(tmp_path / "in" / "a.jsonl", [json.dumps({"text": "Hi there."})])
    for batch_size in ("512", None, 0, 2.5, True):
        with pytest.raises(ValueError, match="batch_size of at least 1"):
            score_partition(["Hi there."], batch_size=batch_size)
        with pytest.raises(ValueError, match="batch_size of at least 1"):
            score_bag(db.from_sequence(["Hi there."]), batch_size=batch_size)
        with pytest.raises(ValueError, match="batch_size of at least 1"):
            score_jsonl_shards(tmp_path / "in", tmp_path / "out", client="sync", batch_size=batch_size)
    assert [row["reason"] for row in score_partition(["Hi there."], batch_size=np.int64(1))] == ["too short"]


def test_score_partition_refuses_what_is_not_records(article: str) -> None:
    """One text was scored a character at a time, and a dict of columns (a Ray batch) or a pandas
    DataFrame (ddf.map_partitions) by their column names: rows of "too short", silently."""
    for one in (article, article.encode()):
        with pytest.raises(TypeError, match=r"not one text .*pass \[text\]"):
            score_partition(one)
    with pytest.raises(TypeError, match="not a dict, whose items are its column names"):
        score_partition({"id": [1], "text": [article]})
    assert score_partition(({"text": article},))[0]["paragraph"] == 0  # any iterable of records still does


def test_score_partition_refuses_a_pandas_dataframe(article: str) -> None:
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    frame = pd.DataFrame([{"id": 1, "text": article}])
    with pytest.raises(TypeError, match=r"not a DataFrame, .*df.to_dict\('records'\)"):
        score_partition(frame)
    assert score_partition(frame.to_dict("records")) == score_partition([{"id": 1, "text": article}])
    assert len(score_partition(frame["text"])) == len(score_partition([article]))  # a Series of texts


def test_score_partition_refuses_any_text_mapping_or_frame_without_pandas(article: str) -> None:
    """Refused by what they are, not by their type names: a bytearray is one text, any Mapping a
    dict of columns, and anything with ``columns`` a frame (Dask's, Polars', a Ray dataset's)."""
    import types
    from collections import UserDict

    with pytest.raises(TypeError, match=r"not one text \(bytearray\); pass \[text\]"):
        score_partition(bytearray(article.encode()))
    for columns in (UserDict({"text": [article]}), types.MappingProxyType({"text": [article]})):
        with pytest.raises(TypeError, match="whose items are its column names"):
            score_partition(columns)

    class Frame:  # iterates as its column names, as a DataFrame does
        columns = ["id", "text"]

        def __iter__(self):
            return iter(self.columns)

    with pytest.raises(TypeError, match=r"not a Frame, whose items are its column names"):
        score_partition(Frame())


def test_text_field_is_honoured(detector: Detector, article: str) -> None:
    expected = direct_rows(detector, {"id": 1, "text": article}, "1")
    rows = score_partition([{"id": 1, "body": article}], text_field="body")
    assert len(rows) == len(expected) and all(same_row(a, b) for a, b in zip(rows, expected))
    pytest.importorskip("dask.bag", reason=NO_DASK)
    import dask.bag as db

    # score_bag passes it on: without it every record would be "no string field 'text'"
    rows = score_bag(db.from_sequence([{"id": 1, "body": article}]), text_field="body").compute(scheduler="sync")
    assert len(rows) == len(expected) and all(same_row(a, b) for a, b in zip(rows, expected))


def test_rows_make_a_dataframe_with_row_meta(records: list[dict]) -> None:
    """Guessed from the first partition, a frame of rows lost "id" and "reason" (the first rows
    had none) and failed on the null paragraph number of a record that could not be read."""
    pytest.importorskip("dask.dataframe", reason="Dask's dataframe extra is not installed")
    import dask.bag as db

    from spincheck.integrations.dask import ROW_META

    bag = db.from_sequence([{"text": records[1]["text"]}, *records, {"id": 6}], npartitions=3)
    frame = score_bag(bag).to_dataframe(meta=ROW_META).compute(scheduler="sync")
    rows = score_bag(bag).compute(scheduler="sync")
    assert list(frame.columns) == list(ROW_META) and len(frame) == len(rows)
    assert frame["spun"].sum() == sum(1 for r in rows if r["spun"])
    for column in ("id", "reason", "paragraph", "probability"):  # a key left out or null: a missing value
        assert frame[column].isna().tolist() == [r.get(column) is None for r in rows], column
    assert frame["reason"].dropna().tolist() == [r["reason"] for r in rows if "reason" in r]
    last = frame.iloc[-1]
    assert (last["id"], last["reason"], last["words"]) == (6, "no string field 'text'", 0)


def test_to_dataframe_keeps_ids_as_the_rows_hold_them(records: list[dict]) -> None:
    """bag.to_dataframe(meta=ROW_META) has pandas build each partition from the rows: a column of
    integer ids with a gap (a record without an id) became floats, 7 as 7.0 and 1234567890123456789 as
    1234567890123456768; to_dataframe builds each column with its dtype from ROW_META."""
    pytest.importorskip("dask.dataframe", reason="Dask's dataframe extra is not installed")
    import dask.bag as db
    import pandas as pd

    from spincheck.integrations.dask import ROW_META, rows_frame, to_dataframe

    big = 1234567890123456789
    bag = db.from_sequence([{"id": big, "text": records[1]["text"]}, "Hi there.", {"id": 7}, *records], npartitions=3)
    rows = score_bag(bag).compute(scheduler="sync")
    frame = to_dataframe(score_bag(bag))
    assert frame.dtypes.to_dict() == pd.DataFrame({c: pd.Series(dtype=d) for c, d in ROW_META.items()}).dtypes.to_dict()
    computed = frame.compute(scheduler="sync")
    assert computed.dtypes.to_dict() == frame.dtypes.to_dict() and len(computed) == len(rows)
    assert [v if pd.notna(v) else None for v in computed["id"]] == [row.get("id") for row in rows]
    assert computed["id"].iloc[0] == big and type(computed["id"].iloc[0]) is int
    for column in ROW_META:
        assert computed[column].isna().tolist() == [row.get(column) is None for row in rows], column
    assert computed["evidence"].tolist() == [row["evidence"] for row in rows]
    assert rows_frame([]).dtypes.to_dict() == frame.dtypes.to_dict()


def check_dtypes(rows: list[dict]) -> None:
    """Every column of ``rows`` is in ROW_META, with a dtype that holds its values and its nulls."""
    from spincheck.integrations.dask import ROW_META

    assert all(set(row) <= set(ROW_META) for row in rows)
    nullable = (object, "Int64", "boolean", "float64")  # numpy's int64 and bool have no missing value
    kinds = {"Int64": int, "int64": int, "float64": float, "boolean": bool, "bool": bool}
    for column, dtype in ROW_META.items():
        values = [row.get(column) for row in rows]
        if None in values:
            assert dtype in nullable, column
        wanted = kinds.get(dtype)
        if wanted is not None:
            assert all(type(v) is wanted for v in values if v is not None), column


def test_row_meta_names_every_column_with_a_dtype_that_holds_its_values(article: str) -> None:
    """Without pandas: ROW_META lists a row's columns in their order, exported, and every column
    that a row leaves out or holds null in has a dtype that can hold a missing value. "record"
    and "model_id" came later: last, as in the command line's csv, so that a frame's other
    columns keep their places."""
    from spincheck.integrations import dask as integration
    from spincheck.integrations.dask import ROW_META

    assert "ROW_META" in integration.__all__
    rows = score_partition([{"id": 1, "text": article}, {"id": 2}, "Hi there.", {"text": ""}, 3])
    full = next(row for row in rows if "id" in row and "reason" in row)
    added = ["record", "model_id"]
    assert list(ROW_META)[-2:] == added
    assert [c for c in ROW_META if c not in added] == [k for k in full if k not in added]
    check_dtypes(rows)
    assert any(row["spun"] is not None for row in rows) and any(row["paragraph"] is None for row in rows)
    assert {row["model_id"] for row in rows} == {Detector.load().model_id} and not any("record" in r for r in rows)


def test_shard_rows_carry_the_record_line_and_model_id_as_the_command_line_writes_them(
    detector: Detector, article: str, tmp_path: Path, capsys
) -> None:
    """A pipeline storing rows needs which model scored them and which line each came from,
    however spincheck ran: the shards' rows had neither, the command line's jsonl both. Keys and
    their order are the command line's; a line that is not a record (a row here only) has its
    line as ``record`` too."""
    pytest.importorskip("dask.bag", reason=NO_DASK)
    cli = pytest.importorskip("spincheck.cli", reason="the command line is not available")
    shard = tmp_path / "pages.jsonl"
    # ids that are line numbers of other records: "record" tells them apart
    lines = [json.dumps({"id": 3, "text": article}), "", "{not json", json.dumps({"text": "Hi there."}), "{}"]
    write_shard(shard, lines)
    cli.main(["score", "-q", "--format", "jsonl", str(shard)])
    expected = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    [written] = score_jsonl_shards(shard, tmp_path / "out", client="sync")
    rows = [json.loads(line) for line in Path(written).read_text(encoding="utf-8").splitlines()]
    check_dtypes(rows)
    scored = [row for row in rows if row["paragraph"] is not None or row.get("reason") == "empty"]
    assert [list(row) for row in scored] == [list(row) for row in expected]  # the same keys, in order
    assert all(same_row(a, b) for a, b in zip(scored, expected)) and len(scored) == len(expected)
    assert sorted({row["record"] for row in rows}) == [1, 3, 4, 5]  # line 3 holds no record: its problem row
    assert {row["model_id"] for row in rows} == {detector.model_id}
    assert [row["source"] for row in rows if row["record"] == 3] == [f"{shard}:3"]


def test_threshold_is_honoured(detector: Detector, article: str, tmp_path: Path) -> None:
    lenient = dataclasses.replace(detector, threshold=0.5)
    flagged = [p.index for p in lenient.score_text(article).flagged]
    assert flagged and not detector.score_text(article).flagged  # spun at 0.5 only
    # the model's own threshold first, so that a cache keyed without the threshold would hand it out again
    assert not any(r["spun"] for r in score_partition([{"text": article}]))
    assert [r["paragraph"] for r in score_partition([{"text": article}], threshold=0.5) if r["spun"]] == flagged
    pytest.importorskip("dask.bag", reason=NO_DASK)
    shard = tmp_path / "in" / "a.jsonl"
    shard.parent.mkdir()
    write_shard(shard, [json.dumps({"id": 1, "text": article})])
    [written] = score_jsonl_shards(shard, tmp_path / "out", client="sync", threshold=0.5)
    rows = [json.loads(line) for line in Path(written).read_text(encoding="utf-8").splitlines()]
    assert [r["paragraph"] for r in rows if r["spun"]] == flagged


def test_one_model_per_directory_whatever_the_threshold(
    article: str, shipped_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second threshold loaded the model a second time in every worker (its lexicon and lookup
    indexes are private memory), and so did the shipped model named by its path."""
    from spincheck.integrations import dask as integration

    monkeypatch.setattr(integration, "_DETECTORS", {})
    score_partition([{"text": article}])
    score_partition([{"text": article}], threshold=0.5)
    score_partition([{"text": article}], model=shipped_model_dir, threshold=0.7)
    assert len(integration._DETECTORS) == 1
    own, lenient = integration.get_detector(), integration.get_detector(threshold=0.5)
    assert lenient.model is own.model and lenient.threshold == 0.5
    assert own.threshold == Detector.load().threshold
    with pytest.raises(ValueError, match="threshold must be a probability"):
        integration.get_detector(threshold=1.5)


def _retrain_into(where: Path, model_dir: Path, threshold: float) -> int:
    """Replace ``where`` as ``spincheck train`` does (a new directory renamed into place) with
    ``model_dir`` at another threshold; the size of the new card."""
    import shutil

    card = json.loads((model_dir / "card.json").read_text(encoding="utf-8"))
    new = where.with_name(where.name + ".partial")
    new.mkdir()
    for path in model_dir.iterdir():
        if path.is_file() and path.name != "card.json":
            (new / path.name).symlink_to(path)
    (new / "card.json").write_text(json.dumps({**card, "threshold": threshold}), encoding="utf-8")
    if where.exists():
        shutil.rmtree(where)
    new.rename(where)
    return (where / "card.json").stat().st_size


def test_a_replaced_model_directory_is_loaded_again(
    article: str, shipped_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-lived worker kept the model it had loaded after a retraining replaced the directory,
    scoring with it under the old threshold, and went on after the directory was deleted."""
    import shutil

    from spincheck import ModelError
    from spincheck.integrations import dask as integration

    monkeypatch.setattr(integration, "_DETECTORS", {})
    where = tmp_path / "my-model"

    def train_into(threshold: float) -> None:
        _retrain_into(where, shipped_model_dir, threshold)

    train_into(0.99)
    assert integration.get_detector(where).threshold == 0.99
    assert integration.get_detector(where) is integration.get_detector(where)  # not loaded again
    assert not any(row["spun"] for row in score_partition([{"text": article}], model=where))
    train_into(0.5)
    assert integration.get_detector(where).threshold == 0.5
    assert any(row["spun"] for row in score_partition([{"text": article}], model=where))
    assert integration.get_detector(where, threshold=0.9).threshold == 0.9
    assert len(integration._DETECTORS) == 1
    import gc
    import weakref

    old = weakref.ref(integration.get_detector(where).model)
    shutil.rmtree(where)
    with pytest.raises(ModelError):
        score_partition([{"text": article}], model=where)
    gc.collect()
    assert old() is None and not integration._DETECTORS  # the deleted files' memory maps let go


def test_a_first_call_at_another_threshold_does_not_set_the_models_own(
    article: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker whose first task passed threshold=0.5 must still score the next task, which
    passes none, at the model's own threshold."""
    from spincheck.integrations import dask as integration

    monkeypatch.setattr(integration, "_DETECTORS", {})
    assert any(r["spun"] for r in score_partition([{"text": article}], threshold=0.5))
    assert integration.get_detector().threshold == Detector.load().threshold
    assert not any(r["spun"] for r in score_partition([{"text": article}]))


def test_one_model_for_a_directory_however_it_is_named(
    article: str, shipped_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link to the model directory, or a path relative to the working directory, is the same
    directory: one model loaded, not one per spelling."""
    from spincheck.integrations import dask as integration

    monkeypatch.setattr(integration, "_DETECTORS", {})
    link = tmp_path / "model-link"
    link.symlink_to(shipped_model_dir, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    for model in (shipped_model_dir, link, "model-link"):
        integration.get_detector(model)
    assert len(integration._DETECTORS) == 1


def test_a_retrained_model_with_a_card_of_the_same_size_is_loaded_again(
    shipped_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A retraining usually writes a card of the same length (the same keys, a threshold of as
    many digits): the directory is still a new one, and its model is loaded."""
    from spincheck.integrations import dask as integration

    monkeypatch.setattr(integration, "_DETECTORS", {})
    where = tmp_path / "my-model"
    sizes = []

    def train_into(threshold: float) -> None:
        sizes.append(_retrain_into(where, shipped_model_dir, threshold))

    train_into(0.91)
    assert integration.get_detector(where).threshold == 0.91
    train_into(0.52)
    assert sizes[0] == sizes[1] and integration.get_detector(where).threshold == 0.52


def test_shards_of_one_name_are_numbered(tmp_path: Path) -> None:
    pytest.importorskip("dask.bag", reason=NO_DASK)
    for folder, record_id in (("x", 1), ("y", 2)):
        (tmp_path / folder).mkdir()
        write_shard(tmp_path / folder / "a.jsonl", [json.dumps({"id": record_id, "text": "Hi there."})])
    # both named "a.jsonl", one would be written over the other
    written = score_jsonl_shards(str(tmp_path / "*" / "a.jsonl"), tmp_path / "out", client="sync")
    assert [Path(p).name for p in written] == ["part-00000.jsonl", "part-00001.jsonl"]
    sources = [
        [json.loads(line)["source"] for line in Path(p).read_text(encoding="utf-8").splitlines()] for p in written
    ]
    assert sources == [[f"{tmp_path / 'x' / 'a.jsonl'}:1"], [f"{tmp_path / 'y' / 'a.jsonl'}:2"]]


def test_a_remote_shard_is_named_by_its_url(tmp_path: Path) -> None:
    """fsspec's paths drop the protocol: rows of s3://bucket/a.jsonl said "bucket/a.jsonl:17", which
    reads as a local file's, and the paths returned were the same (here, of fsspec's memory://)."""
    pytest.importorskip("dask.bag", reason=NO_DASK)
    import fsspec

    memory = fsspec.filesystem("memory")
    folder = f"/spincheck-test-{os.getpid()}-{tmp_path.name}"
    memory.pipe(f"{folder}/in/a.jsonl", (json.dumps({"id": 17, "text": "Hi there."}) + "\n").encode())
    try:
        written = score_jsonl_shards(f"memory://{folder}/in/*.jsonl", f"memory://{folder}/out", client="sync")
        assert written == [f"memory://{folder}/out/a.jsonl"]
        [row] = [json.loads(line) for line in memory.cat(f"{folder}/out/a.jsonl").decode().splitlines()]
        assert (row["source"], row["id"], row["record"]) == (f"memory://{folder}/in/a.jsonl:17", 17, 1)
    finally:
        memory.rm(folder, recursive=True)


def test_output_shards_are_utf8_lines(tmp_path: Path) -> None:
    pytest.importorskip("dask.bag", reason=NO_DASK)
    shards = tmp_path / "in"
    shards.mkdir()
    write_shard(shards / "a.jsonl", [json.dumps({"id": "caf\u00e9", "text": "Caf\u00e9 ouvert."})])
    [written] = score_jsonl_shards(shards, tmp_path / "out", client="sync")
    # every line ends with a newline (so that shards concatenate), and "\u00e9" is not escaped
    data = Path(written).read_bytes()
    assert data.endswith(b"}\n") and data.count(b"\n") == 1
    assert f'"source": "{shards / "a.jsonl"}:caf\u00e9", "id": "caf\u00e9"'.encode() in data


def test_a_shard_without_records_gives_an_empty_shard(tmp_path: Path) -> None:
    """An empty shard, or one of blank lines, was scored as a file holding one blank line, which
    a JSONL reader takes for a bad record and ``cat out/*.jsonl`` carries into the whole."""
    pytest.importorskip("dask.bag", reason=NO_DASK)
    shards = tmp_path / "in"
    shards.mkdir()
    (shards / "empty.jsonl").write_bytes(b"")
    (shards / "blank.jsonl").write_bytes(b"\n\n")
    write_shard(shards / "full.jsonl", [json.dumps({"id": 1, "text": "Hi there."})])
    written = score_jsonl_shards(shards, tmp_path / "out", client="sync")
    data = {Path(p).name: Path(p).read_bytes() for p in written}
    assert data["empty.jsonl"] == data["blank.jsonl"] == b""
    assert data["full.jsonl"].endswith(b"}\n") and data["full.jsonl"].count(b"\n") == 1


def test_shard_problems_are_rows_and_warnings(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    pytest.importorskip("dask.bag", reason=NO_DASK)
    from spincheck.integrations import dask as integration

    shards = tmp_path / "in"
    shards.mkdir()
    binary, broken = shards / "bin.jsonl", shards / "broken.jsonl"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    broken.write_bytes(b'{"id": 1, "text": "Caf\xe9 ouvert."}\n{not json\n')
    with caplog.at_level("WARNING", logger=integration.__name__):
        written = score_jsonl_shards(shards, tmp_path / "out", client="sync")
    rows = {
        Path(p).name: [json.loads(line) for line in Path(p).read_text(encoding="utf-8").splitlines()] for p in written
    }
    # the whole shard is one problem: its source is the path alone (no line 0), its reason without the path
    [row] = rows["bin.jsonl"]
    assert (row["source"], row["paragraph"], row["reason"]) == (str(binary), None, "looks binary")
    invalid = "invalid JSON (Expecting property name enclosed in double quotes at column 2)"
    assert [(r["source"], r["reason"]) for r in rows["broken.jsonl"]] == [
        (f"{broken}:1", "too short"),
        (f"{broken}:2", invalid),
    ]
    # and each is said in the log, as the command line says it on stderr
    messages = [r.getMessage() for r in caplog.records if r.name == integration.__name__]
    assert f"spincheck: {binary} looks binary" in messages
    assert any(m.startswith(f"spincheck: warning: {broken}") for m in messages), messages
    assert f"spincheck: {broken}:2: {invalid}" in messages


def test_shards_are_decompressed_as_the_command_line_does_it(
    records: list[dict], tmp_path: Path, capsys, caplog: pytest.LogCaptureFixture
) -> None:
    """A truncated gzip shard (a crawler stopped mid-write) failed the whole job with an EOFError
    that named no shard, and a ".gz" shard of plain JSONL failed it too: the command line scores
    what came before the damage, says so, and knows gzip by its first bytes."""
    pytest.importorskip("dask.bag", reason=NO_DASK)
    cli = pytest.importorskip("spincheck.cli", reason="the command line is not available")
    from spincheck.integrations import dask as integration

    shards = tmp_path / "in"
    shards.mkdir()
    cut, plain = shards / "cut.jsonl.gz", shards / "plain.jsonl.gz"
    # more than one read's worth of records (inputs.READ_BYTES), so that some come before the cut
    headlines = [json.dumps({"id": i, "text": "Only a headline."}) for i in range(10, 8000)]
    write_shard(cut, [json.dumps(r) for r in records[:3]] + headlines)
    cut.write_bytes(cut.read_bytes()[:-6])  # the end of its gzip trailer is missing
    plain.write_text(json.dumps(records[1]) + "\n", encoding="utf-8")
    expected = {}
    for shard in (cut, plain):
        capsys.readouterr()
        cli.main(["score", "-q", "--format", "jsonl", str(shard)])
        expected[shard.name.removesuffix(".gz")] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    with caplog.at_level("WARNING", logger=integration.__name__):
        written = score_jsonl_shards(shards, tmp_path / "out", client="sync")
    rows = {
        Path(p).name: [json.loads(line) for line in Path(p).read_text(encoding="utf-8").splitlines()] for p in written
    }
    assert len(rows["plain.jsonl"]) == len(expected["plain.jsonl"])
    assert all(same_row(a, b) for a, b in zip(rows["plain.jsonl"], expected["plain.jsonl"]))
    *scored, problem = rows["cut.jsonl"]
    assert len(scored) == len(expected["cut.jsonl"]) and {1, 2, "mixed"} <= {r.get("id") for r in scored}
    assert all(same_row(a, b) for a, b in zip(scored, expected["cut.jsonl"]))  # the records read before the cut
    assert (problem["source"], problem["paragraph"], problem["spun"]) == (str(cut), None, None)
    assert problem["reason"].startswith("its gzip data is truncated")
    messages = [r.getMessage() for r in caplog.records if r.name == integration.__name__]
    assert f"spincheck: cannot read {cut}: {problem['reason']}" in messages


def test_zstd_shards_are_decompressed_by_fsspec(records: list[dict], tmp_path: Path) -> None:
    """Compression the command line does not know by its first bytes (zstd) is left to fsspec,
    by the shard's suffix: its records are scored as those of the same shard uncompressed."""
    pytest.importorskip("dask.bag", reason=NO_DASK)
    import fsspec
    from fsspec.compression import compr

    if "zstd" not in compr:
        pytest.skip("fsspec has no zstd codec here")
    shards = tmp_path / "in"
    shards.mkdir()
    lines = [json.dumps(r) for r in records[:3]]
    write_shard(tmp_path / "plain.jsonl", lines)
    with fsspec.open(str(shards / "packed.jsonl.zst"), "wb", compression="zstd") as f:
        f.write("".join(line + "\n" for line in lines).encode("utf-8"))
    [plain] = score_jsonl_shards(tmp_path / "plain.jsonl", tmp_path / "out-plain", client="sync")
    [packed] = score_jsonl_shards(shards, tmp_path / "out", client="sync")
    assert Path(packed).name == "packed.jsonl"
    expected = [json.loads(line) for line in Path(plain).read_text(encoding="utf-8").splitlines()]
    rows = [json.loads(line) for line in Path(packed).read_text(encoding="utf-8").splitlines()]
    for row in expected:
        row["source"] = row["source"].removeprefix(str(tmp_path / "plain.jsonl"))
    for row in rows:
        row["source"] = row["source"].removeprefix(str(shards / "packed.jsonl.zst"))
    assert len(rows) == len(expected) > 3 and all(same_row(a, b) for a, b in zip(rows, expected))


def test_a_cut_zstd_shard_gives_its_records_and_a_row_that_says_so(tmp_path: Path) -> None:
    """A .jsonl.zst shard cut short (a crawler stopped mid-write), which fsspec decompresses,
    failed the whole job with a bare EOFError that named no shard, as a cut .gz shard once did."""
    pytest.importorskip("dask.bag", reason=NO_DASK)
    import random

    import fsspec
    from fsspec.compression import compr

    if "zstd" not in compr:
        pytest.skip("fsspec has no zstd codec here")
    shards = tmp_path / "in"
    shards.mkdir()
    rng = random.Random(0)  # records that do not compress to nothing, so that some come before the cut
    lines = [json.dumps({"id": i, "text": "".join(rng.choices("abcdefghij ", k=300))}) for i in range(2000)]
    cut = shards / "cut.jsonl.zst"
    with fsspec.open(str(cut), "wb", compression="zstd") as f:
        f.write("".join(line + "\n" for line in lines).encode("utf-8"))
    cut.write_bytes(cut.read_bytes()[:-100])
    [written] = score_jsonl_shards(shards, tmp_path / "out", client="sync")
    *scored, problem = [json.loads(line) for line in Path(written).read_text(encoding="utf-8").splitlines()]
    assert scored and [r["id"] for r in scored] == list(range(len(scored))) and len(scored) < len(lines)
    assert (problem["source"], problem["paragraph"]) == (str(cut), None)
    assert problem["reason"].startswith("its zstd data is truncated")


def test_a_folder_is_named_as_it_is_not_read_as_a_pattern(tmp_path: Path) -> None:
    """A folder whose name holds glob characters ("crawl[1]") was read as a pattern: "no input
    shards match", though the folder held shards."""
    pytest.importorskip("dask.bag", reason=NO_DASK)
    shards = tmp_path / "crawl[1]"
    shards.mkdir()
    write_shard(shards / "a.jsonl", [json.dumps({"id": 1, "text": "Hi there."})])
    (tmp_path / "crawl1").mkdir()  # what the pattern would match
    write_shard(tmp_path / "crawl1" / "b.jsonl", [json.dumps({"id": 2, "text": "Hi there."})])
    [written] = score_jsonl_shards(shards, tmp_path / "out", client="sync")
    assert [json.loads(line)["source"] for line in Path(written).read_text(encoding="utf-8").splitlines()] == [
        f"{shards / 'a.jsonl'}:1"
    ]


def test_no_shards_is_an_error(tmp_path: Path) -> None:
    pytest.importorskip("dask.bag", reason=NO_DASK)
    with pytest.raises(FileNotFoundError, match="no input shards match"):
        score_jsonl_shards(str(tmp_path / "nothing*.jsonl"), tmp_path / "out", client="sync")


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("dask.bag", reason=NO_DASK)
    distributed = pytest.importorskip("distributed", reason=NO_DASK)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.mark.slow
def test_local_cluster_scores_shards(client, detector: Detector, records: list[dict], tmp_path: Path) -> None:
    shards = tmp_path / "in"
    shards.mkdir()
    write_shard(shards / "a.jsonl", [json.dumps(r) for r in records[:2]])
    write_shard(  # compressed; a blank line, a broken line and a record without an id
        shards / "b.jsonl.gz", [json.dumps(records[2]), "", "{not json", json.dumps({"text": records[0]["text"]})]
    )
    write_shard(shards / "c.jsonl", [json.dumps(r) for r in records[3:]])

    written = score_jsonl_shards(str(shards / "*.jsonl*"), tmp_path / "out", client=client)
    assert sorted(Path(p).name for p in written) == ["a.jsonl", "b.jsonl", "c.jsonl"]
    out = {
        name: [json.loads(line) for line in (tmp_path / "out" / name).read_text(encoding="utf-8").splitlines()]
        for name in ("a.jsonl", "b.jsonl", "c.jsonl")
    }
    for row in (row for rows in out.values() for row in rows):
        check_schema(row)

    a, b, c = (str(shards / name) for name in ("a.jsonl", "b.jsonl.gz", "c.jsonl"))
    problem = {
        "source": f"{b}:3", "paragraph": None, "start": None, "end": None, "words": 0,
        "probability": None, "spun": None, "by_context": False, "record": 3, "model_id": detector.model_id,
        "reason": "invalid JSON (Expecting property name enclosed in double quotes at column 2)", "evidence": [],
    }  # fmt: skip
    # record: the line, whatever the id ("c.jsonl:4" is on line 1); each row names the model
    expected = {
        "a.jsonl": direct_rows(detector, records[0], f"{a}:1", 1) + direct_rows(detector, records[1], f"{a}:2", 2),
        "b.jsonl": direct_rows(detector, records[2], f"{b}:mixed", 1) + [problem]
        + direct_rows(detector, {"text": records[0]["text"]}, f"{b}:4", 4),
        "c.jsonl": direct_rows(detector, records[3], f"{c}:4", 1) + direct_rows(detector, records[4], f"{c}:5", 2),
    }  # fmt: skip
    for name, rows in expected.items():
        assert len(out[name]) == len(rows) and all(same_row(x, y) for x, y in zip(out[name], rows)), name
    assert any(r["spun"] for r in out["a.jsonl"]) and any(r["spun"] is False for r in out["a.jsonl"])
    # the folder itself stands for its JSONL shards
    again = score_jsonl_shards(shards, tmp_path / "again", client="sync")
    assert sorted(Path(p).name for p in again) == ["a.jsonl", "b.jsonl", "c.jsonl"]
    assert (tmp_path / "again" / "c.jsonl").read_text(encoding="utf-8") == (tmp_path / "out" / "c.jsonl").read_text(
        encoding="utf-8"
    )

    # the same cluster through score_bag
    import dask.bag as db

    bag_rows = score_bag(db.from_sequence(records, npartitions=2)).compute(scheduler=client)
    expected_rows = [row for r in records for row in direct_rows(detector, r, str(r["id"]))]
    assert len(bag_rows) == len(expected_rows) and all(same_row(x, y) for x, y in zip(bag_rows, expected_rows))

    def models_loaded() -> int:
        from spincheck.integrations import dask as integration

        return len(integration._DETECTORS)

    assert max(client.run(models_loaded).values()) == 1  # once per worker process, not per task
