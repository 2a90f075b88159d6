"""Scoring many documents with Dask: a recipe for one machine or a cluster.

Three layers; use the one that fits:

:func:`score_partition`
    a plain function for ``bag.map_partitions``: records (dicts with a text
    field) in, one row per paragraph out. It needs no Dask, so it also fits
    ``multiprocessing``, Ray or Spark's ``mapPartitions``.
:func:`score_bag`
    a ``dask.bag`` of records in, a bag of rows out (:func:`to_dataframe` makes it a Dask
    DataFrame, with ``dask[dataframe]`` installed: the ``dask`` extra has no pandas).
:func:`score_jsonl_shards`
    a glob of JSONL shards (local, or any fsspec URL such as ``s3://``) in,
    one JSONL output shard per input shard out.

A row is what ``spincheck score --format jsonl`` writes for a paragraph (it is built by
:func:`spincheck.report.paragraph_record`)::

    {"source": "/data/shards/a.jsonl:17", "id": 17, "record": 3, "paragraph": 0, "start": 0,
     "end": 312, "words": 54, "probability": 0.9731, "spun": true, "by_context": false,
     "evidence": [{"phrase": "highest", "start": 4, "end": 11, "suggestion": "top", "strength": 0.93}],
     "model_id": "ff89ee5d8db79ff1"}

``id`` appears when the record has one, ``record`` (its line, from 1) when it was read from a
shard: records handed over in a partition have no line. Every row ends with the ``model_id``
of the model that scored it, rows of records that could not be read too, so that rows kept in a
database say which model wrote them. ``probability`` is null and
``reason`` says why when a paragraph was not scored (too short, not English).
Offsets, the evidence's included, point into the record's text. Two
differences from the command line: a record that cannot be read (invalid
JSON, no string text field) becomes a row with ``paragraph: null`` and the
problem in ``reason``, rather than a message on stderr, so that a bad line
is neither lost nor fatal in a batch job; and a text is judged whole, where
the command line reads one over ``inputs.CHUNK_CHARS`` characters in chunks.

One model per process: the detector is loaded on first use in each worker
process and cached at module level (keyed by model directory: a threshold of
its own shares the loaded model), so tasks never ship the model and a worker
never loads it twice (unless its directory is replaced, by a retraining: the
new model is then loaded). The model's n-gram tables are memory-mapped read-only,
so all worker processes on one machine share a single copy through the OS
page cache. Run one
single-threaded worker process per core (``threads_per_worker=1``): scoring
is numpy work that holds the GIL much of the time. A model directory passed as
``model=`` must exist at the same path on every worker; ``model=None`` uses
the model installed with the package.

Example::

    from distributed import Client, LocalCluster
    from spincheck.integrations.dask import score_jsonl_shards

    if __name__ == "__main__":  # worker processes import the script too
        with LocalCluster(n_workers=4, threads_per_worker=1) as cluster, Client(cluster) as client:
            score_jsonl_shards("pages/*.jsonl", "scores/", client=client)
"""

from __future__ import annotations

import dataclasses
import glob
import io
import logging
import numbers
import os
import posixpath
import re
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Iterable, Iterator

from .._lazy import at_fork_in_child
from ..detector import Detector, Document, Result
from ..inputs import Problem, _DamagedData, iter_jsonl, os_problem, record_source, record_text, text_field_problem
from ..inputs import _damaged
from ..model import default_model_dir
from ..report import Row, document_records, json_line, json_value, paragraph_record

if TYPE_CHECKING:  # pragma: no cover
    import dask.bag
    import dask.dataframe
    import pandas

__all__ = [
    "ROW_META",
    "get_detector",
    "document_rows",
    "score_partition",
    "score_bag",
    "rows_frame",
    "to_dataframe",
    "score_jsonl_shards",
]

logger = logging.getLogger(__name__)

# Paragraphs per call to the detector: enough for numpy to pay off (one call
# per short document is about half as fast), few enough that memory stays small.
BATCH_SIZE = 512

