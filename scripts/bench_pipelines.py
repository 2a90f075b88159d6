#!/usr/bin/env python3
"""Throughput per core of the Dask path against direct scoring.

Usage (from the repository root; needs ``pip install 'spincheck[dask]'``)::

    python scripts/bench_pipelines.py                       # BBC news from ../shared/data, 2 workers
    python scripts/bench_pipelines.py --docs 2000 --workers 2 --json pipelines.json
    python scripts/bench_pipelines.py --corpus pages.jsonl.gz --text-field body
    python scripts/bench_pipelines.py --corpus corpus/heldout_clean_speeches.jsonl --no-dask --cli-unbatched

Measured, on the same documents (JSONL records whose text has paragraphs
separated by blank lines; "words" are whitespace-separated words):

- ``score_documents``: one ``Detector.score_text`` call per document, one core;
- ``score_many``: all paragraphs through ``Detector.score_many(batch_size=512)``, one core;
- ``score_partition``: :func:`spincheck.integrations.dask.score_partition` on
  one core without Dask (paragraphs of many records batched together);
- ``spincheck score``: the command line on the documents as one JSONL file
  (``--format jsonl -o``), a fresh process that includes its start-up (about
  0.3 s); ``--cli-unbatched`` also runs it with each record scored alone, as
  it was scored before records were batched;
- ``dask``: :func:`score_jsonl_shards` on a ``LocalCluster`` of ``--workers``
  single-threaded processes, reading and writing JSONL shards. Workers load
  the model on a warm-up job first (timed separately).

Two per-core figures are printed for each: by wall clock (seconds x cores
used), and by CPU time (the CPU seconds the scoring processes actually got:
``time.process_time`` here, the workers' own CPU time read with psutil for
Dask, plus this process's for the scheduler and client). On a shared machine
only the CPU-time figure means much; the load average is printed too. BLAS
pools are limited to one thread so that one process means one core.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from script_args import check_input_file, check_output_dir, positive_int  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "news" / "bbc.jsonl.gz"  # ../shared beside the checkout


def load_docs(path: Path, n: int, text_field: str) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    docs = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            text = json.loads(line).get(text_field)
            if isinstance(text, str) and text.strip():
                docs.append(text)
            if len(docs) >= n:
                break
    return docs


def timed(fn):
    """``(wall seconds, CPU seconds of this process, result)``."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def worker_memory() -> dict[str, float]:
    """Resident, unique and proportional set size of this process in MiB (shared mapped pages count in pss once)."""
    import psutil

    m = psutil.Process().memory_full_info()
    return {k: round(getattr(m, k) / 2**20, 1) for k in ("rss", "uss", "pss", "shared")}


