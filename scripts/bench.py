#!/usr/bin/env python3
"""Measure spincheck's speed and memory on a fixed, reproducible workload.

Usage (from the repository root)::

    python scripts/bench.py                      # full run: 20,000 paragraphs, about 1.1 M words
    python scripts/bench.py --quick              # smoke run, well under a minute
    python scripts/bench.py --json bench.json    # also write every figure as JSON
    python scripts/bench.py --corpus ../shared/data/news/bbc.jsonl.gz

What is measured (the workload is :mod:`workload`, generated before any clock
starts; "words" are whitespace-separated words of the input):

- one core: ``Detector.score_many`` over the workload, words/s and paragraphs/s,
  and in the same loop, chunk by chunk, NLTK's ``TreebankWordTokenizer`` on the
  same paragraphs; their ratio is the "x Treebank" figure. Interleaving the two
  keeps the ratio fair when other processes share the machine, and the ratio
  is also given by CPU time (``time.process_time``), which other processes
  disturb less than wall time;
- 2 jobs: a process pool, each worker loading the model once (not timed), the
  workload sent in chunks of 1000 paragraphs; the speed-up is against a pool
  of one worker timed the same way. Each row also says how many CPUs other
  processes kept busy meanwhile (from /proc/stat): on a shared machine a
  speed-up below 2 may only mean that the second core was taken;
- cold start: a fresh ``python -c`` that imports spincheck, loads the shipped
  model and scores one paragraph, timed from outside (median of several runs),
  with the in-process split into import / load / first score;
- peak RSS: a fresh process streaming the workload from a file through
  ``score_many`` (VmHWM from /proc, which counts the memory-mapped model pages
  it touched); and, as the worst case a caller can cause with one input, a
  fresh process scoring a single 100,000-word paragraph with no breaks, once
  of the workload's words and once of common words with many synonyms;
- scaling: one core on 1x, 2x and 4x the workload (distinct paragraphs).

BLAS thread pools are set to one thread (``OPENBLAS_NUM_THREADS`` and friends,
unless already set) so that "one core" means one core; ``OPENBLAS_CORETYPE``
is left as found. Figures from a shared or throttled machine are noisy: the
load average before and after is recorded, and for the one-core, pool and
scaling phases the CPUs that other processes kept busy (from /proc/stat).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import shlex  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import workload  # noqa: E402
from script_args import check_output_dir, non_negative_int, positive_int, seed, share  # noqa: E402

# What the project wants (README "Performance"); reported, never enforced.
TARGETS = {
    "x_treebank": (">=", 1.0),
    "cold_start_s": ("<=", 1.0),
    "peak_rss_mb": ("<=", 500.0),
    "jobs_speedup": (">=", 1.7),
}
CHUNK = 1000  # paragraphs per interleaved timing chunk and per pool task


# ---- machine ----------------------------------------------------------------------------------
def machine_info() -> dict:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import nltk
    import numpy

    import spincheck

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "numpy": numpy.__version__,
        "nltk": nltk.__version__,
        "spincheck": spincheck.__version__,
        "platform": platform.platform(),
        "env": {
            k: os.environ.get(k)
            for k in (
                "OPENBLAS_CORETYPE",
                "OPENBLAS_NUM_THREADS",
                "OMP_NUM_THREADS",
                "MKL_NUM_THREADS",
                "PYTHONDONTWRITEBYTECODE",
            )
        },
    }


def code_version() -> dict:
    """The commit benchmarked, and whether the package or model differ from it."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    return {
        "commit": git("rev-parse", "HEAD"),
        "modified": git("status", "--porcelain", "--", "spincheck", "models"),
    }


def loadavg() -> list[float] | None:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None