#: A row's columns and their dtypes, those of ``to_dataframe(score_bag(bag))``. Rows
#: leave ``id``, ``record`` and ``reason`` out when they have none and hold nulls (unscored
#: paragraphs, records that could not be read): guessed from the first partition, the frame lost
#: those columns, or failed on a null paragraph number. ``record`` and ``model_id`` came later and
#: are last, as in the command line's csv, where a reader that takes columns by place finds the
#: others as before (in a row, ``record`` follows ``id``, as the command line writes it).
ROW_META: dict[str, Any] = {
    "source": object,
    "id": object,
    "paragraph": "Int64",
    "start": "Int64",
    "end": "Int64",
    "words": "int64",
    "probability": "float64",
    "spun": "boolean",
    "by_context": "bool",
    "reason": object,
    "evidence": object,
    "record": "Int64",
    "model_id": object,
}

# One detector per model directory, at the model's own threshold (other thresholds share its
# model), with the card it was loaded from (see _card_stamp).
_DETECTORS: dict[str, tuple[tuple[int, ...] | None, Detector]] = {}
_LOCK = threading.Lock()


def _unlock() -> None:
    """A forked child's lock (score_partition in a fork-started pool): one held by another thread
    at the fork, loading the model, stayed held in the child, whose first call then waited forever."""
    global _LOCK
    _LOCK = threading.Lock()


at_fork_in_child(_unlock)


def _card_stamp(directory: Path) -> tuple[int, ...] | None:
    """Which ``card.json`` a model directory holds now (None: none). A retraining replaces the
    directory, its card with it; a worker of a long-lived cluster kept scoring with the model
    it had loaded, under the old threshold, and one whose directory was deleted went on too."""
    try:
        st = os.stat(directory / "card.json")
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def get_detector(model: str | Path | None = None, threshold: float | None = None) -> Detector:
    """The detector for ``model`` in this process, at ``threshold`` (None: the model's own).

    The model is loaded on first use, then cached: once per process and model directory,
    whatever the threshold (a detector at another threshold shares the loaded model). It is
    loaded again when the directory has been replaced since (``spincheck train`` into it), and
    raises :class:`~spincheck.ModelError` once the directory is gone."""
    directory = (Path(model).expanduser() if model is not None else default_model_dir()).resolve()
    key, stamp = str(directory), _card_stamp(directory)
    cached = _DETECTORS.get(key)
    if cached is None or cached[0] != stamp:
        with _LOCK:  # one load even when a worker runs several threads
            cached = _DETECTORS.get(key)
            if cached is None or cached[0] != stamp:
                # let the old model go first (and this frame's reference, which a kept traceback
                # holds): kept when the load fails (the directory deleted), it held 95 MB and the
                # deleted files' disk space for the life of the worker
                _DETECTORS.pop(key, None)
                cached = None
                cached = _DETECTORS[key] = (stamp, Detector.load(model))
    det = cached[1]
    return det if threshold is None else dataclasses.replace(det, threshold=threshold)


def document_rows(
    doc: Document,
    source: Any = None,
    record_id: Any = None,
    *,
    record: int | None = None,
    model_id: str | None = None,
) -> list[dict[str, Any]]:
    """The rows of one scored document, one per paragraph; one row with reason "empty" when it has none.
    ``record`` and ``model_id`` (``det.model_id``) are written when given, as the rows of
    :func:`score_partition` and :func:`score_jsonl_shards` carry them."""
    return document_records(doc, source, record_id, record=record, model_id=model_id)


def _problem_row(source: Any, record_id: Any, record: int | None, problem: str, model_id: str) -> dict[str, Any]:
    """The row for a record that could not be scored: no paragraph, the problem as ``reason``."""
    row = Row(json_value(source), json_value(record_id), None, None, None, Result(0.0, None, problem), record)
    return paragraph_record(row) | {"model_id": model_id}


# A document to score: (source, record id, record's line or None, text, None), or (source, record
# id, line, None, problem).
_Doc = tuple[Any, Any, int | None, str | None, str | None]


