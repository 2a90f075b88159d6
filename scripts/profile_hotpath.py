#!/usr/bin/env python3
"""Where ``Detector.score_paragraphs`` spends its time, stage by stage.

Usage (from the repository root)::

    python scripts/profile_hotpath.py                       # 3000 workload paragraphs (scripts/workload.py)
    python scripts/profile_hotpath.py --corpus ../shared/data/news/bbc.jsonl.gz
    python scripts/profile_hotpath.py --cprofile 25         # plus the top 25 functions by own time
    python scripts/profile_hotpath.py --pyinstrument        # plus a call tree (pip install pyinstrument)

The stage table wraps the pipeline's functions with CPU-time counters
(``time.process_time``: other processes on a shared machine disturb it less
than wall time). The wrapped functions are called a few times per batch, so
the counters cost nothing measurable; rows overlap (a stage includes the
lookups it makes). Lookups are split by table and by whether they serve
scoring or the evidence pass, with their number per input word. Functions
that do not exist (renamed while optimising) are skipped.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import functools  # noqa: E402
import importlib.util  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import workload  # noqa: E402
from script_args import check_input_file, positive_int, seed, share  # noqa: E402

STAGES = [
    ("spincheck.detector", "Detector._score_units", "scoring units (batches + evidence)"),
    ("spincheck.detector", "Detector._score_batch", "  features + classifiers (_score_batch, all calls)"),
    ("spincheck.detector", "Detector._evidence", "  evidence pass (flagged paragraphs only)"),
    ("spincheck.detector", "find_swaps", "    find_swaps of the evidence pass (more candidates)"),
    ("spincheck.detector", "swap_r2_gain", "    swap_r2_gain (the trigram after R1, for suggestions)"),
    ("spincheck.detector", "_language_reason", "  language gate (_language_reason)"),
    ("spincheck.detector", "_token_counts", "  language gate's token counts (_token_counts)"),
    ("spincheck.detector", "_tokenize_group", "  _tokenize_group (all paragraphs of a group)"),
    ("spincheck.detector", "token_index", "  token_index (a group's distinct tokens, hashed once)"),
    ("spincheck.detector", "token_spans", "  token_spans (windows)"),
    ("spincheck.detector", "_token_bounds", "  _token_bounds (evidence offsets)"),
    ("spincheck.features", "layout", "    layout"),
    ("spincheck.features", "score_slots", "    score_slots"),
    ("spincheck.features", "find_swaps", "    find_swaps via batch_features"),
    ("spincheck.features", "vector_fit", "    vector_fit"),
    ("spincheck.features", "swap_fit_gain", "    swap_fit_gain"),
    ("spincheck.features", "token_features", "    token_features"),
    ("spincheck.features", "paragraph_features", "    paragraph_features"),
    ("spincheck.model", "NeuralScorer.decision_function", "    classifiers (decision_function)"),
]


class Counters:
    def __init__(self) -> None:
        self.rows: dict[str, list] = {}
        self.in_evidence = 0

    def add(self, label: str, seconds: float, queries: int = 0) -> None:
        row = self.rows.setdefault(label, [0, 0.0, 0])
        row[0] += 1
        row[1] += seconds
        row[2] += queries


def _install(counters: Counters, detector) -> list[str]:
    import importlib

    missing = []
    for module_name, attr, label in STAGES:
        module = importlib.import_module(module_name)
        owner, _, name = attr.rpartition(".")
        target = getattr(module, owner) if owner else module
        func = getattr(target, name, None)
        if func is None:
            missing.append(f"{module_name}.{attr}")
            continue

        def wrapped(*args, __func=func, __label=label, **kwargs):
            evidence = __label.startswith("  evidence")
            counters.in_evidence += evidence
            t0 = time.process_time()
            try:
                return __func(*args, **kwargs)
            finally:
                counters.add(__label, time.process_time() - t0)
                counters.in_evidence -= evidence

        setattr(target, name, functools.wraps(func)(wrapped))

    ref = detector.model.reference
    tables = {id(ref.unigrams): "unigram", id(ref.bigrams): "bigram", id(ref.trigrams): "trigram"}
    table_type = type(ref.unigrams)
    lookup = table_type.lookup

    def counted_lookup(self, queries):
        t0 = time.process_time()
        try:
            return lookup(self, queries)
        finally:
            where = "evidence" if counters.in_evidence else "scoring"
            counters.add(f"    lookup {tables.get(id(self), '?')} ({where})", time.process_time() - t0, queries.size)

    table_type.lookup = counted_lookup
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=positive_int, default=3000, help="paragraphs to score (default 3000)")
    parser.add_argument("--corpus", type=Path, help="take paragraphs from this text/.jsonl(.gz) file")
    parser.add_argument("--spun", type=share, default=0.25, help="share of paragraphs spun (default 0.25)")
    parser.add_argument("--seed", type=seed, default=0, help="workload seed (default 0)")
    parser.add_argument("--model", help="model directory (default: the shipped model)")
    parser.add_argument("--explain", action="store_true", help="score with explain=True")
    parser.add_argument("--cprofile", type=positive_int, metavar="N", help="also print the top N functions by own time")
    parser.add_argument("--pyinstrument", action="store_true", help="also print a pyinstrument call tree")
    args = parser.parse_args(argv)
    check_input_file(parser, "--corpus", args.corpus)
    if args.pyinstrument and importlib.util.find_spec("pyinstrument") is None:  # not after the profile is made
        parser.error("--pyinstrument needs the pyinstrument package (pip install pyinstrument)")
    if args.model is not None and not Path(args.model, "card.json").is_file():
        parser.error(f"--model {args.model}: not a model directory (no card.json)")

    import spincheck

    if args.corpus:
        texts = workload.from_corpus(args.corpus, args.paragraphs, spun=args.spun, seed=args.seed, model_dir=args.model)
    else:
        texts = workload.paragraphs(args.paragraphs, seed=args.seed, spun=args.spun, model_dir=args.model)
    words = workload.count_words(texts)
    detector = spincheck.Detector.load(args.model)
    detector.score_paragraphs(texts[:1])

    t0 = time.process_time()
    results = detector.score_paragraphs(texts, explain=args.explain)
    plain = time.process_time() - t0
    flagged = sum(bool(r.spun) for r in results)
    print(
        f"{len(texts):,} paragraphs, {words:,} words, {flagged} flagged: {plain:.2f} CPU-s, "
        f"{words / plain:,.0f} words per CPU-second (no instrumentation)"
    )

    counters = Counters()
    missing = _install(counters, detector)
    t0 = time.process_time()
    detector.score_paragraphs(texts, explain=args.explain)
    total = time.process_time() - t0
    print(f"instrumented run: {total:.2f} CPU-s\n")
    print(f"{'stage':52s} {'calls':>6s} {'CPU-s':>7s} {'share':>6s}")
    for label, (calls, seconds, queries) in sorted(counters.rows.items(), key=lambda kv: -kv[1][1]):
        extra = (
            f"  {queries:,} queries, {queries / words:.1f}/word, {seconds / queries * 1e9:.0f} ns each"
            if queries
            else ""
        )
        print(f"{label:52s} {calls:6d} {seconds:7.2f} {100 * seconds / total:5.1f}%{extra}")
    if missing:
        print("\nnot found (renamed?): " + ", ".join(missing))

    if args.cprofile:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        detector.score_paragraphs(texts, explain=args.explain)
        profiler.disable()
        print()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.cprofile)
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
        detector.score_paragraphs(texts, explain=args.explain)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