class MachineCPU:
    """CPUs the whole machine kept busy over an interval, from /proc/stat.

    Compared with the CPUs this benchmark itself used, it shows how much other
    processes (other users, other containers on the same VM) took meanwhile.
    """

    def __init__(self) -> None:
        self.start = self._read()
        self.t0 = time.perf_counter()

    @staticmethod
    def _read() -> tuple[float, float] | None:
        try:
            fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        except (OSError, ValueError, IndexError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return float(sum(fields[:8]) - idle), float(idle)

    def busy_cpus(self) -> float | None:
        end = self._read()
        wall = time.perf_counter() - self.t0
        if self.start is None or end is None or wall <= 0:
            return None
        return (end[0] - self.start[0]) / os.sysconf("SC_CLK_TCK") / wall


def _mem_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


# ---- one core ---------------------------------------------------------------------------------
def one_core(detector, texts: list[str], batch_size: int, with_treebank: bool) -> dict:
    """Score ``texts`` chunk by chunk; Treebank-tokenize each chunk right after (same loop)."""
    if with_treebank:
        from nltk.tokenize import TreebankWordTokenizer

        treebank = TreebankWordTokenizer()
    spin_wall = spin_cpu = tb_wall = tb_cpu = 0.0
    flagged = scored = 0
    machine = MachineCPU()
    for lo in range(0, len(texts), CHUNK):
        chunk = texts[lo : lo + CHUNK]
        t0, c0 = time.perf_counter(), time.process_time()
        results = list(detector.score_many(chunk, batch_size=batch_size))
        spin_wall += time.perf_counter() - t0
        spin_cpu += time.process_time() - c0
        assert len(results) == len(chunk)
        scored += sum(r.spun is not None for r in results)
        flagged += sum(bool(r.spun) for r in results)
        if with_treebank:
            t0, c0 = time.perf_counter(), time.process_time()
            for text in chunk:
                treebank.tokenize(text)
            tb_wall += time.perf_counter() - t0
            tb_cpu += time.process_time() - c0
    words = workload.count_words(texts)
    out = {
        "paragraphs": len(texts),
        "words": words,
        "seconds": spin_wall,
        "cpu_seconds": spin_cpu,
        "words_per_s": words / spin_wall,
        "paragraphs_per_s": len(texts) / spin_wall,
        "words_per_cpu_s": words / spin_cpu,
        "machine_busy_cpus": machine.busy_cpus(),
        "scored": scored,
        "flagged": flagged,
    }
    if with_treebank:
        out["treebank_seconds"] = tb_wall
        out["treebank_words_per_s"] = words / tb_wall
        out["treebank_cpu_seconds"] = tb_cpu
        out["x_treebank"] = tb_wall / spin_wall
        out["x_treebank_cpu"] = tb_cpu / spin_cpu
    return out


# ---- several jobs -----------------------------------------------------------------------------
_DETECTOR = None


def _worker_init(model_dir: str | None, barrier) -> None:
    global _DETECTOR
    import spincheck

    _DETECTOR = spincheck.Detector.load(model_dir)
    _DETECTOR.score_paragraphs(["A warm-up paragraph so that the first timed chunk pays no lazy set-up cost."])
    barrier.wait()


def _worker_score(args: tuple[list[str], int]) -> tuple[int, int, float]:
    texts, batch_size = args
    c0 = time.process_time()
    results = list(_DETECTOR.score_many(texts, batch_size=batch_size))
    return len(results), sum(bool(r.spun) for r in results), time.process_time() - c0


def several_jobs(texts: list[str], jobs: int, batch_size: int, model_dir: str | None) -> dict:
    """Wall time for ``jobs`` worker processes to score ``texts``, workers already loaded."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")  # each worker imports spincheck and loads the model itself
    barrier = ctx.Barrier(jobs + 1)
    t_start = time.perf_counter()
    with ctx.Pool(jobs, initializer=_worker_init, initargs=(model_dir, barrier)) as pool:
        barrier.wait()
        startup = time.perf_counter() - t_start
        size = min(CHUNK, max(50, -(-len(texts) // (8 * jobs))))  # at least 8 tasks per worker
        tasks = [(texts[lo : lo + size], batch_size) for lo in range(0, len(texts), size)]
        t0 = time.perf_counter()
        machine = MachineCPU()
        done = list(pool.imap_unordered(_worker_score, tasks, chunksize=1))
        wall = time.perf_counter() - t0
        busy = machine.busy_cpus()
    words = workload.count_words(texts)
    assert sum(n for n, _, _ in done) == len(texts)
    cpu = sum(c for _, _, c in done)
    return {
        "jobs": jobs,
        "startup_seconds": startup,
        "seconds": wall,
        "words_per_s": words / wall,
        "paragraphs_per_s": len(texts) / wall,
        "worker_cpu_seconds": cpu,
        "cpus_used": cpu / wall,  # below `jobs` when other processes took CPU time
        "machine_busy_cpus": busy,  # all processes on the machine, this one included
        "words_per_cpu_s": words / cpu,
        "flagged": sum(f for _, f, _ in done),
    }


# ---- fresh processes --------------------------------------------------------------------------
def _child_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


# "from spincheck import Detector": ``import spincheck`` imports its public names on first use, so
# the import alone no longer measures the scoring code's (it would move into the load's time)
COLD_START = """
import json, time
t0 = time.perf_counter()
from spincheck import Detector
t1 = time.perf_counter()
detector = Detector.load({model!r})
t2 = time.perf_counter()
result = detector.score_paragraphs([{text!r}])
t3 = time.perf_counter()
assert len(result) == 1
print(json.dumps({{"import_s": t1 - t0, "load_s": t2 - t1, "first_score_s": t3 - t2}}))
"""


def cold_start(repeats: int, text: str, model_dir: str | None) -> dict:
    """A fresh interpreter imports, loads and scores one paragraph; timed from outside."""
    env = _child_env()
    code = COLD_START.format(model=model_dir, text=text)
    bare, outside, inside = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, env=env)
        bare.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True)
        outside.append(time.perf_counter() - t0)
        inside.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    import_only = []
    for _ in range(repeats):
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "import time; t = time.perf_counter(); from spincheck import Detector; print(time.perf_counter() - t)",
            ],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        )
        import_only.append(float(proc.stdout.strip()))
    med = statistics.median
    return {
        "repeats": repeats,
        "cold_start_s": med(outside),
        "cold_start_min_s": min(outside),
        "python_startup_s": med(bare),
        "import_s": med(import_only),
        "load_s": med(r["load_s"] for r in inside),
        "first_score_s": med(r["first_score_s"] for r in inside),
    }


# Shared start of the child processes that measure memory: load the model and
# note the resident peak after loading (VmHWM, from /proc).
CHILD_PRELUDE = """
import json, sys
from pathlib import Path
import spincheck

def kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])