def _text_of(record: Any, text_field: str) -> tuple[str | None, str | None]:
    """``(text, None)``, or ``(None, problem)`` for a record without a string text field."""
    if not isinstance(record, dict):
        return None, "not a JSON object"
    text = record_text(record, text_field)
    return (text, None) if text is not None else (None, text_field_problem(record, text_field)[0])


def _record_docs(records: Iterable[Any], text_field: str, source_field: str, id_field: str) -> Iterator[_Doc]:
    for record in records:
        if isinstance(record, str):
            yield None, None, None, record, None
            continue
        record_id = record.get(id_field) if isinstance(record, dict) else None
        source = record.get(source_field) if isinstance(record, dict) else None
        if source is None and record_id is not None:
            source = str(record_id)
        yield (source, record_id, None, *_text_of(record, text_field))


def _shard_docs(name: str, f: BinaryIO, text_field: str, id_field: str) -> Iterator[_Doc]:
    """One shard's documents, read and named as the command line reads and names them
    (``path:id`` or ``path:line``; byte-order marks, UTF-16, lines ending at ``\\n`` only).
    Compressed data that ends early or is damaged ends the shard with a row that says so."""
    try:
        yield from _shard_records(name, f, text_field, id_field)
    except _DamagedData as exc:  # what came before it is scored, as the command line scores it
        logger.warning("spincheck: %s", os_problem(name, exc).what)
        yield name, None, None, None, str(exc)


def _shard_records(name: str, f: BinaryIO, text_field: str, id_field: str) -> Iterator[_Doc]:
    for number, record in iter_jsonl(f, name):
        if isinstance(record, Problem) and record.level != "error":  # undecodable bytes: a warning, no row
            logger.warning("%s", record)
            continue
        if isinstance(record, Problem):
            # the command line's message without its "path:line: " (the row's source says it)
            problem = record.what.removeprefix(f"{name}:{number}: ").removeprefix(f"{name} ")
            logger.warning("spincheck: %s", record.what)
            # line 0: the whole shard (binary, or one JSON document), no record of it
            yield (f"{name}:{number}" if number else name), None, number or None, None, problem
            continue
        record_id = record.get(id_field)
        yield (record_source(name, record_id, number), record_id, number, *_text_of(record, text_field))


def _score_docs(det: Detector, docs: Iterable[_Doc], batch_size: int) -> list[dict[str, Any]]:
    """Score many documents, in order, as ``score_documents`` and the command line judge them
    (the document rule included), about ``batch_size`` paragraphs at a time: counted as lines,
    which are never fewer, so that a batch is bounded without splitting every text twice."""
    rows: list[dict[str, Any]] = []
    pending: list[_Doc] = []
    waiting = 0
    model_id = det.model_id

    def flush() -> None:
        texts = [text for _, _, _, text, _ in pending if text is not None]
        scored = iter(det.score_documents(texts, batch_size=max(len(texts), 1)))  # one batch
        for source, record_id, record, text, problem in pending:
            if text is None:
                rows.append(_problem_row(source, record_id, record, problem or "not scored", model_id))
            else:
                rows.extend(document_records(next(scored), source, record_id, record=record, model_id=model_id))
        pending.clear()

    for doc in docs:
        pending.append(doc)
        text = doc[3]
        waiting += text.count("\n") + 1 if text is not None else 0
        if waiting >= batch_size:
            flush()
            waiting = 0
    flush()
    return rows


def _check_records(records: Any) -> None:
    """Refuse what iterates as something other than records: one text scored every character
    as a text, and a DataFrame (``ddf.map_partitions(score_partition)``) or a dict of columns
    (a Ray batch) scored their column names, all silently "too short"."""
    if isinstance(records, (str, bytes, bytearray)):
        raise TypeError(
            f"score_partition() takes an iterable of records, not one text ({type(records).__name__}); pass [text]"
        )
    if isinstance(records, Mapping) or hasattr(records, "columns"):
        raise TypeError(
            f"score_partition() takes an iterable of records (dicts or str), not a {type(records).__name__}, "
            "whose items are its column names: pass df.to_dict('records'), or for a Dask DataFrame "
            "score_bag(ddf.to_bag(format='dict'))"
        )


