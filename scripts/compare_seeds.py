#!/usr/bin/env python3
"""Judge a change to the features or the classifier over several training seeds, in minutes.

Usage (from the repository root, with ``pip install -e ".[build]"``)::

    python scripts/compare_seeds.py --json after.json
    git stash; python scripts/compare_seeds.py --json before.json; git stash pop

A full rebuild (``scripts/train.py``) takes about two minutes, most of it
counting the reference. A change to the features, the spinner or the
classifier needs only the classifier retrained: this script keeps the
reference tables and the lexicon of ``--model`` (the shipped ones by default),
retrains the token and paragraph models on the ``train`` split with each
seed, picks each threshold on ``dev`` as ``scripts/train.py`` does, and
measures every model as ``scripts/evaluate.py`` does. About 50-70 s a seed on the
project's machine.

Why several seeds: the training seed alone moves dev ROC-AUC by about 0.003,
recall at the threshold by a few points, and the 15 seed paragraphs by two;
changes of that size need their mean over seeds, and the held-out genre and
unknown-thesaurus figures over the dev ones (see docs/accuracy.md). Even a
mean over three seeds moved by up to 4 points of recall at a matched FPR
between seeds 0-2 and 3-5 of one configuration, so the default is six.
Models are written to ``--out``/seed-N (scratch, not committed).

Each model's threshold is picked on the pooled dev genres, so two models can
hold dev news at different FPRs and their recall at the threshold then
compares a trade-off, not a ranking. The rows "at dev-news FPR 0.5 % / 1 %"
compare them where the hidden test holds FPR, on clean news (the dev split's
Reuters, BBC and ABC paragraphs, see ``scripts/threshold_choices.py``): for
the held-out and Moby spins (speeches) and for the dev news paragraphs spun
with held-out pairs; the other dev genres' spins are measured against their
own clean paragraphs.

``--foreign`` also measures every model on the two Moby Thesaurus sets of
``scripts/eval_foreign_thesaurus.py`` (spins with a thesaurus that is not
ours: the closest proxy here for a real spinner's dictionary), about 20 s a
seed more.

``--reference-share F`` instead counts a new reference from a share F of the
``ref`` split's documents (with the same web-scale counts as
``scripts/train.py``; 1.0 counts them as train.py does, which since the tokenizer change of
dced200 no longer gives the shipped tables byte for byte, see corpus/README.md), to measure how much
the size of the clean reference matters.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import corpora  # noqa: E402
import evaluate  # noqa: E402
import threshold_choices  # noqa: E402
import train as shipped  # noqa: E402
from script_args import DATA_HELP, check_data, check_output_dir, load_detector, positive_int, seed as seed_type  # noqa: E402

from spincheck import Detector  # noqa: E402
from spincheck.lexicon import Lexicon  # noqa: E402
from spincheck.reference import Reference  # noqa: E402
from spincheck.training import build_card, iter_jsonl_paragraphs, train_classifier, write_model  # noqa: E402

# (label, path into the evaluate() report, or into the training dev metrics)
COLUMNS = (
    ("dev ROC-AUC", ("dev", "roc_auc")),
    ("dev recall", ("dev", "recall")),
    ("dev unknown-thesaurus ROC-AUC", ("dev", "unknown_thesaurus", "roc_auc")),
    ("held-out ROC-AUC", ("synthetic", "roc_auc")),
    ("held-out recall", ("synthetic", "recall")),
    ("held-out unknown-thesaurus ROC-AUC", ("synthetic_unknown_thesaurus", "roc_auc")),
    ("held-out unknown-thesaurus recall", ("synthetic_unknown_thesaurus", "recall")),
    ("speeches FPR", ("speeches_fpr", "fpr")),
    ("seed copy: spun flagged (of 15)", ("seeds", "spun_flagged")),
    ("seed originals flagged", ("seeds", "originals_flagged")),
    ("Moby (similarity) ROC-AUC", ("foreign", "similarity", "roc_auc")),
    ("Moby (similarity) recall", ("foreign", "similarity", "recall")),
    ("Moby (frequency) ROC-AUC", ("foreign", "frequency", "roc_auc")),
    ("Moby (frequency) recall", ("foreign", "frequency", "recall")),
    ("Moby FPR", ("foreign", "similarity", "fpr")),
    ("dev news spins: recall at dev-news FPR 0.5 %", ("at_news_fpr", "dev news", "0.005")),
    ("dev news spins: recall at dev-news FPR 1 %", ("at_news_fpr", "dev news", "0.01")),
    ("dev other-genre spins: recall at their FPR 0.5 %", ("at_news_fpr", "dev other genres", "0.005")),
    ("dev other-genre spins: recall at their FPR 1 %", ("at_news_fpr", "dev other genres", "0.01")),
    ("held-out recall at dev-news FPR 0.5 %", ("at_news_fpr", "held-out", "0.005")),
    ("held-out recall at dev-news FPR 1 %", ("at_news_fpr", "held-out", "0.01")),
    ("Moby (similarity) recall at dev-news FPR 0.5 %", ("at_news_fpr", "similarity", "0.005")),
    ("Moby (similarity) recall at dev-news FPR 1 %", ("at_news_fpr", "similarity", "0.01")),
    ("Moby (frequency) recall at dev-news FPR 0.5 %", ("at_news_fpr", "frequency", "0.005")),
    ("Moby (frequency) recall at dev-news FPR 1 %", ("at_news_fpr", "frequency", "0.01")),
)


def _get(report: dict, path: tuple[str, ...]):
    for key in path:
        if not isinstance(report, dict) or key not in report:
            return None
        report = report[key]
    return report


def _reference_share(path: Path, share: float):
    """Paragraphs of the documents whose id hashes into the first ``share`` of 1,000 buckets."""

    def in_share(record: dict) -> bool:
        return zlib.crc32(record["id"].encode("utf-8")) % 1000 < share * 1000

    return lambda: iter_jsonl_paragraphs(path, keep=in_share)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="0,1,2,3,4,5", help="comma-separated training seeds (default 0-5)")
    parser.add_argument(
        "--model", type=Path, default=ROOT / "models", help="reference and lexicon to keep (default: models/)"
    )
    parser.add_argument("--data", type=Path, default=corpora.DEFAULT_DATA, help=DATA_HELP)
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="scratch directory (not committed)")
    parser.add_argument("--out", type=Path, default=None, help="where the models go (default: WORK/compare)")
    parser.add_argument(
        "--max-train", type=positive_int, default=30000, help="training paragraphs, as scripts/train.py"
    )
    parser.add_argument(
        "--reference-share",
        type=float,
        default=None,
        help="count a new reference from this share (0-1] of the ref split instead of using --model's",
    )
    parser.add_argument("--foreign", action="store_true", help="also measure on spins made with Moby Thesaurus II")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON")
    args = parser.parse_args(argv)
    try:
        seeds = [seed_type(s) for s in args.seeds.split(",") if s.strip()]
    except argparse.ArgumentTypeError:
        parser.error(f"--seeds takes comma-separated seeds from 0 to {2**32 - 1}, not {args.seeds!r}")
    if not seeds:
        parser.error("--seeds names no seed")
    if args.reference_share is not None and not 0.0 < args.reference_share <= 1.0:
        parser.error(f"--reference-share must be in (0, 1], not {args.reference_share}")
    load_detector(parser, args.model)  # a directory that is no model fails here, not after the corpora are read
    check_output_dir(parser, "--json", args.json)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    out_dir = args.out or args.work / "compare"
    split_dir = args.work / "corpora"
    if not all((split_dir / f"{name}.jsonl").is_file() for name in ("ref", "train", "dev")):
        check_data(parser, args.data)
        print(f"exporting corpora to {split_dir} ...", file=sys.stderr, flush=True)
        corpora.export(split_dir, args.data)
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.reference_share is None:
        reference = Reference.load(args.model)
    else:
        print(f"counting a reference from {args.reference_share:.0%} of the ref split ...", file=sys.stderr, flush=True)
        reference = shipped.count_reference(
            _reference_share(split_dir / "ref.jsonl", args.reference_share),
            info={"corpus": f"{args.reference_share} of the ref split of scripts/corpora.py"},
        )
        print(f"reference: {reference.info['tokens']:,} tokens", file=sys.stderr, flush=True)
    lexicon = Lexicon.load(args.model)
    foreign = {}
    if args.foreign:
        import eval_foreign_thesaurus as moby

        words = moby.moby_words()
        foreign = {r: moby.foreign_set(args.data, moby.moby_lexicon(words, r)) for r in ("similarity", "frequency")}
    heldout = evaluate.read_jsonl(evaluate.CORPUS / "heldout_synthetic.jsonl")
    dev_spun = threshold_choices.dev_spins(lexicon, split_dir)
    dev_news_spins = [r for r in dev_spun if r["source"] in threshold_choices.NEWS_SOURCES]
    dev_other_spins = [r for r in dev_spun if r["source"] not in threshold_choices.NEWS_SOURCES]
    all_train = list(iter_jsonl_paragraphs(split_dir / "train.jsonl"))
    dev = list(iter_jsonl_paragraphs(split_dir / "dev.jsonl"))
    reports = {}
    for seed in seeds:
        t0 = time.time()
        rng = np.random.default_rng(seed)
        train = [all_train[i] for i in rng.permutation(len(all_train))[: args.max_train]]
        result = train_classifier(train, dev, reference, lexicon, seed=seed)
        card = build_card(result, reference, lexicon, command="python scripts/compare_seeds.py", seed=seed)
        model_dir = write_model(out_dir / f"seed-{seed}", reference, lexicon, result.classifier, card)
        detector = Detector.load(model_dir)
        report = evaluate.evaluate(detector, seeds=args.data.parent / "seeds")
        report["dev"] = result.metrics
        if foreign:
            report["foreign"] = {r: moby.measure(detector, rows) for r, rows in foreign.items()}
        # recall where the hidden test holds FPR: on clean news, at the same rate for every model
        sources, dev_probs = threshold_choices.dev_scores(detector, split_dir)
        is_news = np.isin(sources, threshold_choices.NEWS_SOURCES)
        report["at_news_fpr"] = {
            name: threshold_choices.recall_at_fpr(detector, dev_probs[is_news], rows)
            for name, rows in [("held-out", heldout), ("dev news", dev_news_spins), *foreign.items()]
        }
        # the other dev genres, each set of spins against its own clean paragraphs
        report["at_news_fpr"]["dev other genres"] = threshold_choices.recall_at_fpr(
            detector, dev_probs[~is_news], dev_other_spins
        )
        reports[seed] = report
        print(f"seed {seed}: {time.time() - t0:.0f} s, threshold {result.threshold:.4f}", file=sys.stderr, flush=True)

    header = "| measure | " + " | ".join(f"seed {s}" for s in seeds) + " | mean |"
    print(header)
    print("|---" * (len(seeds) + 2) + "|")
    summary = {}
    for label, path in COLUMNS:
        values = [_get(reports[s], path) for s in seeds]
        if any(v is None for v in values):
            continue  # e.g. no seed articles beside the repository
        mean = float(np.mean(values))
        summary[label] = {"per_seed": values, "mean": mean}
        cells = " | ".join(f"{v:.4f}" if isinstance(v, float) else str(v) for v in values)
        print(f"| {label} | {cells} | {mean:.4f} |")
    if args.json:
        report = {"seeds": seeds, "reference": reference.info, "summary": summary, "reports": reports}
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