detector = spincheck.Detector.load({model!r})
loaded = kb("VmHWM")
"""

STREAM = CHILD_PRELUDE + """n = flagged = 0
with open({path!r}, encoding="utf-8") as f:
    for result in detector.score_many((line.rstrip("\\n") for line in f), batch_size={batch}):
        n += 1
        flagged += bool(result.spun)
print(json.dumps({{"paragraphs": n, "flagged": flagged, "loaded_kb": loaded, "peak_kb": kb("VmHWM"),
                  "end_rss_kb": kb("VmRSS"), "end_anon_kb": kb("RssAnon")}}))
"""


def stream_rss(texts: list[str], batch_size: int, model_dir: str | None) -> dict:
    """Peak resident memory of a fresh process streaming ``texts`` from a file."""
    with tempfile.TemporaryDirectory(prefix="spincheck-bench-") as tmp:
        path = Path(tmp) / "workload.txt"
        with open(path, "w", encoding="utf-8") as f:
            for text in texts:
                f.write(text.replace("\n", " ") + "\n")
        code = STREAM.format(model=model_dir, path=str(path), batch=batch_size)
        proc = subprocess.run(
            [sys.executable, "-c", code], check=True, env=_child_env(), capture_output=True, text=True
        )
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["paragraphs"] == len(texts)
    out["peak_rss_mb"] = out["peak_kb"] / 1024
    out["loaded_rss_mb"] = out["loaded_kb"] / 1024
    return out


LONG = CHILD_PRELUDE + """text = Path({path!r}).read_text(encoding="utf-8")
(result,) = detector.score_paragraphs([text])
print(json.dumps({{"words": len(text.split()), "spun": result.spun, "loaded_kb": loaded, "peak_kb": kb("VmHWM")}}))
"""


# Common words with many synonyms each: the most swap candidates per token, so the
# most memory per token a caller can cause with plain English words.
SALAD = (
    "the of and to a in is that for it was on with as said top government officials talks week capital "
    "minister bank rates prices market year company highest larger collectively overseas stated"
).split()


def long_paragraph_rss(texts: list[str], words: int, model_dir: str | None, salad: bool = False) -> dict:
    """Peak resident memory of a fresh process scoring one paragraph of ``words`` words, no breaks.

    The words are the workload's in order, or (``salad``) drawn at random from :data:`SALAD`.
    """
    if salad:
        import random

        rng = random.Random(0)
        text = " ".join(rng.choice(SALAD) for _ in range(words))
    else:
        pool = " ".join(texts).split()
        text = " ".join(pool[i % len(pool)] for i in range(words))
    with tempfile.TemporaryDirectory(prefix="spincheck-bench-") as tmp:
        path = Path(tmp) / "long.txt"
        path.write_text(text, encoding="utf-8")
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", LONG.format(model=model_dir, path=str(path))],
            check=True,
            env=_child_env(),
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - t0
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["peak_rss_mb"] = out["peak_kb"] / 1024
    out["process_seconds"] = wall
    return out


# ---- report -----------------------------------------------------------------------------------
def _met(key: str, value: float) -> str:
    op, target = TARGETS[key]
    ok = value >= target if op == ">=" else value <= target
    return f"{op} {target:g}: {'yes' if ok else 'NO'}"


def _others(run: dict) -> str:
    """ ", other processes N CPUs" when the machine was busier than the benchmark itself."""
    busy, ours = run.get("machine_busy_cpus"), run.get("cpus_used", 1.0)
    if busy is None:
        return ""
    return f", other processes {max(busy - ours, 0.0):.2f}"


def table(report: dict) -> str:
    r = report["results"]
    one, jobs, cold, mem = r["one_core"], r["jobs"], r["cold_start"], r["stream"]
    rows = [
        (
            "Throughput, 1 core",
            f"{one['words_per_s']:,.0f} words/s, {one['paragraphs_per_s']:,.0f} paragraphs/s "
            f"({one['words_per_cpu_s']:,.0f} words per CPU-s{_others(one)})",
            "",
        ),
        ("TreebankWordTokenizer, 1 core", f"{one['treebank_words_per_s']:,.0f} words/s", ""),
        (
            "Throughput / Treebank",
            f"{one['x_treebank']:.2f}x (by CPU time {one['x_treebank_cpu']:.2f}x)",
            _met("x_treebank", one["x_treebank"]),
        ),
        (
            "Throughput, 1 worker process",
            f"{r['jobs_1']['words_per_s']:,.0f} words/s, {r['jobs_1']['paragraphs_per_s']:,.0f} paragraphs/s",
            "",
        ),
        (
            f"Throughput, {jobs['jobs']} worker processes",
            f"{jobs['words_per_s']:,.0f} words/s, {jobs['paragraphs_per_s']:,.0f} paragraphs/s",
            "",
        ),
        (
            f"Speed-up, {jobs['jobs']} jobs / 1 job",
            f"{r['jobs_speedup']:.2f}x (workers got {jobs['cpus_used']:.2f} CPUs{_others(jobs)}; "
            f"{jobs['words_per_cpu_s']:,.0f} vs {r['jobs_1']['words_per_cpu_s']:,.0f} words per CPU-s)",
            _met("jobs_speedup", r["jobs_speedup"]),
        ),
        (
            "Cold start (fresh python -c)",
            f"{cold['cold_start_s']:.2f} s (bare interpreter {cold['python_startup_s']:.2f} s)",
            _met("cold_start_s", cold["cold_start_s"]),
        ),
        ("from spincheck import Detector", f"{cold['import_s'] * 1000:.0f} ms", ""),
        ("Model load (verify + map)", f"{cold['load_s'] * 1000:.0f} ms", ""),
        ("First paragraph after load", f"{cold['first_score_s'] * 1000:.0f} ms", ""),
        (
            "Peak RSS, streaming",
            f"{mem['peak_rss_mb']:.0f} MB (after load {mem['loaded_rss_mb']:.0f} MB)",
            _met("peak_rss_mb", mem["peak_rss_mb"]),
        ),
    ]
    for key, what in (("long_paragraph", "news text"), ("long_salad", "word salad")):
        if key in r:
            long = r[key]
            rows.append(
                (f"Peak RSS, one {long['words']:,}-word paragraph ({what})", f"{long['peak_rss_mb']:.0f} MB", "")
            )
    for s in r["scaling"]:
        rows.append(
            (
                f"Scaling {s['factor']}x ({s['words']:,} words)",
                f"{s['seconds']:.1f} s = {s['seconds'] / s['factor']:.1f} s per 1x ({s['words_per_s']:,.0f} words/s; "
                f"{s['cpu_seconds'] / s['factor']:.1f} CPU-s per 1x{_others(s)})",
                "",
            )
        )
    width = [max(len(row[i]) for row in rows) for i in range(3)]
    head = ("Measure", "Result", "Target")
    width = [max(w, len(h)) for w, h in zip(width, head)]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(head, width)) + " |",
        "|" + "|".join("-" * (w + 2) for w in width) + "|",
    ]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, width)) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--paragraphs", type=positive_int, default=20_000, help="workload size (default 20000, ~1.1 M words)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 1000 paragraphs, 2 cold starts, 20,000-word paragraph"
    )
    parser.add_argument("--seed", type=seed, default=0, help="workload seed (default 0)")
    parser.add_argument("--spun", type=share, default=0.25, help="share of paragraphs spun (default 0.25)")
    parser.add_argument("--corpus", type=Path, help="take paragraphs from this text/.jsonl(.gz) file instead")
    parser.add_argument("--model", help="model directory (default: the shipped model)")
    parser.add_argument(
        "--jobs", type=positive_int, default=2, help="worker processes for the parallel figure (default 2)"
    )
    parser.add_argument("--batch-size", type=positive_int, default=512, help="score_many batch size (default 512)")
    parser.add_argument("--repeats", type=positive_int, default=5, help="cold-start runs, median reported (default 5)")
    parser.add_argument("--scaling", default="1,2,4", help="workload multiples to time (default 1,2,4)")
    parser.add_argument(
        "--long-words",
        type=non_negative_int,
        default=100_000,
        help="also measure peak RSS for one paragraph this long, no breaks (default 100000; 0 skips)",
    )
    parser.add_argument("--json", type=Path, help="write all figures to this JSON file")
    args = parser.parse_args(argv)
    try:
        factors = sorted({positive_int(x) for x in args.scaling.split(",") if x.strip()} | {1})
    except argparse.ArgumentTypeError as exc:
        parser.error(f"--scaling: {exc} (give multiples such as 1,2,4)")
    if args.corpus is not None and not args.corpus.is_file():
        parser.error(f"--corpus {args.corpus}: no such file")
    if args.model is not None and not Path(args.model, "card.json").is_file():
        parser.error(f"--model {args.model}: not a model directory (no card.json)")
    check_output_dir(parser, "--json", args.json)
    if args.quick:
        args.paragraphs = min(args.paragraphs, 1000)
        args.repeats = min(args.repeats, 2)
        args.long_words = min(args.long_words, 20_000)

    import spincheck

    machine = machine_info()
    print(f"machine: {machine['cpu']}, {machine['cores']} cores ({machine['usable_cores']} usable)")
    print(
        f"python {machine['python']}, numpy {machine['numpy']}, nltk {machine['nltk']}, "
        f"spincheck {machine['spincheck']}"
    )
    print(f"env: {machine['env']}")
    code = code_version()
    print(
        f"code: commit {str(code['commit'])[:10]}"
        + (" with local changes to spincheck/ or models/" if code["modified"] else "")
    )
    load_before = loadavg()
    print(f"load average: {load_before}")

    t0 = time.perf_counter()
    n_all = args.paragraphs * max(factors)
    if args.corpus:
        texts_all = workload.from_corpus(args.corpus, n_all, spun=args.spun, seed=args.seed, model_dir=args.model)
    else:
        texts_all = workload.paragraphs(n_all, seed=args.seed, spun=args.spun, model_dir=args.model)
    texts = texts_all[: args.paragraphs]
    work = {
        "source": str(args.corpus) if args.corpus else "scripts/workload.py templates",
        "seed": args.seed,
        "spun_share": args.spun,
        "paragraphs": len(texts),
        "words": workload.count_words(texts),
        "sha256": workload.digest(texts),
        "generated_in_s": time.perf_counter() - t0,
    }
    print(f"workload: {work['paragraphs']:,} paragraphs, {work['words']:,} words, sha256 {work['sha256'][:16]}")

    detector = spincheck.Detector.load(args.model)
    detector.score_paragraphs([texts[0]])  # warm-up

    results: dict = {}
    print("one core ...", flush=True)
    results["one_core"] = one_core(detector, texts, args.batch_size, with_treebank=True)
    print(f"{args.jobs} jobs ...", flush=True)
    results["jobs_1"] = several_jobs(texts, 1, args.batch_size, args.model)
    results["jobs"] = several_jobs(texts, args.jobs, args.batch_size, args.model)
    # against one worker of the same pool harness (clean heap, same chunking)
    results["jobs_speedup"] = results["jobs"]["words_per_s"] / results["jobs_1"]["words_per_s"]
    if results["jobs"]["flagged"] != results["one_core"]["flagged"]:
        print("warning: jobs and one core flagged different counts", file=sys.stderr)
    print("cold start ...", flush=True)
    sample = next((t for t in texts if 40 <= len(t.split()) <= 120), texts[0])
    results["cold_start"] = cold_start(args.repeats, sample, args.model)
    print("streaming memory ...", flush=True)
    results["stream"] = stream_rss(texts, args.batch_size, args.model)
    if args.long_words:
        print(f"one {args.long_words:,}-word paragraph ...", flush=True)
        results["long_paragraph"] = long_paragraph_rss(texts, args.long_words, args.model)
        results["long_salad"] = long_paragraph_rss(texts, args.long_words, args.model, salad=True)
    scaling = []
    for k in factors:
        print(f"scaling {k}x ...", flush=True)
        if k == 1:
            base = results["one_core"]
        else:
            base = one_core(detector, texts_all[: k * args.paragraphs], args.batch_size, with_treebank=False)
        scaling.append(
            {
                "factor": k,
                **{
                    key: base[key]
                    for key in (
                        "paragraphs",
                        "words",
                        "seconds",
                        "cpu_seconds",
                        "words_per_s",
                        "words_per_cpu_s",
                        "machine_busy_cpus",
                    )
                },
            }
        )
    results["scaling"] = scaling
    results["scaling_linearity"] = scaling[-1]["seconds"] / (scaling[-1]["factor"] * scaling[0]["seconds"])
    results["scaling_linearity_cpu"] = scaling[-1]["cpu_seconds"] / (scaling[-1]["factor"] * scaling[0]["cpu_seconds"])
    results["bench_process_peak_rss_mb"] = (_mem_kb("VmHWM") or 0) / 1024

    report = {
        "command": "python "
        + " ".join(
            shlex.quote(a)
            for a in [os.path.relpath(__file__, Path.cwd()), *(argv if argv is not None else sys.argv[1:])]
        ),
        "quick": args.quick,
        "machine": machine,
        "code": code,
        "load_average_before": load_before,
        "load_average_after": loadavg(),
        "workload": work,
        "results": results,
        "targets": {
            "x_treebank": results["one_core"]["x_treebank"],
            "cold_start_s": results["cold_start"]["cold_start_s"],
            "peak_rss_mb": results["stream"]["peak_rss_mb"],
            "jobs_speedup": results["jobs_speedup"],
        },
    }
    report["targets_met"] = {k: _met(k, v).endswith("yes") for k, v in report["targets"].items()}
    print()
    print(table(report))
    print(
        f"\nscaling: {factors[-1]}x took {results['scaling_linearity']:.2f} times {factors[-1]} x the 1x time "
        f"({results['scaling_linearity_cpu']:.2f} by CPU time)"
    )
    print(f"load average after: {report['load_average_after']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