def _check_batch_size(batch_size: Any, method: str) -> None:
    """Refuse a batch size that is not a whole number from 1 up, before any task runs: "512" from a
    setting failed inside every task with "'>=' not supported between instances of 'int' and 'str'"."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"{method}() takes a batch_size of at least 1, not {batch_size!r}")


def score_partition(
    records: Iterable[Any],
    model: str | Path | None = None,
    text_field: str = "text",
    threshold: float | None = None,
    *,
    source_field: str = "source",
    id_field: str = "id",
    batch_size: int = BATCH_SIZE,
) -> list[dict[str, Any]]:
    """Score one partition of records; one row per paragraph, in record order.

    A record is a dict with its text in ``text_field`` (or a plain string,
    taken as the text). A row's ``source`` is the record's ``source_field``,
    else its ``id_field`` as a string, else None; ``id`` is the record's
    ``id_field`` when present; every row ends with the scoring model's
    ``model_id``. The paragraphs of many records are scored
    together, ``batch_size`` at a time. ``TypeError`` for one text, one record
    or a DataFrame, whose items are characters or column names, not records.
    """
    _check_records(records)
    _check_batch_size(batch_size, "score_partition")
    docs = _record_docs(records, text_field, source_field, id_field)
    return _score_docs(get_detector(model, threshold), docs, batch_size)


class _FsspecDecompressed(io.RawIOBase):
    """A shard fsspec decompresses (zstd, lz4), whose data ending early or damaged raises the
    ``_DamagedData`` of the command line's own codecs: the shard then ends with a row that says so,
    where a cut ".jsonl.zst" (a crawler stopped mid-write) failed the whole job with a bare
    EOFError that named no shard. Other errors (the storage's own) still fail the task."""

    def __init__(self, f: BinaryIO, suffix: str) -> None:
        self._read = getattr(f, "read1", f.read)
        self._codec = "lz4" if suffix == "lz4" else "zstd"
        # the zstd module fsspec decompresses with (whichever it imported) raises its own ZstdError
        modules = ("compression.zstd", "backports.zstd", "zstandard")
        errors = (getattr(sys.modules.get(m), "ZstdError", None) for m in modules)
        self._errors: tuple[type[Exception], ...] = (EOFError, *(e for e in errors if e is not None))

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:  # read1: read() asked for more than a cut stream holds, and lost what it had
            data = self._read(len(buffer))
        except self._errors as exc:
            raise _damaged(self._codec, exc) from None
        buffer[: len(data)] = data
        return len(data)


def _score_shard(
    shard: list[tuple[str, str]],
    model: str | Path | None,
    text_field: str,
    threshold: float | None,
    id_field: str,
    batch_size: int,
) -> list[dict[str, Any]]:
    """The rows of a partition holding one shard, ``(url, name)``."""
    import fsspec

    rows: list[dict[str, Any]] = []
    for url, name in shard:
        # gzip, bzip2 and xz are known by their first bytes, as the command line knows them (a
        # truncated "a.jsonl.gz" failed the whole job, naming no shard); fsspec opens the others
        other = _FSSPEC_ONLY_SUFFIX.search(name)
        with fsspec.open(url, "rb", compression="infer" if other else None) as f:
            stream = io.BufferedReader(_FsspecDecompressed(f, other[1])) if other else f
            docs = _shard_docs(name, stream, text_field, id_field)
            rows.extend(_score_docs(get_detector(model, threshold), docs, batch_size))
    return rows


def score_bag(
    bag: "dask.bag.Bag",
    model: str | Path | None = None,
    text_field: str = "text",
    threshold: float | None = None,
    *,
    source_field: str = "source",
    id_field: str = "id",
    batch_size: int = BATCH_SIZE,
) -> "dask.bag.Bag":
    """A bag of records (see :func:`score_partition`) -> a bag of rows; :func:`to_dataframe` makes it
    a Dask DataFrame."""
    _check_batch_size(batch_size, "score_bag")
    return bag.map_partitions(
        score_partition,
        model=model,
        text_field=text_field,
        threshold=threshold,
        source_field=source_field,
        id_field=id_field,
        batch_size=batch_size,
    )


def rows_frame(rows: Iterable[dict[str, Any]]) -> "pandas.DataFrame":
    """Rows as a pandas DataFrame with :data:`ROW_META`'s columns and dtypes, each value as its row
    holds it. Built by pandas from the rows, as ``bag.to_dataframe(meta=ROW_META)`` builds each
    partition, a column of integer ids with a gap (a record without one, a plain string) was made
    float before it was made ``object``: 1234567890123456789 came back as 1.2345678901234568e+18."""
    import pandas as pd

    rows = list(rows)
    return pd.DataFrame({c: pd.Series([row.get(c) for row in rows], dtype=d) for c, d in ROW_META.items()})


def to_dataframe(rows: "dask.bag.Bag") -> "dask.dataframe.DataFrame":
    """A bag of rows (:func:`score_bag`) as a Dask DataFrame: each partition made by :func:`rows_frame`,
    which keeps the ids that ``rows.to_dataframe(meta=ROW_META)`` turns into floats. Needs pandas."""
    import dask
    import dask.dataframe as dd

    parts = [dask.delayed(rows_frame)(part) for part in rows.to_delayed()]
    # object columns stay objects, as in ROW_META (Dask's default made the ids and evidence strings)
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_delayed(parts, meta=rows_frame([]), verify_meta=False)


_COMPRESSION_SUFFIX = re.compile(r"\.(gz|bz2|xz|zst|zstd|lz4)$")
_FSSPEC_ONLY_SUFFIX = re.compile(r"\.(zst|zstd|lz4)$")
_SHARD_NAME = re.compile(r"\.jsonl(\.(gz|bz2|xz|zst|zstd|lz4))?$")


def _json_lines(rows: Iterable[dict[str, Any]]) -> list[str]:
    """A partition's rows as lines for ``to_textfiles``, which writes "\\n" between items: a last
    empty item ends the last line, where ``last_endline=True`` wrote a blank line for a shard
    without rows (an empty input), which JSONL readers reject and ``cat`` carries along."""
    lines = [json_line(row) for row in rows]
    return lines + [""] if lines else lines


def _check_not_inputs(out_paths: list[str], urls: list[str]) -> None:
    """Refuse to write shards into a folder of input shards: "a.jsonl" was replaced by its own
    scores, and "b.jsonl" written beside "b.jsonl.gz" was read as input by the next run."""

    from fsspec.core import url_to_fs
    from fsspec.implementations.local import LocalFileSystem

    def folder(path: str) -> str:
        """The folder of ``path`` as one URL, however it was named: "file:///x/a.jsonl", "x/a.jsonl"
        and "/x/a.jsonl" are one folder (a file:// output folder overwrote the inputs)."""
        fs, stripped = url_to_fs(path)
        if isinstance(fs, LocalFileSystem):
            return "file://" + posixpath.dirname(Path(stripped).resolve().as_posix())
        return fs.unstrip_protocol(posixpath.dirname(stripped))

    inputs = {folder(url) for url in urls}
    beside = [path for path in out_paths if folder(path) in inputs]
    if beside:
        raise ValueError(
            f"output shard {beside[0]} would be written among the input shards (choose another output_dir)"
        )


def score_jsonl_shards(
    input_glob: str | Path,
    output_dir: str | Path,
    client: Any = None,
    *,
    model: str | Path | None = None,
    text_field: str = "text",
    threshold: float | None = None,
    id_field: str = "id",
    batch_size: int = BATCH_SIZE,
) -> list[str]:
    """Score every JSONL shard matching ``input_glob`` (a local directory stands for its
    ``*.jsonl`` files, compressed or not); write one output shard for each.

    Each input shard is one task, read as ``spincheck score`` reads JSONL
    (gzip, bzip2 and xz data is known by its first bytes and decompressed, byte-order
    marks and UTF-16 understood, undecodable bytes replaced, lines split at ``\\n``
    only); a shard whose compressed data is cut short or damaged gives the records
    read before that and a row whose ``reason`` says so.
    Output shards go to ``output_dir`` under the input's file name less its
    compression suffix, or as ``part-00000.jsonl``, ... when two inputs share
    a name; ``ValueError`` if that is a folder of input shards. A row's ``source`` is
    ``<input path>:<id>``, or ``<input path>:<line number>`` for a record
    without ``id_field`` (a remote shard's path is its URL, ``s3://bucket/a.jsonl``);
    its ``record`` is the line number (from 1), and its ``model_id`` the scoring
    model's, as ``spincheck score --format jsonl`` writes them.

    ``client`` is a ``distributed.Client`` (local or remote) or a Dask
    scheduler name ("sync", "processes"); None uses Dask's default, which
    is the most recently created Client when there is one. Returns the
    paths written (URLs for a remote ``output_dir``).
    """
    try:
        import dask.bag as db
    except ModuleNotFoundError as exc:  # the module imports without Dask, for score_partition
        if exc.name != "dask":
            raise
        message = "score_jsonl_shards needs Dask, which is not installed (pip install 'dask[bag]' distributed)"
        raise ModuleNotFoundError(message, name="dask") from None
    from fsspec.core import get_fs_token_paths, url_to_fs
    from fsspec.implementations.local import LocalFileSystem

    _check_batch_size(batch_size, "score_jsonl_shards")
    folder = "://" not in str(input_glob) and Path(input_glob).is_dir()
    if folder:  # its name taken as it is: "crawl[1]" matched no shards, read as a pattern
        input_glob = str(Path(glob.escape(str(input_glob))) / "*.jsonl*")
    fs, _, paths = get_fs_token_paths(str(input_glob), mode="rb")
    if folder:  # its JSONL shards, not "a.jsonl.bak", a half-written "a.jsonl.part", nor hidden files
        # (macOS's binary "._a.jsonl", a writer's ".a.jsonl"), which the command line skips in a folder too
        paths = [p for p in paths if _SHARD_NAME.search(p) and not posixpath.basename(p).startswith(".")]
    paths = sorted(paths)
    if not paths:
        raise FileNotFoundError(f"no input shards match {str(input_glob)!r}")
    local = isinstance(fs, LocalFileSystem)
    urls = paths if local else [fs.unstrip_protocol(p) for p in paths]
    names = [_COMPRESSION_SUFFIX.sub("", posixpath.basename(p)) for p in paths]
    if len(set(names)) != len(names):
        names = [f"part-{i:05d}.jsonl" for i in range(len(paths))]
    output = str(output_dir).rstrip("/")
    if "://" not in output:
        Path(output).mkdir(parents=True, exist_ok=True)
    out_paths = [f"{output}/{name}" for name in names]
    _check_not_inputs(out_paths, urls)

    # a remote shard is named by its URL, in its rows' source too: fsspec's path drops the protocol
    # ("bucket/crawl/a.jsonl:17" for s3://bucket/crawl/a.jsonl), which reads as a local file's
    shards = db.from_sequence(list(zip(urls, urls)), npartitions=len(urls))  # one partition per shard
    rows = shards.map_partitions(
        _score_shard, model=model, text_field=text_field, threshold=threshold, id_field=id_field, batch_size=batch_size
    )
    text = rows.map_partitions(_json_lines)
    kwargs = {} if client is None else {"scheduler": client}
    written = text.to_textfiles(out_paths, last_endline=False, **kwargs)
    if "://" in output and not isinstance(url_to_fs(output)[0], LocalFileSystem):
        return out_paths  # Dask returns them without the protocol ("/out/a.jsonl" for memory://out)
    return [str(p) for p in written] if written else out_paths