def worker_cpu() -> float:
    import psutil

    t = psutil.Process().cpu_times()
    return t.user + t.system


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="JSONL(.gz) with a text field (default: ../shared/data/news/bbc.jsonl.gz)",
    )
    parser.add_argument("--text-field", default="text", help="the records' text field (default: text)")
    parser.add_argument("--docs", type=positive_int, default=1000, help="documents to score (default: 1000)")
    parser.add_argument("--workers", type=positive_int, default=2, help="Dask worker processes (default: 2)")
    parser.add_argument(
        "--shards", type=positive_int, default=8, help="JSONL shards to split the documents into (default: 8)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--cli-unbatched", action="store_true", help="also time the command line one record a call")
    parser.add_argument("--no-dask", action="store_true", help="leave out the Dask cluster")
    args = parser.parse_args(argv)
    check_input_file(parser, "--corpus", args.corpus)
    check_output_dir(parser, "--json", args.json)

    import spincheck
    from spincheck.integrations.dask import score_jsonl_shards, score_partition
    from spincheck.text import split_paragraphs

    docs = load_docs(args.corpus, args.docs, args.text_field)
    if not docs:
        parser.error(f"--corpus {args.corpus}: no record has text in the field {args.text_field!r} (see --text-field)")
    paragraphs = [d[s.start : s.end] for d in docs for s in split_paragraphs(d)]
    words = sum(len(p.split()) for p in paragraphs)
    print(f"workload: {len(docs)} documents, {len(paragraphs)} paragraphs, {words} words from {args.corpus}")
    print(f"load average before: {os.getloadavg()}")

    det = spincheck.Detector.load()
    det.score_paragraphs(paragraphs[:64])  # warm caches and page in the tables
    # score_partition scores with a detector of its own (get_detector), loaded on its first call:
    # load it here, or its timed call includes loading and verifying the model
    score_partition([{"text": docs[0]}])
    figures: dict[str, dict[str, float]] = {}

    def record(name: str, wall: float, cpu: float, cores: int = 1) -> None:
        f = figures[name] = {"wall_seconds": round(wall, 3), "cpu_seconds": round(cpu, 3), "cores": cores}
        for what, seconds in (("wall", wall * cores), ("cpu", cpu)):
            f[f"paragraphs_per_core_s_{what}"] = round(len(paragraphs) / seconds, 1)
            f[f"words_per_core_s_{what}"] = round(words / seconds)
            f[f"docs_per_core_s_{what}"] = round(len(docs) / seconds, 2)
        print(
            f"{name:<18} {wall:6.2f} s wall on {cores} core(s), {cpu:6.2f} CPU s | per core-second:"
            f" wall {f['paragraphs_per_core_s_wall']:6.1f} paragraphs {f['words_per_core_s_wall']:6d} words"
            f" | CPU {f['paragraphs_per_core_s_cpu']:6.1f} paragraphs {f['words_per_core_s_cpu']:6d} words"
        )

    wall, cpu, _ = timed(lambda: sum(1 for _ in det.score_documents(docs)))
    record("score_documents", wall, cpu)
    wall, cpu, _ = timed(lambda: sum(1 for _ in det.score_many(paragraphs, batch_size=512)))
    record("score_many", wall, cpu)
    wall, cpu, _ = timed(lambda: score_partition([{"text": d} for d in docs]))
    record("score_partition", wall, cpu)
    with tempfile.TemporaryDirectory() as tmp:
        pages = Path(tmp) / "pages.jsonl"
        pages.write_text("".join(json.dumps({"text": d}) + "\n" for d in docs), encoding="utf-8")
        runs = [("spincheck score", "")] + [("score, unbatched", "1")] * args.cli_unbatched
        for name, unbatched in runs:
            wall, cpu = command_line(pages, Path(tmp) / "scores.jsonl", unbatched)
            record(name, wall, cpu)
    if args.no_dask:
        return finish(args, docs, paragraphs, words, figures)

    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        shards = Path(tmp) / "in"
        shards.mkdir()
        per_shard = -(-len(docs) // args.shards)
        for i in range(args.shards):
            with open(shards / f"shard-{i:03d}.jsonl", "w", encoding="utf-8") as f:
                for d in docs[i * per_shard : (i + 1) * per_shard]:
                    f.write(json.dumps({"text": d}) + "\n")
        warm = Path(tmp) / "warm"
        warm.mkdir()
        for i in range(args.workers * 2):
            (warm / f"w{i}.jsonl").write_text(json.dumps({"text": docs[0]}) + "\n", encoding="utf-8")

        start = time.perf_counter()
        with LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster, Client(cluster) as client:
            startup = time.perf_counter() - start
            cold, _, _ = timed(lambda: score_jsonl_shards(str(warm / "*.jsonl"), Path(tmp) / "warm-out", client=client))
            before = client.run(worker_cpu)
            wall, local_cpu, _ = timed(
                lambda: score_jsonl_shards(str(shards / "*.jsonl"), Path(tmp) / "out", client=client)
            )
            after = client.run(worker_cpu)
            memory = client.run(worker_memory)
        workers = sum(after[w] - before[w] for w in after)
        print(f"cluster start-up {startup:.2f} s; first job (each worker loads the model) {cold:.2f} s")
        print(f"CPU: workers {workers:.2f} s, scheduler + client (this process) {local_cpu:.2f} s")
        for address, m in sorted(memory.items()):
            print(f"worker {address}: RSS {m['rss']} MiB, of which shared {m['shared']} MiB; USS {m['uss']}, PSS {m['pss']} MiB")
        record("dask LocalCluster", wall, workers + local_cpu, cores=args.workers)
        figures["dask LocalCluster"].update(
            startup_seconds=round(startup, 2),
            warmup_job_seconds=round(cold, 2),
            worker_cpu_seconds=round(workers, 3),
            worker_memory_mib=list(memory.values()),
        )

    return finish(args, docs, paragraphs, words, figures)


def command_line(pages: Path, out: Path, unbatched: str) -> tuple[float, float]:
    """Wall and CPU seconds of ``spincheck score`` on ``pages`` in a fresh process; with
    ``unbatched``, every record is scored in a call of its own (BATCH_CHARS of 1)."""
    code = (
        "import sys; from spincheck import cli\n"
        "if sys.argv.pop(1): cli.BATCH_CHARS = 1\n"
        "sys.exit(cli.main(sys.argv[1:]))"
    )
    argv = [sys.executable, "-c", code, unbatched, "score", "-q", "--format", "jsonl", "-o", str(out), str(pages)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    status = subprocess.run(argv, env=dict(os.environ, PYTHONPATH=str(ROOT))).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if status not in (0, 1):
        raise SystemExit(f"spincheck score failed with exit status {status}")
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def finish(args, docs: list[str], paragraphs: list[str], words: int, figures: dict) -> int:
    print(f"load average after: {os.getloadavg()}")
    if args.json:
        report = {"docs": len(docs), "paragraphs": len(paragraphs), "words": words, **figures}
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
