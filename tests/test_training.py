"""Retraining end to end (spincheck.training), on a small generated English corpus.

The corpus comes from a template grammar below, and the base model for most
tests is a tiny one built from that corpus and a hand-written thesaurus, so
the tests need no network, no shipped data beyond the package, and only a few
seconds. One slow test retrains on top of the shipped model, as
``spincheck train`` does by default.

``external_statistics`` (wordfreq and wordsegment counts) is replaced by an
empty dict: loading them takes about ten seconds and they are optional.
"""

from __future__ import annotations

import gzip
import json
import lzma
import os
import re
import shutil
import stat
import warnings
from pathlib import Path

import numpy as np
import pytest
from helpers import docx_bytes, docx_paragraph, rtf_bytes

TRAIN_EXTRA = "in spincheck's checkout: pip install '.[train]'"
pytest.importorskip("sklearn", reason=f"training needs scikit-learn ({TRAIN_EXTRA})")
pytest.importorskip("scipy", reason=f"training needs scipy ({TRAIN_EXTRA})")

import spincheck  # noqa: E402
from spincheck import training  # noqa: E402
from spincheck.detector import language_reason  # noqa: E402
from spincheck.features import PARAGRAPH_FEATURE_NAMES, TOKEN_FEATURE_NAMES  # noqa: E402
from spincheck.lexicon import Lexicon  # noqa: E402
from spincheck.model import CARD, Classifier, NeuralScorer, load_model_dir, sha256_file, write_card  # noqa: E402
from spincheck.spinner import Spinner  # noqa: E402
from spincheck.text import tokenize  # noqa: E402
from spincheck.training import TrainingError  # noqa: E402

# Tiny corpora leave the small networks short of convergence; that is expected here.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# ---- a small English corpus ------------------------------------------------------------------

SUBJECTS = [
    "the minister", "the company", "the council", "the committee", "local officials", "the bank", "the union",
    "the government", "the mayor", "researchers", "the school board", "the hospital", "the court", "the police",
    "a spokesman for the group", "the director", "voters", "the agency",
]  # fmt: skip
PEOPLE = ["Mary Smith", "John Brown", "Ann Clark", "Peter Jones", "Susan Hill", "David Lee", "Laura King", "Tom Baker"]
ORGS = [
    "city council", "state agency", "local bank", "school board", "health service", "trade union", "water company",
    "football club", "university", "transport department",
]  # fmt: skip
NOUNS = [
    "plan", "project", "budget", "report", "proposal", "contract", "program", "road", "bridge", "school", "hospital",
    "market", "price", "tax", "law", "election", "meeting", "survey", "study", "policy",
]  # fmt: skip
ADJS = ["new", "big", "important", "small", "large", "major", "local", "difficult", "simple", "final", "public"]
VERBS = ["build", "help", "start", "buy", "show", "support", "review", "change", "stop", "finish", "open", "close"]
VERBS_PAST = [
    "built", "helped", "started", "bought", "showed", "supported", "reviewed", "changed", "stopped", "finished",
    "opened", "closed",
]  # fmt: skip
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
TIMES = ["next week", "next month", "this year", "by the end of the year", "in the spring", "as soon as possible"]
PLACES = ["north of the city", "capital", "region", "town centre", "old town", "harbour area"]
GROUPS = ["residents", "workers", "parents", "children", "students", "farmers", "drivers", "shop owners"]
REASONS = [
    "the cost was too high", "the work was not finished", "the money had run out", "the weather was bad",
    "the plan was too complex", "more time was needed",
]  # fmt: skip
TEMPLATES = [
    "{subject} said on {day} that the {adj} {noun} would {verb} the {noun2} {time}.",
    "The {noun} of the {org} was {verb_past} after {reason}.",
    "{person}, who has worked for the {org} for {num} years, told reporters that the {noun} was {adj}.",
    "According to the {noun}, the {org} will {verb} its {noun2} in the {place} {time}.",
    "Many {group} {verb_past} the {adj} {noun}, but others said it could {verb} the {noun2}.",
    "It is important that the {org} {verb} the {noun} before the {adj} {noun2} starts.",
    "{subject} expected the {noun} to {verb} prices, and said that {group} would need more help.",
    "There were {num} {group} at the meeting, and most of them said that {reason}.",
]

# A hand-written thesaurus for the corpus's words. Groups spread over both the
# training and the held-out part (see Lexicon.in_split).
SYNONYMS = {
    "said": ["stated", "told", "mentioned"], "told": ["informed", "said to"], "big": ["large", "huge", "great"],
    "important": ["significant", "crucial"], "new": ["fresh", "novel"], "small": ["little", "minor"],
    "large": ["big", "huge"], "major": ["main", "key"], "difficult": ["hard", "tough"], "simple": ["easy", "plain"],
    "final": ["last", "closing"], "help": ["aid", "assist", "support"], "start": ["begin", "commence"],
    "starts": ["begins", "commences"], "buy": ["purchase", "acquire"], "show": ["present", "display"],
    "support": ["back", "help"], "change": ["alter", "modify"], "stop": ["halt", "end"], "finish": ["end", "complete"],
    "plan": ["scheme", "programme"], "project": ["venture", "scheme"], "road": ["route", "street"],
    "price": ["cost", "value"], "prices": ["costs", "values"], "meeting": ["assembly", "session"],
    "study": ["research", "examination"], "law": ["rule", "statute"], "market": ["marketplace", "bazaar"],
    "workers": ["employees", "staff"], "children": ["kids", "youngsters"], "residents": ["inhabitants", "locals"],
    "many": ["numerous", "a lot of"], "most": ["the majority", "nearly all"], "need": ["require", "want"],
    "expected": ["anticipated", "predicted"], "money": ["funds", "cash"], "weather": ["climate", "conditions"],
    "cost": ["price", "expense"], "time": ["period", "interval"], "work": ["job", "labor"],
    "more": ["additional", "extra"],
    "years": ["yrs", "twelvemonths"], "week": ["period", "workweek"], "city": ["metropolis", "municipality"],
    "town": ["township", "municipality"], "reporters": ["journalists", "newsmen"],
    "according to": ["in accordance with", "as stated by"], "as soon as possible": ["at the earliest opportunity"],
    "before": ["earlier than", "prior to"], "after": ["subsequently", "later than"], "others": ["different ones"],
    "public": ["populace", "open"],
}  # fmt: skip


def _sentence(rng: np.random.Generator) -> str:
    def pick(options: list[str]) -> str:
        return options[int(rng.integers(len(options)))]

    n1, n2 = rng.choice(len(NOUNS), size=2, replace=False)
    text = pick(TEMPLATES).format(
        subject=pick(SUBJECTS), day=pick(DAYS), adj=pick(ADJS), noun=NOUNS[n1], noun2=NOUNS[n2], verb=pick(VERBS),
        verb_past=pick(VERBS_PAST), time=pick(TIMES), org=pick(ORGS), reason=pick(REASONS), person=pick(PEOPLE),
        num=int(rng.integers(2, 40)), place=pick(PLACES), group=pick(GROUPS),
    )  # fmt: skip
    return text[:1].upper() + text[1:]


def generate_paragraphs(n: int, seed: int = 0) -> list[str]:
    """``n`` paragraphs of three to five template sentences each."""
    rng = np.random.default_rng(seed)
    return [" ".join(_sentence(rng) for _ in range(int(rng.integers(3, 6)))) for _ in range(n)]


def thesaurus_entries() -> dict[str, list[tuple[str, int]]]:
    entries, k = {}, 0
    for phrase, candidates in SYNONYMS.items():
        entries[phrase] = []
        for candidate in candidates:
            entries[phrase].append((candidate, (k * 37) % 100))
            k += 1
    return entries


def write_corpus(path: Path, paragraphs: list[str]) -> Path:
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def data_files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file() and p.name != CARD}


def partial_dirs(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".partial-" in p.name or ".old-" in p.name)


REAL_EXTERNAL_STATISTICS = training.external_statistics  # the fixture below stubs it out for speed


# ---- fixtures --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_external_statistics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(training, "external_statistics", lambda ngrams=True: {})


def _blank(n: int) -> NeuralScorer:
    return NeuralScorer(np.zeros(n), np.ones(n), np.zeros((n, 0)), np.zeros(0), np.zeros(n), 0.0)


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A base model: reference from generated text, the hand-written thesaurus, an untrained classifier."""
    out = tmp_path_factory.mktemp("base") / "model"
    reference = training.build_reference(generate_paragraphs(300, seed=1), info={"corpus": "generated"})
    lexicon = Lexicon.from_pairs(thesaurus_entries(), info={"source": "tests"})
    classifier = Classifier(_blank(len(TOKEN_FEATURE_NAMES)), _blank(len(PARAGRAPH_FEATURE_NAMES)), 0.0)
    return training.write_model(out, reference, lexicon, classifier, {"threshold": 0.5})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus") / "corpus.txt", generate_paragraphs(500, seed=2))


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, tiny_base: Path, corpus: Path) -> tuple[Path, Path, dict, dict]:
    """The same training run twice (seed 0) into two directories."""
    root = tmp_path_factory.mktemp("trained")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(training, "external_statistics", lambda ngrams=True: {})
        card1 = training.train([corpus], root / "run1", base_model=tiny_base, seed=0)
        card2 = training.train([corpus], root / "run2", base_model=tiny_base, seed=0)
    return root / "run1", root / "run2", card1, card2


# ---- end to end ------------------------------------------------------------------------------


def test_trained_model_loads_and_scores(trained) -> None:
    out, _, card, _ = trained
    model = load_model_dir(out)  # card hashes verified
    assert model.card.threshold == card["threshold"]
    detector = spincheck.Detector.load(out)
    assert detector.path == out
    clean = generate_paragraphs(4, seed=99)
    results = detector.score_paragraphs(clean + ["", "Bonjour tout le monde, comment allez-vous aujourd'hui ?"])
    assert len(results) == 6
    assert all(r.spun is not None and 0.0 <= r.probability <= 1.0 for r in results[:4])
    assert results[4].reason == "empty" and results[5].spun is None


def test_held_out_probabilities_are_the_detectors_long_paragraphs_too(trained) -> None:
    # the threshold and the card's figures were measured on long paragraphs scored whole, which the
    # detector scores in windows, its highest: a model of one-line BBC articles had a card FPR of
    # 0.7 % and flagged 6.0 % of unseen long ones (scored whole: 0.7 %)
    from spincheck.detector import MAX_UNIT_TOKENS

    out, _, _, _ = trained
    model = load_model_dir(out)
    fit = training._Fitting(model.reference, model.lexicon, np.random.default_rng(0), 0, False)
    fit.token_scorer, fit.prior_logit = model.classifier.token, model.classifier.prior_logit
    paragraphs = generate_paragraphs(40, seed=21)
    long = [" ".join(paragraphs[i : i + 8]) for i in range(0, 40, 8)]
    assert all(len(tokenize(t)) > MAX_UNIT_TOKENS for t in long)
    texts = paragraphs[:3] + long
    detector = spincheck.Detector.load(out)
    expected = [r.probability for r in detector.score_paragraphs(texts)]
    assert fit.probabilities(model.classifier, texts, "test").tolist() == pytest.approx(expected, rel=1e-9, abs=1e-12)
    whole = model.classifier.paragraph.predict_proba(fit.paragraph_features(long, "test"))
    assert not np.allclose(whole, expected[3:])  # scored whole, as before: other numbers


def test_card_records_how_the_classifier_was_trained(trained) -> None:
    """The card on disk says which settings made the model, so a retrained one can be compared with it."""
    out, _, _, _ = trained
    settings = json.loads((out / "card.json").read_text(encoding="utf-8"))["training_settings"]
    # the recorded sizes are those of the networks in the model file
    classifier = load_model_dir(out).classifier
    assert classifier.token.hidden_weights.shape[1] == settings["token_model"]["hidden"] == training.TOKEN_HIDDEN
    assert classifier.paragraph.hidden_weights.shape[1] == settings["paragraph_model"]["hidden"]
    # and the rest is what this release trains with
    share, weight = training.PARAGRAPH_HARD_NEGATIVES
    assert settings["paragraph_model"] == {
        "hidden": training.PARAGRAPH_HIDDEN,
        "hard_negative_share": share,
        "hard_negative_weight": weight,
    }
    assert settings["target_fpr"] == training.TARGET_FPR
    assert settings["training_generic_rate"] == training.TRAINING_GENERIC_RATE
    assert settings["token_model"]["lexicon"] == training.TOKEN_MODEL_LEXICON


def test_trained_model_learned_to_separate(trained, tiny_base: Path) -> None:
    """Held-out spins (thesaurus groups never used in training) score above their clean originals."""
    out, _, card, _ = trained
    counts = card["training_counts"]
    assert counts["train_paragraphs"] >= training.MIN_TRAIN_PARAGRAPHS
    assert counts["spun_dev"] > 0 and counts["spun_paragraph_model"] > 0
    detector = spincheck.Detector.load(out)
    spinner = Spinner(load_model_dir(tiny_base).lexicon, split="heldout")
    rng = np.random.default_rng(0)
    clean = generate_paragraphs(60, seed=123)
    spun = [spinner.spin(p, rng, rate=0.5).text for p in clean]
    p_clean = np.array([r.probability for r in detector.score_paragraphs(clean)])
    p_spun = np.array([r.probability for r in detector.score_paragraphs(spun)])
    # ROC-AUC well above chance, without pinning any probability
    auc = (p_spun[:, None] > p_clean[None, :]).mean() + 0.5 * (p_spun[:, None] == p_clean[None, :]).mean()
    assert auc > 0.75


def test_card_records_training(trained, corpus: Path, tiny_base: Path) -> None:
    out, _, card, _ = trained
    on_disk = json.loads((out / CARD).read_text(encoding="utf-8"))
    assert on_disk["seed"] == 0 and on_disk["reference_mode"] == "merge"
    # the base --model named, by the model_id score reports for it (its path says nothing of what it held)
    assert on_disk["base_model_id"] == load_model_dir(tiny_base).fingerprint
    assert on_disk["training_inputs_sha256"] == {str(corpus): sha256_file(corpus)}
    # merged into the base's reference: the card names both sources, as reference.json does
    assert [info["corpus"] for info in on_disk["reference"]["merged_from"]] == ["generated", "user"]
    assert sum(on_disk["corpus_paragraphs"].values()) == 500
    assert set(on_disk["heldout_metrics"]) >= {"precision", "recall", "f1", "roc_auc", "fpr"}
    assert card["threshold"] == on_disk["threshold"]


def test_training_reports_its_stages_and_hashes_exactly_the_files_it_read(
    tmp_path: Path, tiny_base: Path, corpus: Path
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(corpus, folder / "news.txt")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")  # hidden: not read
    (folder / "table.csv").write_text("not,read\n", encoding="utf-8")  # not a kind score reads
    spun = tmp_path / "spun.jsonl"
    examples = [generate_paragraphs(1, seed=5)[0], "A Spun Copy's Headline"]  # the headline is too short
    spun.write_text("".join(json.dumps({"text": t, "label": 1}) + "\n" for t in examples), encoding="utf-8")
    stages: list[str] = []
    with pytest.warns(training.CorpusFileWarning, match=r"table\.csv is left out"):  # and said so
        card = training.train([folder], tmp_path / "model", spun=[spun], base_model=tiny_base, progress=stages.append)
    assert card["training_inputs_sha256"] == {
        str(folder / "news.txt"): sha256_file(folder / "news.txt"),
        str(spun): sha256_file(spun),
    }
    # real examples the detector would not score are not trained on, and the card says so
    assert (card["training_counts"]["extra_spun"], card["training_counts"]["extra_spun_not_scored"]) == (1, 1)
    # off a terminal the CLI gives a function: one call as each stage starts
    assert stages[:5] == [
        "reading the corpus",
        "counting n-grams",
        "counting co-occurrences",
        "building the word vectors",  # seconds without a word, after the counting
        "building the n-gram tables",
    ]
    assert {"fitting the token model", "fitting the paragraph model", "spinning (held-out)"} <= set(stages)


def test_same_seed_gives_byte_identical_model(trained) -> None:
    run1, run2, card1, card2 = trained
    files1, files2 = data_files(run1), data_files(run2)
    assert sorted(files1) == sorted(files2)
    different = [name for name in files1 if files1[name] != files2[name]]
    assert different == []
    cards = [json.loads((run / CARD).read_text(encoding="utf-8")) for run in (run1, run2)]
    assert cards[0]["files"] == cards[1]["files"]
    assert card1["threshold"] == card2["threshold"] and card1["heldout_metrics"] == card2["heldout_metrics"]


def test_the_same_seed_and_jobs_give_byte_identical_files_with_several_threads(
    capsys, tmp_path: Path, tiny_base: Path, corpus: Path
) -> None:
    """--jobs sets the BLAS threads, and more threads add up in another order: retrained on 400 BBC
    articles (--reference merge, seed 0), --jobs 1 and --jobs 2 wrote different classifier.npz
    files (paragraph weights 2e-6 apart), so the README promises byte-identical files for the same
    --seed and --jobs; with two threads, two runs must still agree."""
    from spincheck.cli import main

    for name in ("a", "b"):
        argv = ["train", "-q", "--clean", str(corpus), "--out", str(tmp_path / name), "--model", str(tiny_base)]
        assert main([*argv, "--seed", "1", "--jobs", "2"]) == 0
    assert data_files(tmp_path / "a") == data_files(tmp_path / "b")


def test_training_uses_the_blas_threads_asked_for_whatever_the_cores(
    monkeypatch, tmp_path: Path, tiny_base: Path, corpus: Path
) -> None:
    """More threads add up in another order: scripts/train.py, which set no limit, wrote other
    vectors.npy and classifier.npz with OPENBLAS_NUM_THREADS=1 than with two cores' default (200
    BBC articles, --reference replace). The word vectors and the fits use the threads asked for
    (one by default), not as many as the machine has."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from spincheck.estimator import SpinClassifier
    from spincheck.vectors import VectorBuilder

    seen: list[set[int]] = []

    def recorded(real):
        def run(self, *args, **kwargs):
            seen.append({pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"})
            return real(self, *args, **kwargs)

        return run

    monkeypatch.setattr(VectorBuilder, "build", recorded(VectorBuilder.build))
    monkeypatch.setattr(SpinClassifier, "fit", recorded(SpinClassifier.fit))
    with threadpoolctl.threadpool_limits(2):  # a machine of two cores or more, as BLAS starts there
        training.train([corpus], tmp_path / "model", base_model=tiny_base)
    assert len(seen) == 3 and all(threads == {1} for threads in seen)  # vectors, token and paragraph models


def test_the_thread_limit_covers_scipys_blas_loaded_after_it(run_python) -> None:
    """threadpoolctl limits only the libraries loaded when it is entered, and SciPy's own OpenBLAS,
    which the word vectors' SVD runs on, was loaded later, by the SVD's import: train --jobs 1
    left it every core (the vectors and the classifier differed with OPENBLAS_NUM_THREADS=1)."""
    pytest.importorskip("threadpoolctl")
    code = (
        "from spincheck import training\n"
        "from threadpoolctl import threadpool_info\n"
        "with training._threads(1):\n"
        "    import scipy.linalg\n"
        "    print(sorted({p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'}))\n"
    )
    assert run_python(code, env={"OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}).strip() == "[1]"


def test_the_order_the_files_are_given_in_does_not_change_the_training(monkeypatch, tmp_path: Path, tiny_base) -> None:
    """The parts' order follows the files', and sets what each seed draws: "--clean b.txt a.txt"
    trained another model than "--clean a.txt b.txt" (and a shell's glob orders by locale)."""
    paragraphs = generate_paragraphs(60, seed=7)
    clean = [write_corpus(tmp_path / f"{name}.txt", paragraphs[k::3]) for k, name in enumerate("bCa")]
    spun = [write_corpus(tmp_path / f"spun-{name}.txt", [p]) for p, name in zip(paragraphs, "yX")]
    seen: list[list] = []
    real_split, real_read = training.split_corpus, training.read_labelled_examples

    def split(documents, shares):
        documents = list(documents)
        seen.append([doc_id for doc_id, _ in documents])
        return real_split(documents, shares)

    def read(paths, *args, **kwargs):
        seen.append(real_read(paths, *args, **kwargs))
        raise TrainingError("stop here")

    monkeypatch.setattr(training, "split_corpus", split)
    monkeypatch.setattr(training, "read_labelled_examples", read)
    for order in (slice(None), slice(None, None, -1)):
        with pytest.raises(TrainingError, match="stop here"):
            training.train(clean[order], tmp_path / "out", spun=spun[order], base_model=tiny_base)
    assert seen[0] == seen[2] and seen[1] == seen[3]


def test_too_small_corpus_fails_cleanly(tmp_path: Path, tiny_base: Path) -> None:
    corpus = write_corpus(tmp_path / "small.txt", generate_paragraphs(40, seed=5) + ["Too short to count."] * 300)
    out = tmp_path / "model"
    # every paragraph counted once (the count added the 12+-word ones to all of the reference's),
    # and a repeated one once: it is trained on or held out once
    needed = training.paragraphs_needed()
    with pytest.raises(TrainingError, match=f"too small: 41 different paragraphs .* at least {needed} "):
        training.train([corpus], out, base_model=tiny_base)
    assert not out.exists()
    one = write_corpus(tmp_path / "one.txt", generate_paragraphs(1, seed=5))
    with pytest.raises(TrainingError, match="too small: 1 paragraph, of which"):  # not "1 paragraphs"
        training.train([one], out, base_model=tiny_base)
    assert partial_dirs(tmp_path) == []


def test_the_corpus_size_asked_for_is_enough_nearly_always() -> None:
    """The bare average a random 40/40/20 split needs (375) failed 12 of 20 corpora of that size."""
    n = training.paragraphs_needed()
    draws = np.random.default_rng(0).multinomial(n, [0.4, 0.4, 0.2], size=20_000)
    enough = (draws[:, 1] >= training.MIN_TRAIN_PARAGRAPHS) & (draws[:, 2] >= training.MIN_DEV_PARAGRAPHS)
    assert enough.mean() > 0.998
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"at least {n} paragraphs of 12+ words" in readme


def _write(out: Path, base: Path) -> Path:
    model = load_model_dir(base)
    return training.write_model(out, model.reference, model.lexicon, model.classifier, {"threshold": 0.5})


def test_failure_while_writing_leaves_no_partial_model(
    tmp_path: Path, tiny_base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "model"

    def broken_write_card(directory, card):
        raise OSError("disk full")

    monkeypatch.setattr(spincheck.model, "write_card", broken_write_card)
    with pytest.raises(OSError, match="disk full"):
        _write(out, tiny_base)
    assert not out.exists()
    assert partial_dirs(tmp_path) == []


def _existing_model(tmp_path: Path, base: Path) -> tuple[Path, dict[str, bytes]]:
    """A model directory at ``tmp_path/model`` and its files' bytes, to check it is left as it was."""
    out = tmp_path / "model"
    shutil.copytree(base, out)
    return out, {p.name: p.read_bytes() for p in out.iterdir()}


def test_a_rewritten_model_keeps_the_files_asked_for(tmp_path: Path, tiny_base: Path) -> None:
    # scripts/train.py rewrites models/ keeping its __init__.py, which makes it the package
    # spincheck._models: without it a rebuilt model would not be installed with the package
    out, _ = _existing_model(tmp_path, tiny_base)
    (out / "__init__.py").write_text("# the shipped model\n")
    card = json.loads((out / "card.json").read_text())
    card["files"]["__init__.py"] = sha256_file(out / "__init__.py")  # as the shipped card lists it
    (out / "card.json").write_text(json.dumps(card))
    model = load_model_dir(tiny_base)
    training.write_model(
        out, model.reference, model.lexicon, model.classifier, {"threshold": 0.5}, keep=["__init__.py", "missing.py"]
    )
    assert (out / "__init__.py").read_text() == "# the shipped model\n" and not (out / "missing.py").exists()
    rewritten = load_model_dir(out).card
    assert rewritten.threshold == 0.5 and "__init__.py" in rewritten.files  # listed again: the next rewrite works


def test_a_model_directory_is_written_with_the_folders_above_it(tmp_path: Path, tiny_base: Path) -> None:
    """--out makes the folders it names (a model is a directory, made as mkdir -p makes one), where
    score and explain refuse an output file in a missing folder: a test of what the README says."""
    out = tmp_path / "new" / "deeper" / "model"
    model = load_model_dir(tiny_base)
    training.write_model(out, model.reference, model.lexicon, model.classifier, {"threshold": 0.5})
    assert load_model_dir(out).card.threshold == 0.5


def test_a_written_model_carries_its_lexicons_casing(tmp_path: Path, tiny_base: Path) -> None:
    """spincheck train writes the base model's lexicon: its casing.npz (how suggestions are
    written) comes along, listed in the new card; a base without one gives a model without one."""
    import dataclasses

    model = load_model_dir(tiny_base)
    assert model.lexicon.casing == {} and not (tiny_base / Lexicon.CASING_FILE).exists()
    lexicon = dataclasses.replace(model.lexicon, casing={"uk": "UK"})
    out = training.write_model(tmp_path / "model", model.reference, lexicon, model.classifier, {"threshold": 0.5})
    written = load_model_dir(out)
    assert written.lexicon.casing == {"uk": "UK"} and Lexicon.CASING_FILE in written.card.files


def test_a_rewritten_model_keeps_the_access_of_the_old_one(tmp_path: Path, tiny_base: Path) -> None:
    """Retraining reset a private model (0750, files 0640) to 0755 and 0644: the tables counted from a
    private corpus became readable by anyone."""
    out, _ = _existing_model(tmp_path, tiny_base)
    group = out.stat().st_gid
    if os.geteuid() == 0:  # root can give it a group the new directory would not get by itself
        group = 65534 if group != 65534 else 65533
        os.chown(out, -1, group)
    os.chmod(out, 0o2750)
    for f in out.iterdir():
        os.chmod(f, 0o640)
    _write(out, tiny_base)
    assert stat.S_IMODE(out.stat().st_mode) == 0o2750 and out.stat().st_gid == group
    assert {stat.S_IMODE(f.stat().st_mode) for f in out.iterdir()} == {0o640}
    # a new model directory gets the usual modes (umask, applied by the system), not a private one
    umask = os.umask(0)
    os.umask(umask)
    with pytest.MonkeyPatch.context() as patch:  # setting it to read it would be felt by other threads
        patch.setattr(os, "umask", lambda mask: pytest.fail("the umask was set to read it"))
        fresh = _write(tmp_path / "fresh", tiny_base)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o777 & ~umask


def test_failure_while_writing_keeps_the_old_model(
    tmp_path: Path, tiny_base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = _existing_model(tmp_path, tiny_base)

    def broken_save(self, path):
        raise OSError("disk full")

    monkeypatch.setattr(Classifier, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        _write(out, tiny_base)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert partial_dirs(tmp_path) == []


def test_stopped_between_the_renames_keeps_the_old_model(
    tmp_path: Path, tiny_base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C after the old model was moved aside, before the new one took its place."""
    import os

    out, before = _existing_model(tmp_path, tiny_base)
    renames = []

    def rename(src, dst):
        renames.append(dst)
        if len(renames) == 2:
            raise KeyboardInterrupt
        os_rename(src, dst)

    os_rename = os.rename
    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        _write(out, tiny_base)
    monkeypatch.undo()
    assert len(renames) >= 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # nothing left beside it


def test_a_directory_left_by_a_killed_run_does_not_stop_the_replacement(tmp_path: Path, tiny_base: Path) -> None:
    # the old model was moved to .model.old-<pid>: where a killed run left that name (a container
    # runs train as the same PID each time), the rename failed, "Directory not empty", after all
    # the work, and the directory left was deleted
    out, _ = _existing_model(tmp_path, tiny_base)
    left = tmp_path / f".model.old-{os.getpid()}"
    left.mkdir()
    (left / "vectors.npy").write_bytes(b"what a killed run left")
    _write(out, tiny_base)
    load_model_dir(out)
    assert (left / "vectors.npy").read_bytes() == b"what a killed run left"
    assert partial_dirs(tmp_path) == [left.name]


def test_replaces_an_existing_model_atomically(tmp_path: Path, tiny_base: Path) -> None:
    out = tmp_path / "model"
    _write(out, tiny_base)
    (out / "stale.npy").write_bytes(b"a file of an older model, listed in its card")
    write_card(out, json.loads((out / CARD).read_text(encoding="utf-8")))
    _write(out, tiny_base)
    assert not (out / "stale.npy").exists()
    load_model_dir(out)
    assert partial_dirs(tmp_path) == []
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask  # not mkdtemp's private 0700


def test_refuses_to_replace_a_model_directory_holding_other_files(tmp_path: Path, tiny_base: Path) -> None:
    """Replacing a model directory deletes it: files its card does not list (a team's notes, a
    .git) would go with it."""
    out = tmp_path / "model"
    _write(out, tiny_base)
    (out / "NOTES.md").write_text("how we trained it", encoding="utf-8")
    (out / ".git").mkdir()
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(TrainingError, match=r"not part of its model \(\.git, NOTES\.md\)"):
        _write(out, tiny_base)
    with pytest.raises(TrainingError, match="not part of its model"):  # before any training
        training.train([tmp_path / "missing.txt"], out, base_model=tiny_base)
    assert sorted(p.name for p in out.iterdir()) == before and partial_dirs(tmp_path) == []


def test_progress_takes_a_function_or_a_flag() -> None:
    stages: list[str] = []
    assert list(training._progress([1, 2], "counting", stages.append)) == [1, 2] and stages == ["counting"]
    with training._stage("fitting", stages.append):
        pass
    assert stages == ["counting", "fitting"]
    assert training._progress([1], "counting", False) == [1]
    bar = training._progress([1], "counting", 1)  # any other true value: a bar, as True gives
    assert type(bar).__name__ == "tqdm" and list(bar) == [1]


def test_check_out_cases(tmp_path: Path, tiny_base: Path) -> None:
    training.check_out(tmp_path / "new")  # does not exist: fine
    (tmp_path / "empty").mkdir()
    training.check_out(tmp_path / "empty")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(TrainingError, match="exists and is not a directory"):
        training.check_out(tmp_path / "file")
    model = shutil.copytree(tiny_base, tmp_path / "model")
    (model / "__pycache__").mkdir()  # the shipped model's directory is a package: its bytecode may appear
    training.check_out(model)
    (model / CARD).write_text("{not json", encoding="utf-8")
    with pytest.raises(TrainingError, match="damaged card.json"):
        training.check_out(model)
    # a symlink loop, or a path through one, ended training as "a bug" (RuntimeError from Path.resolve)
    (tmp_path / "loop").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop")
    for out in (tmp_path / "loop", tmp_path / "loop" / "model"):
        with pytest.raises(TrainingError, match=r"cannot write .*loop.*: too many levels of symbolic links"):
            training.check_out(out)
        with pytest.raises(TrainingError, match=r"loop.*: too many levels of symbolic links \(a symlink loop"):
            list(training.iter_corpus_documents([out]))  # was "no such file or directory"


def test_refuses_to_replace_the_shipped_model(
    tmp_path: Path, tiny_base: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a stand-in for the shipped model: were the refusal broken, this test must not overwrite the real one
    shipped = tmp_path / "_models"
    shutil.copytree(tiny_base, shipped)
    # as the real one: its card predates casing.npz and does not list it (said "move them" of it)
    card = json.loads((shipped / CARD).read_text())
    card["files"].pop("casing.npz", None)
    (shipped / "casing.npz").write_bytes(b"written after the card")
    (shipped / CARD).write_text(json.dumps(card))
    monkeypatch.setattr(spincheck.model, "default_model_dir", lambda: shipped)
    before = {p.name: p.read_bytes() for p in shipped.iterdir()}
    with pytest.raises(TrainingError, match="is the shipped model"):
        training.train([corpus], shipped)
    with pytest.raises(TrainingError, match="is the shipped model"):  # however the path is written
        training.train([corpus], tmp_path / "x" / ".." / "_models", base_model=tiny_base)
    with pytest.raises(TrainingError, match="inside the shipped model's directory"):
        training.train([corpus], shipped / "mine", base_model=tiny_base)
    assert {p.name: p.read_bytes() for p in shipped.iterdir()} == before


def test_refuses_to_replace_a_checkouts_models_package(tmp_path: Path, tiny_base: Path, corpus: Path) -> None:
    # a checkout's models/ while the running spincheck is installed elsewhere (pip install . run
    # from the checkout): not default_model_dir(), but the package spincheck._models all the same
    models = shutil.copytree(tiny_base, tmp_path / "models")
    (models / "__init__.py").write_text('"""The shipped model."""\n')
    card = json.loads((models / CARD).read_text())
    card["files"]["__init__.py"] = sha256_file(models / "__init__.py")  # as the shipped card lists it
    (models / CARD).write_text(json.dumps(card))
    before = {p.name: p.read_bytes() for p in models.iterdir()}
    with pytest.raises(TrainingError, match="is the shipped model"):
        training.train([corpus], models, base_model=tiny_base)
    assert {p.name: p.read_bytes() for p in models.iterdir()} == before


def test_an_output_that_cannot_be_written_fails_before_training(tmp_path: Path, tiny_base: Path, corpus: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where a directory should be", encoding="utf-8")
    with pytest.raises(TrainingError, match="cannot write"):
        training.train([tmp_path / "missing.txt"], blocker / "model", base_model=tiny_base)


def test_refuses_to_overwrite_a_directory_that_is_not_a_model(tmp_path: Path, tiny_base: Path) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "important.txt").write_text("do not delete", encoding="utf-8")
    with pytest.raises(TrainingError, match="not a model directory"):
        _write(out, tiny_base)
    assert [p.name for p in out.iterdir()] == ["important.txt"]
    assert partial_dirs(tmp_path) == []


def test_not_english_corpus_is_refused(tmp_path: Path, tiny_base: Path) -> None:
    french = "Le conseil municipal a discuté mardi soir du projet de nouvelle bibliothèque publique. " * 3
    corpus = write_corpus(tmp_path / "fr.txt", [french] * 300)
    with pytest.raises(TrainingError, match="English"):
        training.train([corpus], tmp_path / "model", base_model=tiny_base)
    assert not (tmp_path / "model").exists()


def test_unknown_reference_mode(tmp_path: Path, tiny_base: Path, corpus: Path) -> None:
    with pytest.raises(TrainingError, match="reference"):
        training.train([corpus], tmp_path / "model", base_model=tiny_base, reference_mode="blend")


@pytest.mark.slow
def test_retrain_on_top_of_the_shipped_model(tmp_path: Path, corpus: Path) -> None:
    """What ``spincheck train --clean corpus.txt --out dir`` does: merge into the shipped reference."""
    out = tmp_path / "model"
    card = training.train([corpus], out, seed=0)
    detector = spincheck.Detector.load(out)
    assert detector.threshold == card["threshold"]
    shipped = load_model_dir(spincheck.model.default_model_dir())
    assert card["reference"]["tokens"] > shipped.card.raw["reference"]["tokens"]
    results = detector.score_paragraphs(generate_paragraphs(3, seed=7))
    assert all(r.spun is not None for r in results)


# ---- corpus reading and splitting --------------------------------------------------------------


def test_reference_records_the_external_sources_it_blended() -> None:
    texts = ["the cat sat on the mat and the dog ran off"] * 3
    sources = ["wordfreq 9.9", "pocketsphinx 9.9: model/en-us/en-us.lm.bin sha256:00"]
    ref = training.build_reference(texts, external={"sources": sources}, info={"corpus": "t"})
    assert ref.info["external"] == sources and ref.info["corpus"] == "t"
    assert "external" not in training.build_reference(texts, external={}, info={"corpus": "t"}).info


def test_a_damaged_sphinx_model_stops_training_with_one_clear_message(monkeypatch, tmp_path: Path) -> None:
    from spincheck import sphinxlm

    bad = tmp_path / "en-us.lm.bin"
    bad.write_bytes(b"not a language model")
    monkeypatch.setattr(sphinxlm, "model_paths", lambda: [bad])
    with pytest.raises(TrainingError, match="cannot read a Sphinx language model: .*not a Sphinx trie.*reinstall"):
        REAL_EXTERNAL_STATISTICS()


def test_training_without_the_web_scale_counts_says_so(monkeypatch) -> None:
    """Without the train extra's packages, a reference was counted from the corpus alone, silently
    (a user's unigram table held 4,863 words instead of about 320,000)."""
    import sys

    from spincheck import sphinxlm

    monkeypatch.setitem(sys.modules, "wordfreq", None)  # as if not installed: import raises ImportError
    monkeypatch.setattr(sphinxlm, "model_paths", lambda: [])
    with pytest.warns(UserWarning, match=r"^wordfreq and pocketsphinx or SpeechRecognition .* not installed") as caught:
        out = REAL_EXTERNAL_STATISTICS()
    # the extra's name works only in the checkout (spincheck[train] from an index installs nothing)
    assert str(caught[0].message).endswith("(in spincheck's checkout: pip install '.[train]')")
    assert "word_freqs" not in out and "external_bigrams" in out


def test_split_corpus_is_stable_and_complete() -> None:
    docs = [(f"doc{i}", "\n\n".join(generate_paragraphs(3, seed=i))) for i in range(20)]
    a = training.split_corpus(docs)
    b = training.split_corpus(list(reversed(docs)))
    assert sum(len(v) for v in a.values()) == 60
    for part in ("ref", "train", "dev"):
        assert sorted(a[part]) == sorted(b[part])  # by a stable hash, not by position
    assert all(a.values())


def test_word_frequencies_equal_wordfreqs_own_rounding() -> None:
    """external_statistics rounds the raw frequency dict itself; it must match word_frequency()."""
    wordfreq = pytest.importorskip("wordfreq")
    from itertools import islice

    raw = wordfreq.get_frequency_dict("en")
    words = list(islice(wordfreq.iter_wordlist("en"), 0, 320_000, 37))  # common to rare
    assert len(words) > 8000
    assert [training._three_digits(raw[w]) for w in words] == [wordfreq.word_frequency(w, "en") for w in words]


def _shares(parts: dict[str, list[str]]) -> dict[str, float]:
    total = sum(len(v) for v in parts.values())
    return {k: len(v) / total for k, v in parts.items()}


@pytest.mark.parametrize(
    "docs",
    [
        # many small documents whose ids differ only in a counter
        [(f"abc/rural.txt/{i}", "\n\n".join(f"p{i}-{k}" for k in range(12))) for i in range(2000)],
        # one corpus file without article breaks: a single document of 25,000 paragraphs
        [("abc/science.txt/0", "\n\n".join(f"p{k}" for k in range(25_000)))],
    ],
    ids=["similar-ids", "one-huge-document"],
)
def test_split_corpus_keeps_its_proportions(docs) -> None:
    shares = _shares(training.split_corpus(docs))
    assert 0.75 < shares["ref"] < 0.85
    assert 0.08 < shares["train"] < 0.16
    assert 0.05 < shares["dev"] < 0.11
    merged = _shares(training.split_corpus(docs, training.MERGE_SPLIT))
    assert 0.65 < merged["ref"] < 0.75
    assert 0.14 < merged["train"] < 0.22
    assert 0.09 < merged["dev"] < 0.15


def test_train_splits_by_the_reference_mode(monkeypatch, tmp_path: Path) -> None:
    """merge gives the classifier a larger share of the corpus than replace."""
    seen = []

    def fake_split(documents, shares=(80, 92)):
        seen.append(shares)
        raise training.TrainingError("stop here")

    monkeypatch.setattr(training, "split_corpus", fake_split)
    (tmp_path / "a.txt").write_text("Some clean text.", encoding="utf-8")
    for mode in ("merge", "replace"):
        with pytest.raises(training.TrainingError, match="stop here"):
            training.train([tmp_path], tmp_path / f"out-{mode}", reference_mode=mode)
    assert seen == [training.MERGE_SPLIT, training.REPLACE_SPLIT]


def test_the_help_and_docs_give_the_splits_training_uses(capsys) -> None:
    """The shares are written out in `spincheck train --help` and docs/training.md (the CLI does not
    import training to format them, to keep its start fast): they must follow the constants."""
    from spincheck.cli import main

    def shares(split: tuple[int, int]) -> str:
        ref, ref_train = split
        return f"{ref}/{ref_train - ref}/{100 - ref_train} %"

    assert main(["train", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    docs = " ".join((Path(__file__).resolve().parents[1] / "docs" / "training.md").read_text(encoding="utf-8").split())
    for text in (help_text, docs):
        assert shares(training.MERGE_SPLIT) in text and shares(training.REPLACE_SPLIT) in text


def test_split_does_not_depend_on_where_the_corpus_lies(tmp_path: Path) -> None:
    lines = [json.dumps({"id": i, "text": "\n\n".join(f"p{i}-{k}" for k in range(30))}) for i in range(700)]
    splits = []
    for where in ("a", "b/c"):
        (tmp_path / where).mkdir(parents=True)
        corpus = tmp_path / where / "corpus.jsonl"
        corpus.write_text("\n".join(lines), encoding="utf-8")
        splits.append(training.split_corpus(training.iter_corpus_documents([corpus])))
        splits.append(training.split_corpus(training.iter_corpus_documents([tmp_path / where])))
    assert all(s == splits[0] for s in splits[1:])


def test_files_of_one_name_in_several_folders_are_documents_each(tmp_path: Path) -> None:
    """Given as "--clean */review.txt", every file had the id review.txt, so paragraph k of each went
    to the same part: 250 three-paragraph reviews held out none, and failed as a corpus too small."""
    files = []
    for k in range(30):
        (tmp_path / f"{k:02d}").mkdir()
        files.append(write_corpus(tmp_path / f"{k:02d}" / "review.txt", [f"Review {k}, part {i}." for i in range(3)]))
    (tmp_path / "more.jsonl").write_text(json.dumps({"text": "A record."}) + "\n", encoding="utf-8")
    (tmp_path / "00" / "more.jsonl").write_text(json.dumps({"text": "Another."}) + "\n", encoding="utf-8")
    jsonl = [tmp_path / "more.jsonl", tmp_path / "00" / "more.jsonl"]
    ids = [doc_id for doc_id, _ in training.iter_corpus_documents([*files, *jsonl])]
    assert len(set(ids)) == len(ids) == 32  # "more.jsonl:1" twice, too
    parts = training.split_corpus(training.iter_corpus_documents(files))
    assert all(len(parts[part]) > 5 for part in ("ref", "train", "dev"))


def test_iter_corpus_documents_reads_text_and_jsonl(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("First text.", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(
        json.dumps({"id": "x", "text": "Second text."}) + "\n\n" + json.dumps({"text": "Third."}) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "ignored.csv").write_text("not,read", encoding="utf-8")
    with pytest.warns(training.CorpusFileWarning, match=r"ignored\.csv is left out"):
        docs = list(training.iter_corpus_documents([tmp_path]))
    assert [text for _, text in docs] == ["First text.", "Second text.", "Third."]
    assert docs[1][0].endswith(":x") and docs[2][0].endswith(":3")
    # compressed, they are the same documents under their own names
    (tmp_path / "a.txt").rename(tmp_path / "a.txt.orig")
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(b"First text."))
    (tmp_path / "b.jsonl.xz").write_bytes(lzma.compress((tmp_path / "b.jsonl").read_bytes()))
    (tmp_path / "b.jsonl").unlink()
    with pytest.warns(training.CorpusFileWarning, match=r"(ignored\.csv|a\.txt\.orig) is left out"):
        packed = list(training.iter_corpus_documents([tmp_path]))
    assert [text for _, text in packed] == ["First text.", "Second text.", "Third."]
    assert [doc_id for doc_id, _ in packed] == ["a.txt.gz", "b.jsonl.xz:x", "b.jsonl.xz:3"]


def test_a_file_given_twice_is_read_once(tmp_path: Path) -> None:
    """ "--clean corpus/ corpus/a.txt" (or one file named twice) trained on the file twice, and the
    card listed it once."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("First text.", encoding="utf-8")
    (corpus / "b.txt").write_text("Second text.", encoding="utf-8")
    with pytest.warns(training.CorpusFileWarning, match=r"is given more than once \(read once\)$") as caught:
        docs = list(training.iter_corpus_documents([corpus, corpus / "a.txt", tmp_path / "corpus" / ".." / "corpus"]))
    assert [doc_id for doc_id, _ in docs] == ["a.txt", "b.txt"]
    # a.txt named again, then both files of the folder named again
    assert [Path(w.message.path).name for w in caught] == ["a.txt", "a.txt", "b.txt"]


def test_a_file_with_no_text_is_warned_about_and_an_empty_jsonl_is_not(tmp_path: Path) -> None:
    from pdf_maker import make_pdf

    (tmp_path / "a.jsonl").write_text("\n")  # no records: nothing to say beyond the corpus check
    (tmp_path / "b.txt").write_text("Some text.")
    (tmp_path / "scan.pdf").write_bytes(make_pdf([[]]))
    with pytest.warns(training.CorpusFileWarning) as caught:
        docs = dict(training.iter_corpus_documents([tmp_path]))
    assert docs["b.txt"] == "Some text." and not docs.get("scan.pdf", "").strip() and "a.jsonl" not in str(docs)
    assert [str(w.message) for w in caught] == [
        f"{tmp_path / 'scan.pdf'} has no text to train on (a scanned PDF needs OCR first)"
    ]


def test_a_table_named_in_the_corpus_is_warned_about_as_plain_text(tmp_path: Path) -> None:
    # a CSV export of articles: its ids and topics ran into the paragraphs, and nothing was said
    (tmp_path / "articles.csv").write_text('id,text\nbbc-1,"The council met on Monday."\n')
    (tmp_path / "rows.tsv.gz").write_bytes(gzip.compress(b"id\ttext\nbbc-2\tThe council met again.\n"))
    (tmp_path / "records.csv").write_text('{"text": "JSONL saved as .csv is read as JSONL."}\n')
    with pytest.warns(training.CorpusFileWarning) as caught:
        docs = dict(training.iter_corpus_documents(sorted(tmp_path.iterdir())))
    assert docs["articles.csv"].startswith("id,text\nbbc-1,") and "records.csv:1" in docs  # read as before
    note = " is read as plain text: spincheck does not read the columns of a table (its other fields run into"
    assert [w.message.path for w in caught] == [str(tmp_path / "articles.csv"), str(tmp_path / "rows.tsv.gz")]
    assert all(str(w.message).startswith(w.message.path + note) for w in caught)


def test_a_merged_reference_of_a_million_words_adds_its_vectors(monkeypatch, tmp_path: Path, tiny_base: Path) -> None:
    seen = {}

    class Stop(Exception):
        pass

    class Own:
        info = {"tokens": training.MIN_OWN_REFERENCE_TOKENS}

    def merge(base, own, use_extra_vectors):
        seen["use"] = use_extra_vectors
        raise Stop

    monkeypatch.setattr(training, "build_reference", lambda *args, **kwargs: Own())
    monkeypatch.setattr(training, "merge_references", merge)
    monkeypatch.setattr(training, "external_statistics", lambda ngrams=True: {})
    (tmp_path / "c.txt").write_text("\n\n".join(generate_paragraphs(800, seed=1)))
    with pytest.raises(Stop):
        training.train([tmp_path / "c.txt"], tmp_path / "out", base_model=tiny_base)
    assert seen == {"use": True}


@pytest.mark.parametrize("mode", ["merge", "replace"])
def test_a_merged_corpus_brings_its_own_ngrams_and_not_the_web_scale_ones_again(
    monkeypatch, tmp_path: Path, tiny_base: Path, mode: str
) -> None:
    """The base's tables already blend in the web-scale n-grams; counted into the corpus's
    reference too, merging averaged every base n-gram toward them a second time. Replace keeps
    them all, as the only reference."""
    seen = {}

    class Stop(Exception):
        pass

    def build(texts, *, external, **kwargs):
        seen["external"] = sorted(external)
        raise Stop

    def web(*, ngrams: bool = True) -> dict:
        ngram_keys = ["external_bigrams", "external_unigram_counts", "external_ngrams"] if ngrams else []
        return dict.fromkeys(["word_freqs", *ngram_keys, "sources"])

    monkeypatch.setattr(training, "build_reference", build)
    monkeypatch.setattr(training, "external_statistics", web)
    (tmp_path / "c.txt").write_text("\n\n".join(generate_paragraphs(800, seed=1)))
    with pytest.raises(Stop):
        training.train([tmp_path / "c.txt"], tmp_path / "out", base_model=tiny_base, reference_mode=mode)
    assert seen["external"] == sorted(web(ngrams=mode == "replace"))


def test_without_ngrams_external_statistics_reads_word_frequencies_only(monkeypatch) -> None:
    """For --reference merge: the Sphinx models are not read (2 s and 180 MB), and what is not
    wanted is not named as missing; the card then names wordfreq alone."""
    pytest.importorskip("wordfreq")
    from spincheck import sphinxlm

    monkeypatch.setattr(sphinxlm, "model_paths", lambda: pytest.fail("the Sphinx models were looked for"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = REAL_EXTERNAL_STATISTICS(ngrams=False)
    assert sorted(out) == ["sources", "word_freqs"] and out["sources"][0].startswith("wordfreq ")


@pytest.mark.parametrize("record_id", [None, "same", 7])
def test_records_without_an_id_of_their_own_are_documents_each(tmp_path: Path, record_id) -> None:
    # "id": null, or one id on every record, named them all one document: its k-th paragraphs
    # share a bucket, so all 1,000 fell in one part, and training said the corpus was too small
    corpus = tmp_path / "pages.jsonl"
    corpus.write_text("".join(json.dumps({"id": record_id, "text": f"page {i}"}) + "\n" for i in range(1000)))
    docs = list(training.iter_corpus_documents([corpus]))
    assert len({doc_id for doc_id, _ in docs}) == 1000
    parts = training.split_corpus(docs)
    assert {part: len(texts) for part, texts in parts.items()} == pytest.approx(
        {"ref": 400, "train": 400, "dev": 200}, abs=60
    )
    if record_id is not None:  # the first record keeps its id as its name
        assert docs[0][0] == f"pages.jsonl:{record_id}"


def test_iter_corpus_documents_reads_what_score_reads(tmp_path: Path) -> None:
    """Folders linked into the corpus (read once), a raw U+2028 inside a JSON string, and text
    that is not UTF-8 (with a warning): each was left out, refused or read silently."""
    import os

    corpus, elsewhere = tmp_path / "corpus", tmp_path / "elsewhere"
    corpus.mkdir()
    elsewhere.mkdir()
    (elsewhere / "linked.txt").write_text("Text in a linked folder.", encoding="utf-8")
    os.symlink(elsewhere, corpus / "more")
    os.symlink(corpus, corpus / "loop")  # a link back up: read once, not forever
    line = '{"text": "A line\u2028separator and a paragraph\u2029separator."}\n'
    (corpus / "records.jsonl").write_text(line, encoding="utf-8")
    assert dict(training.iter_corpus_documents([corpus])) == {
        "more/linked.txt": "Text in a linked folder.",
        "records.jsonl:1": "A line\u2028separator and a paragraph\u2029separator.",
    }
    (corpus / "cp1252.txt").write_bytes("Caf\xe9 society.".encode("cp1252"))
    with pytest.warns(UnicodeWarning, match=r"cp1252\.txt is not valid UTF-8; undecodable bytes were replaced"):
        docs = dict(training.iter_corpus_documents([corpus]))
    assert docs["cp1252.txt"] == "Caf\ufffd society."
    (elsewhere / "sub").mkdir()
    (elsewhere / "sub").chmod(0)
    try:
        if not os.access(elsewhere / "sub", os.R_OK):  # root reads anything
            with pytest.raises(TrainingError, match="sub: permission denied"):
                list(training.iter_corpus_documents([corpus]))
    finally:
        (elsewhere / "sub").chmod(0o755)


def test_a_spun_record_among_the_clean_text_is_refused(tmp_path: Path) -> None:
    """An evaluation set passed to --clean whole would teach the model that spun text is clean."""
    path = tmp_path / "dev.jsonl"
    records = [{"text": "A clean paragraph.", "label": 0}, {"text": "Unlabelled."}, {"text": "A spun one.", "label": 1}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with pytest.raises(TrainingError, match=r"dev\.jsonl:3: a record labelled 1 \(spun\) among the clean text"):
        list(training.iter_corpus_documents([path]))
    path.write_text("".join(json.dumps(r) + "\n" for r in records[:2]), encoding="utf-8")
    assert [text for _, text in training.iter_corpus_documents([path])] == ["A clean paragraph.", "Unlabelled."]
    # --spun reads the same labels as labels
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert [label for *_, label in training.iter_corpus_documents([path], with_labels=True)] == [0, 1, 1]


def test_iter_corpus_documents_reads_documents_as_score_does_and_skips_hidden_ones(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        "<html><body><nav>Home | About</nav><p>The text of a web page.</p></body></html>", encoding="utf-8"
    )
    (tmp_path / "essay.docx").write_bytes(docx_bytes(docx_paragraph("The text of a Word essay.")))
    (tmp_path / "note.rtf").write_bytes(rtf_bytes(["The text of an RTF note."]))
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "x.jsonl").write_text("{not json", encoding="utf-8")  # a tool's cache, not corpus
    (tmp_path / ".draft.txt").write_text("A hidden draft.", encoding="utf-8")
    (tmp_path / "table.csv").write_text("not,read", encoding="utf-8")
    hashes: dict[str, str] = {}
    with pytest.warns(training.CorpusFileWarning, match=r"table\.csv is left out"):
        docs = dict(training.iter_corpus_documents([tmp_path], hashes=hashes))
    assert docs == {
        "essay.docx": "The text of a Word essay.",
        "note.rtf": "The text of an RTF note.",
        "page.html": "The text of a web page.",
    }
    # the card's record of what went in: the files read, not the ones left out
    assert hashes == {str(tmp_path / name): sha256_file(tmp_path / name) for name in docs}
    # known by content where the name says nothing, as score knows them
    (tmp_path / "letter.doc").write_bytes(rtf_bytes(["An RTF letter saved as .doc."]))
    (tmp_path / "page").write_text("<!DOCTYPE html><html><body><p>A page saved without a suffix.</p></body></html>")
    docs = dict(training.iter_corpus_documents([tmp_path / "letter.doc", tmp_path / "page"]))
    assert docs == {"letter.doc": "An RTF letter saved as .doc.", "page": "A page saved without a suffix."}
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(TrainingError, match=r"old\.doc: an older Microsoft Office file"):
        list(training.iter_corpus_documents([tmp_path / "old.doc"]))
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not a zip archive")
    with pytest.raises(TrainingError, match=r"broken\.docx: cannot read it as DOCX: not a valid zip archive"):
        with pytest.warns(training.CorpusFileWarning, match=r"is left out: folders are searched for"):
            list(training.iter_corpus_documents([tmp_path]))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.jsonl", b'{"text": "ok"}\n{not json}\n', r"bad\.jsonl:2: invalid JSON"),
        ("field.jsonl", b'{"body": "no text field"}\n', r"no string field 'text'"),
        ("number.jsonl", b'{"text": 3}\n', r"number\.jsonl:1: field 'text' holds a number, not a string"),
        ("array.jsonl", b'["a record in a list"]\n', r"array\.jsonl:1: not a JSON object"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks binary"),
        ("cut.jsonl.gz", gzip.compress(b'{"text": "ok"}\n' * 100)[:30], "its gzip data is truncated"),
        ("deep.jsonl", b"[" * 100_000 + b"]" * 100_000 + b"\n", r"deep\.jsonl:1: JSON nested too deeply"),
        ("items.json", b'[{"text": "ok"}, 3]', r"items\.json:2: not a JSON object \(a JSON array of records"),
        ("cut.json", b'[{"text": "ok"}, {"te', r"cut\.json is not valid JSON: it ends inside the document"),
    ],
)
def test_iter_corpus_documents_names_the_bad_file(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(TrainingError, match=message):
        list(training.iter_corpus_documents([tmp_path / name]))
    with pytest.raises(TrainingError, match="no such file"):
        list(training.iter_corpus_documents([tmp_path / "missing.txt"]))


def test_iter_corpus_documents_reads_a_json_array_as_score_does(tmp_path: Path) -> None:
    # content_kind calls a .json file that opens an array "json": training failed on a KeyError
    items = [{"id": "a", "text": "First item."}, {"text": "Second item."}]
    (tmp_path / "items.json").write_text(json.dumps(items, indent=2), encoding="utf-8")
    (tmp_path / "crawl.json").write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    for name in ("items.json", "crawl.json"):  # an array, and JSON Lines named .json
        docs = list(training.iter_corpus_documents([tmp_path / name]))
        assert [text for _, text in docs] == ["First item.", "Second item."]
        assert docs[0][0].endswith(f"{name}:a") and docs[1][0].endswith(f"{name}:2")


def test_iter_corpus_documents_reads_odd_json_values_as_score_does(tmp_path: Path) -> None:
    """A lone surrogate escape ("\\ud800") in a JSONL record's id or text ended training as "a bug
    in spincheck" (UnicodeEncodeError) when the corpus was split; score reads it as U+FFFD, and
    keeps NaN and numbers too large for a float as written."""
    path = tmp_path / "corpus.jsonl"
    path.write_bytes(
        b'{"id": "\\ud800", "text": "One \\udc00 two."}\n{"id": NaN, "text": "Three."}\n'
        b'{"id": 1e999, "text": "Four."}\n'
    )
    docs = list(training.iter_corpus_documents([path]))
    assert docs == [
        ("corpus.jsonl:\ufffd", "One \ufffd two."),
        ("corpus.jsonl:NaN", "Three."),
        ("corpus.jsonl:1e999", "Four."),
    ]
    parts = training.split_corpus(docs)
    assert sorted(p for part in parts.values() for p in part) == ["Four.", "One \ufffd two.", "Three."]


def test_iter_corpus_documents_names_the_first_field_present_and_a_null_one(tmp_path: Path) -> None:
    """A field that is there but holds null or a number is named as such, the first of several
    fields that is there; only a record with none of them is a matter of --text-field."""
    path = tmp_path / "corpus.jsonl"
    cases = [
        ({"text": None}, "text", r"corpus\.jsonl:1: field 'text' holds null, not a string"),
        ({"body": 7, "text": None}, ("body", "text"), r"corpus\.jsonl:1: field 'body' holds a number"),
        ({"body": None, "text": 7}, ("title", "body", "text"), r"corpus\.jsonl:1: field 'body' holds null"),
        ({"title": "x"}, ("body", "text"), r"corpus\.jsonl:1: no string field 'body' or 'text' \(set --text-field\)"),
    ]
    for record, fields, message in cases:
        path.write_text(json.dumps(record) + "\n", encoding="utf-8")
        with pytest.raises(TrainingError, match=message):
            list(training.iter_corpus_documents([path], fields))


def test_metrics_at() -> None:
    y = np.array([0, 0, 0, 1, 1, 1])
    p = np.array([0.1, 0.2, 0.9, 0.8, 0.95, 0.3])
    m = training.metrics_at(y, p, 0.5)
    assert (m["tp"], m["fp"], m["fn"], m["tn"]) == (2, 1, 1, 2)
    assert m["precision"] == pytest.approx(2 / 3, abs=1e-4) and m["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["f1"] == pytest.approx(2 / 3, abs=1e-4) and m["fpr"] == pytest.approx(1 / 3, abs=1e-4)
    assert m["roc_auc"] == pytest.approx(7 / 9, abs=1e-4)  # 7 of the 9 spun-clean pairs in order
    assert training.metrics_at(np.zeros(3), np.zeros(3), 0.5)["roc_auc"] is None
    # rates with nothing to count are None, not 0
    clean_only = training.metrics_at(np.zeros(3), np.array([0.1, 0.2, 0.3]), 0.5)
    assert (clean_only["precision"], clean_only["recall"], clean_only["f1"], clean_only["fpr"]) == (
        None,
        None,
        None,
        0.0,
    )
    spun_only = training.metrics_at(np.ones(2), np.array([0.9, 0.1]), 0.5)
    assert (spun_only["precision"], spun_only["recall"], spun_only["f1"], spun_only["fpr"]) == (1.0, 0.5, 0.6667, None)
    # spun paragraphs and none flagged: precision has nothing to count, F1 is 0 (as scikit-learn's)
    missed = training.metrics_at(np.array([1, 0]), np.array([0.2, 0.1]), 0.5)
    assert (missed["precision"], missed["recall"], missed["f1"]) == (None, 0.0, 0.0)
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(0)
    for _ in range(200):  # F1 as scikit-learn computes it, ties and empty classes included
        y, p = rng.integers(0, 2, 12), rng.integers(0, 4, 12) / 4
        if y.any():
            expected = f1_score(y, p >= 0.5, zero_division=0.0)
            assert training.metrics_at(y, p, 0.5)["f1"] == pytest.approx(expected, abs=1e-4)


def test_labelled_examples_take_compare_output(tmp_path: Path) -> None:
    """--spun reads text files as spun, JSONL labels as given, and leaves out "label": null."""
    (tmp_path / "spun.txt").write_text("One spun paragraph.\n\nAnother one.", encoding="utf-8")
    rows = [{"text": "Reworded.", "label": 1}, {"text": "Unchanged.", "label": 0}, {"text": "Added.", "label": None}]
    rows.append({"text": "No label given."})
    (tmp_path / "compare.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.warns(training.CorpusFileWarning, match=r'compare\.jsonl has 1 record with "label": null \(left out'):
        examples = training.read_labelled_examples([tmp_path / "spun.txt", tmp_path / "compare.jsonl"])
    assert examples == [
        ("One spun paragraph.", 1),
        ("Another one.", 1),
        ("Reworded.", 1),
        ("Unchanged.", 0),
        ("No label given.", 1),
    ]
    # with another --text-field for the corpus, compare's "text" records are still read
    (tmp_path / "body.jsonl").write_text(json.dumps({"body": "In a body field."}) + "\n", encoding="utf-8")
    with pytest.warns(training.CorpusFileWarning, match='"label": null'):
        examples = training.read_labelled_examples([tmp_path / "compare.jsonl", tmp_path / "body.jsonl"], "body")
    assert [text for text, _ in examples] == ["Reworded.", "Unchanged.", "No label given.", "In a body field."]
    (tmp_path / "title.jsonl").write_text(json.dumps({"title": "Neither."}) + "\n", encoding="utf-8")
    with pytest.raises(TrainingError, match="title.jsonl:1: no string field 'body' or 'text'"):
        training.read_labelled_examples([tmp_path / "title.jsonl"], "body")
    (tmp_path / "bad.jsonl").write_text(json.dumps({"text": "x", "label": "spun"}) + "\n", encoding="utf-8")
    with pytest.raises(TrainingError, match="--spun label must be 0 or 1, not 'spun'"):
        training.read_labelled_examples([tmp_path / "bad.jsonl"])


@pytest.mark.parametrize("label", ["1", " 1", "0", "spun", "True", 2, "sports"])
def test_a_label_evaluate_cannot_read_is_refused_for_spun_examples(tmp_path: Path, label) -> None:
    """evaluate skips a record whose label is not 0 or 1 (a string "1" too); --clean trained on a
    "label": "1" as clean without a word. --clean refuses a label that says spun; it takes any
    other (0, a topic) as the clean text it is. --spun reads labels as evaluate does."""
    path = tmp_path / "eval.jsonl"
    records = [{"text": "A clean paragraph.", "label": 0}, {"text": "Another one.", "label": label}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    if label in ("1", " 1", "spun", "True"):
        spun = re.escape(f"eval.jsonl:2: a record labelled {json.dumps(label)} (spun) among the clean text")
        with pytest.raises(TrainingError, match=spun):
            list(training.iter_corpus_documents([path]))
    else:
        assert [text for _, text in training.iter_corpus_documents([path])] == ["A clean paragraph.", "Another one."]
    with pytest.raises(TrainingError, match=r"--spun label must be 0 or 1, not .* \(in eval\.jsonl:2\)"):
        training.read_labelled_examples([path])


def test_labels_evaluate_reads_are_read_as_it_reads_them(tmp_path: Path) -> None:
    # true and 1.0 are 1 to evaluate (label in (0, 1)), so spun here too; false and null are not
    path = tmp_path / "eval.jsonl"
    for label, spun in [(True, 1), (1.0, 1), (False, 0), (0.0, 0)]:
        path.write_text(json.dumps({"text": "A paragraph.", "label": label}) + "\n", encoding="utf-8")
        assert training.read_labelled_examples([path]) == [("A paragraph.", spun)]
        if spun:
            with pytest.raises(TrainingError, match=r"\(spun\) among the clean text"):
                list(training.iter_corpus_documents([path]))
        else:
            assert [text for _, text in training.iter_corpus_documents([path])] == ["A paragraph."]


def test_records_labelled_null_are_left_out_of_clean_and_spun_with_a_warning(tmp_path: Path) -> None:
    """null is compare's label for a copy's paragraph found in no original, the spinner's own text
    (39 of 192 paragraphs of five seed articles spun, one paragraph of another article inserted;
    16 of the 39 flagged): compare's output given to --clean trained them on as clean, and --spun
    left them out without a word. evaluate leaves them out; so do both options now, and say so."""
    path = tmp_path / "compare.jsonl"
    records = [
        {"text": "Taken unchanged.", "label": 0},
        {"text": "Found in no original.", "label": None},
        {"text": "Nor this.", "label": None},
        {"text": "Plain corpus text."},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with pytest.warns(training.CorpusFileWarning) as caught:
        docs = list(training.iter_corpus_documents([path]))
    assert [text for _, text in docs] == ["Taken unchanged.", "Plain corpus text."]
    assert [doc_id for doc_id, _ in docs] == ["compare.jsonl:1", "compare.jsonl:4"]  # others named as before
    assert [str(w.message) for w in caught] == [
        f'{path} has 2 records with "label": null (left out, as evaluate leaves them out: compare labels a '
        "paragraph found in no original null)"
    ]
    assert caught[0].message.many.format(n=2, files="a, b") == (
        '2 files have records with "label": null (a, b; left out, as evaluate leaves them out)'
    )
    with pytest.warns(training.CorpusFileWarning, match='has 2 records with "label": null'):
        assert training.read_labelled_examples([path]) == [("Taken unchanged.", 0), ("Plain corpus text.", 1)]


@pytest.mark.parametrize("latin1", [3, 500])
def test_train_warns_of_many_files_with_one_issue_once(tmp_path: Path, tiny_base: Path, latin1: int) -> None:
    """train() warned once per file, where the command line groups them: 500 left-out or Latin-1
    files were 500 warnings to a library caller. Over three with one issue are one warning now,
    naming the first three and holding every path; given too when the corpus then fails."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(latin1):
        (corpus / f"{i:03}.txt").write_bytes(f"Le caf\xe9 num\xe9ro {i} est ferm\xe9.".encode("latin-1"))
    (corpus / "blank.txt").write_text("\n\n  \n")
    with pytest.warns(training.CorpusFileWarning) as caught, pytest.raises(TrainingError, match="English"):
        training.train([corpus], tmp_path / "m", base_model=tiny_base)
    told = [w.message for w in caught if isinstance(w.message, training.CorpusFileWarning)]
    paths = [str(corpus / f"{i:03}.txt") for i in range(latin1)]
    undecodable = (
        "not valid UTF-8" if latin1 <= 3 else f"{latin1} files are not valid UTF-8 ({', '.join(paths[:3])} and"
    )
    assert [len(w.paths) for w in told] == ([1] * latin1 if latin1 <= 3 else [latin1]) + [1]
    assert all(undecodable in str(w) for w in told[:-1]) and [p for w in told[:-1] for p in w.paths] == paths
    assert str(told[-1]) == f"{corpus / 'blank.txt'} has no text to train on"
    assert all(isinstance(w, UnicodeWarning) for w in told[:-1])  # as each file's warning is


def test_train_gives_its_held_warnings_as_the_callers_filters_chose(tmp_path: Path, tiny_base: Path) -> None:
    """The filters choose once, as each file's warning is given: given again through warn_explicit,
    which names no module, the filters were asked again of a module named by the file's path, and a
    caller keeping spincheck's warnings only (module="spincheck") heard none of them."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "000.txt").write_bytes("Le caf\xe9 est ferm\xe9.".encode("latin-1"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")
        warnings.filterwarnings("always", module=r"spincheck\.")
        with pytest.raises(TrainingError):
            training.train([corpus], tmp_path / "m", base_model=tiny_base)
    told = [w for w in caught if issubclass(w.category, training.CorpusFileWarning)]
    assert len(told) == 1 and str(told[0].message).startswith(f"{corpus / '000.txt'} is not valid UTF-8")
    assert told[0].category is type(told[0].message) and issubclass(told[0].category, UnicodeWarning)
    assert told[0].filename.endswith(os.path.join("spincheck", "training.py"))


def test_records_with_empty_text_are_left_out_with_a_warning(tmp_path: Path) -> None:
    """A record whose text is empty or white space (a field an export left blank) was left out of
    --clean and --spun in silence; it is left out still, and the file named with how many."""
    path = tmp_path / "export.jsonl"
    records = [{"text": "Some text."}, {"text": ""}, {"text": " \n\t"}, {"text": ["", "  "]}, {"text": "More."}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with pytest.warns(training.CorpusFileWarning) as caught:
        docs = [text for _, text in training.iter_corpus_documents([path]) if text.strip()]
    assert docs == ["Some text.", "More."]
    assert [str(w.message) for w in caught] == [f"{path} has 3 records with empty text (left out)"]
    assert caught[0].message.many.format(n=2, files="a, b") == "2 files have records with empty text (a, b; left out)"
    with pytest.warns(training.CorpusFileWarning, match=r"has 3 records with empty text \(left out\)$"):
        assert [text for text, _ in training.read_labelled_examples([path])] == ["Some text.", "More."]
    path.write_text(json.dumps({"text": "Some text."}) + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none to speak of
        list(training.iter_corpus_documents([path]))


def test_a_paragraph_given_to_spun_again_is_trained_on_once(tmp_path: Path) -> None:
    """The same spun text as a file and in a JSONL was trained on twice; a repeated file is read
    once, and a repeated paragraph is now trained on once, with a warning."""
    first, second = generate_paragraphs(2, seed=12)
    write_corpus(tmp_path / "a.txt", [first, "Advertisement", second])
    rows = [
        {"text": "  " + first.replace(" ", "   ", 1), "label": 1},  # the same words, however spaced
        {"text": second, "label": 0},  # and with the other label: the first kept
        {"text": "Advertisement", "label": 1},  # never scored: left out without a word
        {"text": "A new example.", "label": 1},
    ]
    (tmp_path / "b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.warns(UserWarning, match=r"^2 paragraphs given to --spun are given there more than once") as caught:
        examples = training.read_labelled_examples([tmp_path / "a.txt", tmp_path / "b.jsonl"])
    assert examples == [(first, 1), ("Advertisement", 1), (second, 1), ("A new example.", 1)]
    assert first[:40] in str(caught[0].message) and "1 with the other label, the first kept" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [label for _, label in training.read_labelled_examples([tmp_path / "b.jsonl"])] == [1, 0, 1, 1]


def test_train_verbose_names_the_base_model_and_what_each_path_held(capsys, tmp_path: Path, tiny_base: Path) -> None:
    """-v said nothing more; it names the base model as score -v names its model, and what each
    path given held, before the work (the corpus here is too small, which fails before it)."""
    from spincheck.cli import main

    folder = tmp_path / "corpus"
    folder.mkdir()
    write_corpus(folder / "a.txt", generate_paragraphs(3, seed=13))
    write_corpus(folder / "b.txt", generate_paragraphs(4, seed=14))
    records = [{"text": t} for t in generate_paragraphs(2, seed=15)]
    (tmp_path / "more.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    spun = write_corpus(tmp_path / "spun.txt", generate_paragraphs(2, seed=16))
    argv = ["train", "--clean", str(folder), str(tmp_path / "more.jsonl"), "--spun", str(spun)]
    argv += ["--out", str(tmp_path / "model"), "--model", str(tiny_base)]
    assert main([*argv, "-v"]) == 2
    err = capsys.readouterr().err
    base = load_model_dir(tiny_base)
    assert f"spincheck: base model {tiny_base} (version {base.card.version}, id {base.fingerprint})\n" in err
    assert f"spincheck: --clean {folder}: 2 files read, 7 paragraphs\n" in err
    assert f"spincheck: --clean {tmp_path / 'more.jsonl'}: 1 file read, 2 paragraphs\n" in err
    assert f"spincheck: --spun {spun}: 1 file read, 2 paragraphs\n" in err
    assert err.index("base model") < err.index("--clean") < err.index("corpus too small")
    for quieter in ([], ["-q", "-v"]):
        assert main([*argv, *quieter]) == 2
        assert "spincheck: base model" not in capsys.readouterr().err


def test_a_record_of_too_many_values_stops_training_unread(tmp_path: Path, monkeypatch) -> None:
    """score skips a JSONL record of over MAX_RECORD_VALUES values unread (60 MB of "{}" took
    1.6 GB); training read it whole, and named a .json item of as many "(a JSON array of records,
    or JSON Lines)", which it was. Both stop the run, saying why."""
    from spincheck import inputs

    monkeypatch.setattr(inputs, "LARGE_RECORD", 10)
    monkeypatch.setattr(inputs, "MAX_RECORD_VALUES", 3)
    many = {"text": ["One.", "Two.", "Three."]}  # "{", "[" and two commas: 4
    why = r"over 3 JSON values \(too many to hold; a record of text has far fewer\)$"
    (tmp_path / "records.jsonl").write_text(json.dumps({"text": "Fine."}) + "\n" + json.dumps(many) + "\n")
    with pytest.raises(TrainingError, match=r"records\.jsonl:2: record of " + why):
        list(training.iter_corpus_documents([tmp_path / "records.jsonl"]))
    (tmp_path / "items.json").write_text(json.dumps([{"text": "Fine."}, many]))
    with pytest.raises(TrainingError, match=r"items\.json:2: item of " + why):
        list(training.iter_corpus_documents([tmp_path / "items.json"]))
    with pytest.raises(TrainingError, match=r"records\.jsonl:2: record of " + why):
        training.read_labelled_examples([tmp_path / "records.jsonl"])
    (tmp_path / "records.jsonl").write_text(json.dumps({"text": ["One.", "Two."]}) + "\n")  # 3: read
    assert [text for _, text in training.iter_corpus_documents([tmp_path / "records.jsonl"])] == ["One.\n\nTwo."]


def test_a_pretty_printed_json_document_is_named_as_such(tmp_path: Path) -> None:
    """compare --format json given to --spun (the README asks for --format jsonl) was "line 1: invalid
    JSON: the line ends inside the record: cut short, or a line break inside a string"; score and
    evaluate say what it is, and so does training now, for --clean too."""
    report = {"summary": {"paragraphs": 1}, "paragraphs": [{"text": "Reworded.", "label": 1}]}
    (tmp_path / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    with pytest.raises(TrainingError, match=r"^\S*report\.json is one JSON object over several lines, not JSON Lines"):
        training.read_labelled_examples([tmp_path / "report.json"])
    (tmp_path / "records.jsonl").write_text(json.dumps([{"text": "A record."}], indent=2), encoding="utf-8")
    with pytest.raises(TrainingError, match=r"records\.jsonl is one JSON array over several lines, not JSON Lines"):
        list(training.iter_corpus_documents([tmp_path / "records.jsonl"]))
    # a record on its first line is JSON Lines, whatever follows
    (tmp_path / "ok.jsonl").write_text('{"text": "One."}\n{\n', encoding="utf-8")
    with pytest.raises(TrainingError, match=r"ok\.jsonl:2: invalid JSON"):
        list(training.iter_corpus_documents([tmp_path / "ok.jsonl"]))


def test_corpus_path_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    """/dev/zero or a FIFO as --clean would be read until memory runs out, or forever."""
    import os

    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(TrainingError, match="pipe.txt: not a regular file"):
        list(training.iter_corpus_documents([tmp_path / "pipe.txt"]))


# ---- what each stage hands the next ----------------------------------------------------------


def unspinnable_paragraphs(n: int, seed: int = 0) -> list[str]:
    """English paragraphs without a word of the test thesaurus: a spinner finds nothing to swap."""
    rng = np.random.default_rng(seed)
    animals = ["zebras", "penguins", "otters", "herons", "beavers", "foxes", "owls", "badgers"]
    acts = ["wander", "swim", "rest", "sleep", "hunt", "nest", "gather", "play"]
    places = ["frozen lakes", "quiet rivers", "northern forests", "sandy shores", "rocky hills", "open fields"]

    def pick(options: list[str]) -> str:
        return options[int(rng.integers(len(options)))]

    def sentence() -> str:
        return (
            f"{pick(animals).capitalize()} {pick(acts)} near the {pick(places)} every {pick(['winter', 'summer'])} "
            f"morning, and then they {pick(acts)} with the {pick(animals)} that are nearby."
        )

    return [f"{sentence()} {sentence()}" for _ in range(n)]


def test_json_files_a_folder_holds_are_named_as_left_out(tmp_path: Path) -> None:
    # folders are searched as score searches them, without .json files: a folder of crawled
    # items.json arrays was trained on in part (or found empty) without a word about them
    folder = tmp_path / "crawl"
    (folder / "day2").mkdir(parents=True)
    write_corpus(folder / "news.txt", generate_paragraphs(2, seed=1))
    items = [{"id": "a", "text": generate_paragraphs(1, seed=2)[0]}]
    (folder / "day2" / "items.json").write_text(json.dumps(items), encoding="utf-8")
    (folder / ".settings.json").write_text("{}", encoding="utf-8")  # hidden: not worth a word
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = list(training.iter_corpus_documents([folder]))
    assert [name for name, _ in docs] == ["news.txt"]
    left_out = [w.message for w in caught if isinstance(w.message, training.CorpusFileWarning)]
    assert [(w.path, "is left out" in str(w)) for w in left_out] == [(str(folder / "day2" / "items.json"), True)]
    assert len(list(training.iter_corpus_documents([folder / "day2" / "items.json"]))) == 1  # named: read


def test_corpus_read_is_called_once_the_files_are_read_before_the_work(tmp_path: Path, tiny_base: Path) -> None:
    # the command line reports the corpus's warnings then: after the whole run was too late
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_corpus(folder / "news.txt", generate_paragraphs(60, seed=4))
    write_corpus(folder / "49960", generate_paragraphs(2, seed=5))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_after: list[list[str]] = []  # the warnings there were when it was called
        with pytest.raises(TrainingError, match="corpus too small"):
            training.train(
                [folder],
                tmp_path / "model",
                base_model=tiny_base,
                corpus_read=lambda: read_after.append([str(w.message) for w in caught]),
            )
    # once, before the size check; the file passed over was warned of before it
    [before] = read_after
    assert len(before) == 1 and "49960 is left out" in before[0]


def test_one_path_where_a_list_belongs_is_a_type_error(tmp_path: Path, monkeypatch) -> None:
    # a str was read letter by letter: train("corpus.jsonl", ...) read ".", the working folder
    monkeypatch.chdir(tmp_path)
    write_corpus(tmp_path / "corpus.jsonl", [])
    with pytest.raises(TypeError, match=r"^train\(\) takes a list of clean corpus paths, not one str"):
        training.train("corpus.jsonl", tmp_path / "model")
    with pytest.raises(TypeError, match=r"list of spun example paths, not one PosixPath \(wrap it in a list\)"):
        training.train([tmp_path / "corpus.jsonl"], tmp_path / "model", spun=tmp_path / "corpus.jsonl")
    with pytest.raises(TypeError, match=r"^iter_corpus_documents\(\) takes a list of corpus paths"):
        list(training.iter_corpus_documents("corpus.jsonl"))
    assert not (tmp_path / "model").exists()


def test_files_a_folder_search_passes_over_are_named_as_left_out(tmp_path: Path) -> None:
    # a folder search reads .txt, .md, .html ... files only: 60 extensionless articles (as 20
    # Newsgroups names them) and 20 .text ones beside 200 .txt files were left out without a word,
    # and a folder of only such files was "the corpus is empty"
    folder = tmp_path / "corpus"
    (folder / "group").mkdir(parents=True)
    write_corpus(folder / "news.txt", generate_paragraphs(2, seed=1))
    write_corpus(folder / "group" / "49960", generate_paragraphs(2, seed=2))
    write_corpus(folder / "group" / "story.text", generate_paragraphs(2, seed=3))
    (folder / "group" / "notes.md.gz").write_bytes(gzip.compress(b"Notes."))  # read: its inner suffix counts
    (folder / ".hidden").write_text("left out by design, not worth a word", encoding="utf-8")
    (folder / "group" / "back").symlink_to(folder)  # a loop: each folder looked at once
    # a link to nothing is no file of another kind: "name it if it holds text" misled
    (folder / "group" / "gone").symlink_to(folder / "deleted")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = list(training.iter_corpus_documents([folder]))
    assert sorted(name for name, _ in docs) == ["group/notes.md.gz", "news.txt"]
    left_out = [w.message for w in caught if "is left out" in str(w.message)]
    assert sorted(w.path for w in left_out) == [str(folder / "group" / "49960"), str(folder / "group" / "story.text")]
    assert all(
        isinstance(w, training.CorpusFileWarning) and "folders are searched for .txt" in str(w) for w in left_out
    )
    assert len(list(training.iter_corpus_documents([folder / "group" / "49960"]))) == 1  # named: read as text


def test_spun_examples_also_in_the_clean_corpus_are_warned_of(tmp_path: Path, tiny_base: Path) -> None:
    # the seed copy in a folder given to --clean and its compare output given to --spun: the same
    # paragraphs trained on as clean and as spun, and held out as clean, without a word
    paragraphs = generate_paragraphs(60, seed=11)
    clean = write_corpus(tmp_path / "clean.txt", paragraphs)
    spun = tmp_path / "compare.jsonl"
    records = [{"text": paragraphs[3], "label": 1}, {"text": paragraphs[4], "label": 0}, {"text": "Short.", "label": 1}]
    spun.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with pytest.warns(UserWarning, match=r"^1 paragraph given to --spun as spun is also in the clean corpus") as caught:
        with pytest.raises(TrainingError, match="corpus too small"):  # after the warning: no training needed
            training.train([clean], tmp_path / "model", spun=[spun], base_model=tiny_base)
    assert paragraphs[3][:40] in str(caught[0].message)
    spun.write_text(json.dumps({"text": paragraphs[4], "label": 0}) + "\n", encoding="utf-8")  # clean: fine
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TrainingError, match="corpus too small"):
            training.train([clean], tmp_path / "model", spun=[spun], base_model=tiny_base)


def test_clean_examples_the_corpus_holds_are_not_trained_on_again(
    tmp_path: Path, tiny_base: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # compare's unchanged paragraphs (label 0) of an original also given to --clean: those held
    # out were trained on as well, so the card's held-out figures were measured on trained text
    paragraphs = corpus.read_text(encoding="utf-8").split("\n\n")
    fresh = generate_paragraphs(2, seed=77)
    spun = tmp_path / "compare.jsonl"
    records = [{"text": t, "label": 0} for t in paragraphs + fresh[:1]] + [{"text": fresh[1], "label": 1}]
    spun.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    seen = {}

    def record(train, dev, *args, extra_spun, **kwargs):
        seen.update(train=train, dev=dev, extra=extra_spun)
        raise TrainingError("recorded")

    monkeypatch.setattr(training, "external_statistics", lambda ngrams=True: {})
    monkeypatch.setattr(training, "train_classifier", record)
    with pytest.raises(TrainingError, match="recorded"):
        training.train([corpus], tmp_path / "model", spun=[spun], base_model=tiny_base)
    extra = {t.strip(): label for t, label in seen["extra"]}
    assert seen["dev"] and not set(extra) & {t.strip() for t in seen["train"] + seen["dev"]}
    assert extra[fresh[0]] == 0 and extra[fresh[1]] == 1  # the others only counted in the reference: kept


@pytest.fixture(scope="module")
def recorded_training(tiny_base: Path) -> dict:
    """One small train_classifier run, with what each stage received recorded on the way.

    Train and dev paragraphs include some that the thesaurus cannot spin, and two real
    examples (labelled 1 and 0) plus a too-short one are passed as ``--spun`` would pass them.
    """
    from spincheck.estimator import SpinClassifier
    from spincheck.text import tokenize

    base = load_model_dir(tiny_base)
    seen: dict = {"fits": [], "features": []}
    token_model, paragraph_model = training._Fitting.token_model, training._Fitting.paragraph_model
    paragraph_features, fit = training._Fitting.paragraph_features, SpinClassifier.fit
    unit_features = training._Fitting.unit_features

    def record_token_model(self, clean, spun):
        seen["half_a"] = list(clean)
        seen["token_model_tokens"] = sum(len(tokenize(t)) for t in clean) + sum(len(tokenize(s.text)) for s in spun)
        return token_model(self, clean, spun)

    def record_paragraph_model(self, texts, y):
        seen["paragraph_texts"], seen["paragraph_y"] = list(texts), np.asarray(y).copy()
        return paragraph_model(self, texts, y)

    def record_paragraph_features(self, texts, desc, split="all"):
        seen["features"].append((desc, split, len(texts)))
        return paragraph_features(self, texts, desc, split)

    def record_unit_features(self, texts, desc, split="all"):
        seen["features"].append((desc, split, len(texts)))
        return unit_features(self, texts, desc, split)

    def record_fit(self, X, y):
        seen["fits"].append((np.asarray(X).shape, np.asarray(y).copy()))
        return fit(self, X, y)

    examples = generate_paragraphs(2, seed=9)
    seen["extra_spun"] = [(examples[0], 1), (examples[1], 0), ("A Spun Copy's Headline", 1)]
    seen["train"] = generate_paragraphs(180, seed=3) + unspinnable_paragraphs(20, seed=1)
    seen["dev"] = generate_paragraphs(50, seed=4) + unspinnable_paragraphs(20, seed=2)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(training._Fitting, "token_model", record_token_model)
        mp.setattr(training._Fitting, "paragraph_model", record_paragraph_model)
        mp.setattr(training._Fitting, "paragraph_features", record_paragraph_features)
        mp.setattr(training._Fitting, "unit_features", record_unit_features)
        mp.setattr(SpinClassifier, "fit", record_fit)
        seen["result"] = training.train_classifier(
            seen["train"], seen["dev"], base.reference, base.lexicon, seed=0, extra_spun=seen["extra_spun"]
        )
    return seen


def test_real_examples_are_trained_on_last_with_their_own_labels(recorded_training) -> None:
    """--spun examples long enough to score join the paragraph model's rows, a 0 staying 0."""
    texts, y = recorded_training["paragraph_texts"], recorded_training["paragraph_y"]
    (first, _), (second, _), _ = recorded_training["extra_spun"]
    assert texts[-2:] == [first, second]
    assert y[-2:].tolist() == [1.0, 0.0]
    counts = recorded_training["result"].counts
    assert (counts["extra_spun"], counts["extra_spun_not_scored"]) == (2, 1)
    # before them: the clean half, then its spins
    n_clean = len(recorded_training["train"]) - len(recorded_training["half_a"])
    assert len(texts) == n_clean + counts["spun_paragraph_model"] + 2
    assert y[:n_clean].tolist() == [0.0] * n_clean and y[n_clean:-2].all()


def test_training_halves_are_equal(recorded_training) -> None:
    """The token model and the paragraph model each get half of the clean training paragraphs."""
    half_a = recorded_training["half_a"]
    n_clean_b = int((recorded_training["paragraph_y"][:-2] == 0).sum())
    assert len(half_a) + n_clean_b == len(recorded_training["train"]) == 200
    assert abs(len(half_a) - n_clean_b) <= 1
    assert set(half_a).isdisjoint(recorded_training["paragraph_texts"][:n_clean_b])


def test_token_model_keeps_every_replaced_token_and_a_share_of_the_others(recorded_training) -> None:
    """Replaced tokens are all kept, unreplaced ones sampled at TOKEN_NEGATIVE_SHARE, and the prior
    logit is the log-odds of the kept rows' base rate."""
    result = recorded_training["result"]
    (shape, y), *_ = recorded_training["fits"]  # the first fit is the token model's
    assert shape[0] == y.size == result.counts["token_rows"]
    positives = int(y.sum())
    available = recorded_training["token_model_tokens"] - positives  # unreplaced tokens of both sides
    share = training.TOKEN_NEGATIVE_SHARE
    spread = 4 * np.sqrt(available * share * (1 - share))  # four binomial standard deviations
    assert abs((y.size - positives) - share * available) < spread
    assert 0 < positives < y.size
    base = positives / y.size
    assert result.classifier.prior_logit == pytest.approx(np.log(base / (1 - base)), abs=1e-9)


def test_card_counts_match_the_dev_metrics(recorded_training) -> None:
    """Dev paragraphs with nothing to spin are clean rows of the metrics but no spun ones."""
    result = recorded_training["result"]
    counts, metrics = result.counts, result.metrics
    assert counts["dev_paragraphs"] == len(recorded_training["dev"]) == 70
    assert counts["spun_dev"] == metrics["tp"] + metrics["fn"] <= 50
    assert counts["dev_paragraphs"] == metrics["tn"] + metrics["fp"]
    unknown = metrics["unknown_thesaurus"]
    assert (unknown["tp"] + unknown["fn"], unknown["tn"] + unknown["fp"]) == (counts["spun_dev"], 70)


def test_lexicon_parts_each_stage_scores_with(recorded_training) -> None:
    """The paragraph model trains on features with the lexicon cut to TOKEN_MODEL_LEXICON; the
    threshold is set on the whole lexicon, and the unknown-thesaurus metrics use the training part."""
    splits = [split for _, split, _ in recorded_training["features"]]
    assert splits == [training.TOKEN_MODEL_LEXICON, "all", "all", "train", "train"]


class _Identity:
    """A paragraph model whose probability is the single feature it is given."""

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return X[:, 0]


def _threshold_with_scores(clean: np.ndarray, spun: np.ndarray) -> tuple[float, dict, list[str]]:
    """threshold_and_metrics on given paragraph scores (the features stubbed to return them)."""
    splits: list[str] = []
    fit = training._Fitting(None, None, np.random.default_rng(0), 0, False)

    def scores(texts, desc, split="all"):
        splits.append(split)
        return np.asarray(texts, dtype=float)[:, None], np.arange(len(texts))

    fit.unit_features = scores
    classifier = Classifier(None, _Identity(), 0.0)
    threshold, metrics = fit.threshold_and_metrics(classifier, list(clean), list(spun))
    return threshold, metrics, splits


def test_threshold_meets_the_target_fpr_within_its_bounds() -> None:
    spun = np.full(10, 0.95)
    # clean scores spread evenly: the threshold flags at most TARGET_FPR of them
    clean = np.linspace(0.0, 0.9, 1000)
    threshold, metrics, splits = _threshold_with_scores(clean, spun)
    assert (clean >= threshold).mean() <= training.TARGET_FPR
    assert (clean >= threshold - 0.002).mean() > training.TARGET_FPR - 0.002  # and not much more
    assert metrics["fpr"] == pytest.approx((clean >= threshold).mean(), abs=1e-4)
    assert splits == ["all", "all", "train", "train"]
    # never below 0.5, however low the clean scores
    assert _threshold_with_scores(np.linspace(0.0, 0.3, 1000), spun)[0] == 0.5
    # never above 0.999, however high
    assert _threshold_with_scores(np.linspace(0.9, 0.9999, 1000), spun)[0] == 0.999


def test_too_few_dev_paragraphs_fail_before_the_reference_is_counted(tmp_path: Path, tiny_base: Path) -> None:
    """A corpus whose held-out part is too small fails at the first check, before any counting."""
    records, dev, other = [], 0, 0
    for i, text in enumerate(generate_paragraphs(1200, seed=3)):
        held_out = training._bucket(f"corpus.jsonl:{i}#0") >= 80  # the small-corpus split's dev part
        if (held_out and dev < 25) or (not held_out and other < 420):
            records.append(json.dumps({"id": i, "text": text}))
            dev, other = dev + held_out, other + (not held_out)
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(records) + "\n", encoding="utf-8")
    stages: list[str] = []
    with pytest.raises(TrainingError, match=r"too small: 445 paragraphs, of which \d+ for training and 25 held out"):
        training.train([corpus], tmp_path / "model", base_model=tiny_base, progress=stages.append)
    assert stages == ["reading the corpus"]


def test_train_classifier_refuses_too_few_dev_paragraphs(tiny_base: Path) -> None:
    base = load_model_dir(tiny_base)
    dev = generate_paragraphs(training.MIN_DEV_PARAGRAPHS - 1, seed=4) + ["Too short to count."] * 20
    with pytest.raises(
        TrainingError,
        match=r"200 training and 39 held-out paragraphs of English prose of at least 12 words",
    ):
        training.train_classifier(generate_paragraphs(200, seed=3), dev, base.reference, base.lexicon)


def test_a_corpus_mostly_not_english_is_refused(tmp_path: Path, tiny_base: Path, monkeypatch) -> None:
    # different paragraphs: one repeated is trained on and held out once (split_corpus)
    french = [f"Le conseil municipal a discuté mardi du projet {i} de nouvelle bibliothèque. " * 3 for i in range(600)]
    corpus = write_corpus(tmp_path / "mixed.txt", generate_paragraphs(200, seed=4) + french)

    def counted(*args, **kwargs):
        raise AssertionError("the reference would be counted")

    monkeypatch.setattr(training, "build_reference", counted)
    with pytest.raises(TrainingError, match=r"does not look like English prose \(200 of 800 sampled paragraphs"):
        training.train([corpus], tmp_path / "model", base_model=tiny_base)


def test_replace_mode_counts_the_reference_from_the_corpus_alone(
    tmp_path: Path, tiny_base: Path, corpus: Path, monkeypatch
) -> None:
    from spincheck.text import tokenize

    def untrained(train_texts, dev_texts, reference, lexicon, **kwargs):
        classifier = Classifier(_blank(len(TOKEN_FEATURE_NAMES)), _blank(len(PARAGRAPH_FEATURE_NAMES)), 0.0)
        return training.TrainResult(classifier, 0.5, {}, {}, {})

    monkeypatch.setattr(training, "train_classifier", untrained)
    card = training.train([corpus], tmp_path / "model", base_model=tiny_base, reference_mode="replace")
    ref_part = training.split_corpus(training.iter_corpus_documents([corpus]), training.REPLACE_SPLIT)["ref"]
    assert "merged_from" not in card["reference"]
    assert card["reference"]["corpus"] == "user"
    assert card["reference"]["tokens"] == sum(len(tokenize(p)) for p in ref_part)
    assert card["reference"]["paragraphs"] == len(ref_part)
    assert load_model_dir(tmp_path / "model").reference.info == card["reference"]


def test_a_mount_point_as_out_is_refused_before_the_work(monkeypatch, tmp_path: Path) -> None:
    """A volume (docker run -v ...:/out) cannot be renamed: training ran in full, then failed with
    "Device or resource busy" when the new model took its place."""
    volume = tmp_path / "out"
    volume.mkdir()
    monkeypatch.setattr(os.path, "ismount", lambda path: Path(path) == volume)
    with pytest.raises(TrainingError, match=r"it is a mount point.*folder inside it, such as .*out/model\)$"):
        training.check_writable(volume)
    training.check_writable(volume / "model")  # a folder inside it is fine


def test_a_link_to_a_mount_point_as_out_is_refused_too(monkeypatch, tmp_path: Path) -> None:
    volume = tmp_path / "volume"
    volume.mkdir()
    (tmp_path / "out").symlink_to(volume)  # the model would replace the link's target
    monkeypatch.setattr(os.path, "ismount", lambda path: Path(path) == volume)
    with pytest.raises(TrainingError, match="it is a mount point"):
        training.check_writable(tmp_path / "out")


def test_check_writable_accepts_a_path_whose_parents_do_not_exist_yet(tmp_path: Path) -> None:
    training.check_writable(tmp_path / "new" / "deeper" / "model")
    assert list(tmp_path.iterdir()) == []  # the trial directory is gone again


def test_a_small_corpus_splits_40_40_20_by_paragraph() -> None:
    docs = [(f"d{i}", "\n\n".join(f"p{i}-{k}" for k in range(10))) for i in range(100)]
    counts = {part: len(texts) for part, texts in training.split_corpus(docs).items()}
    # a binomial count of 1,000 paragraphs is within about 15 of its mean
    assert counts == pytest.approx({"ref": 400, "train": 400, "dev": 200}, abs=30)


def test_a_large_corpus_keeps_blocks_of_paragraphs_together() -> None:
    n = 25_000
    parts = training.split_corpus([("one.txt", "\n\n".join(f"p{k}" for k in range(n)))])
    where = {p: part for part, texts in parts.items() for p in texts}
    blocks: dict[int, set[str]] = {}
    for k in range(n):
        blocks.setdefault(k // training.SPLIT_BLOCK, set()).add(where[f"p{k}"])
    assert all(len(parts_of_block) == 1 for parts_of_block in blocks.values())
    assert {part for (part,) in blocks.values()} == {"ref", "train", "dev"}


def test_token_labels_mark_capitals_and_only_the_replaced_word() -> None:
    from spincheck.spinner import Replacement, SpunText

    text = "The Minister said the plan was huge, and more."
    start = text.index("huge")
    spun = SpunText(text, (Replacement(start, start + 4, "big", "huge"),), 0.1)
    tokens, capitals, y = training._token_labels(spun)
    assert tokens == ["the", "minister", "said", "the", "plan", "was", "huge", ",", "and", "more", "."]
    assert capitals.tolist() == [True, True] + [False] * 9
    assert y.tolist() == [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]


def test_a_paragraph_of_exactly_the_minimum_words_is_eligible() -> None:
    words = "the minister said that the plan for the new bridge was ready at last".split()
    n = training.DEFAULT_MIN_WORDS
    enough = ", ".join(words[:n]) + "."  # punctuation is not a word
    short = ", ".join(words[: n - 1]) + "."
    assert training._eligible([enough, short], n) == [enough]


FRENCH = (
    "Le ministre a dit que le projet du nouveau pont serait prêt avant la fin de l'année, "
    "et que les travaux commenceraient dans les prochaines semaines."
)
TICKERS = (
    "Oper shr 2.05 dlrs vs 2.66 dlrs; oper net 39.9 mln vs 49.1 mln; revs 1.2 billion vs 987 mln; avg shrs 19.4 mln"
)


def test_only_paragraphs_the_detector_scores_are_eligible() -> None:
    """Paragraphs the detector refuses (another language, tables of figures) were trained on and
    counted when the threshold was chosen: a corpus with 40 % French got a card FPR of 0.7 % and
    1.4 % on unseen English."""
    english = generate_paragraphs(3, seed=5)
    assert training._eligible([FRENCH, english[0], TICKERS, *english[1:]], 12) == english
    for text in (FRENCH, TICKERS):
        assert language_reason(text, tokenize(text)) is not None  # as score_paragraphs reports them


def test_the_card_counts_the_paragraphs_left_out(tiny_base: Path) -> None:
    base = load_model_dir(tiny_base)
    train = generate_paragraphs(200, seed=3) + [FRENCH] * 7 + ["Too short to count."] * 3
    dev = generate_paragraphs(60, seed=4) + [TICKERS] * 4 + ["Too short to count."]
    result = training.train_classifier(train, dev, base.reference, base.lexicon)
    counts = result.counts
    assert (counts["train_paragraphs"], counts["train_not_scored"]) == (200, 10)
    assert (counts["dev_paragraphs"], counts["dev_not_scored"]) == (60, 5)
    assert result.metrics["tn"] + result.metrics["fp"] == 60  # the threshold is chosen on English prose only


def test_card_keeps_the_threshold_to_six_places() -> None:
    class Info:
        info: dict = {}

    result = training.TrainResult(None, 0.5123456, {}, {}, {})
    assert training.build_card(result, Info(), Info())["threshold"] == 0.512346


def test_a_jsonl_line_of_spaces_is_skipped(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "First."}\n   \t\n{"text": "Second."}\n', encoding="utf-8")
    assert list(training.iter_corpus_documents([corpus])) == [("c.jsonl:1", "First."), ("c.jsonl:3", "Second.")]


def test_build_reference_reads_a_one_pass_iterator_twice() -> None:
    """The word vectors take a second pass over the text: a generator is read into a list first."""
    texts = generate_paragraphs(200, seed=1)
    from_list = training.build_reference(list(texts))
    from_iterator = training.build_reference(iter(texts))
    assert len(from_list.vectors.keys) > 0
    assert np.array_equal(from_iterator.vectors.keys, from_list.vectors.keys)
    assert np.array_equal(from_iterator.vectors.matrix, from_list.vectors.matrix)
    assert np.array_equal(from_iterator.bigrams.keys, from_list.bigrams.keys)


def test_a_paragraph_that_occurs_again_goes_where_its_first_occurrence_went() -> None:
    # a corpus holding an article twice (the BBC corpus holds 133), or a file copied under
    # another name: the copies fell on both sides of the split, trained on and held out
    articles = [(f"a{i}.txt", "\n\n".join(f"Article {i}, paragraph {k}." for k in range(5))) for i in range(200)]
    copies = [(f"copy of {name}", text.replace(" ", "  ")) for name, text in articles]
    for docs in (articles + copies, articles + copies * 120):  # a small corpus, and a large one
        parts = training.split_corpus(docs)
        words = {part: {" ".join(p.split()) for p in texts} for part, texts in parts.items()}
        assert not words["ref"] & words["train"] and not words["ref"] & words["dev"]
        assert not words["train"] & words["dev"]
        # trained on and held out once; counted in the reference as often as the corpus has it
        assert all(len(texts) == len(words[part]) for part, texts in parts.items() if part != "ref")
        assert len(parts["ref"]) == len(words["ref"]) * (len(docs) // len(articles))


def test_a_corpus_of_a_few_paragraphs_repeated_is_too_small(tmp_path: Path, tiny_base: Path) -> None:
    # trained before, its card counting 150 held-out paragraphs that were three
    corpus = write_corpus(tmp_path / "corpus.txt", generate_paragraphs(10, seed=2) * 50)
    # the count given is of different paragraphs: it was those counted in the reference, repeats and all
    with pytest.raises(TrainingError, match=r"corpus too small: 10 different paragraphs \(each trained on or held"):
        training.train([corpus], tmp_path / "model", base_model=tiny_base)


@pytest.mark.parametrize("epoch", ["1.5e9", "soon", "9" * 30])
def test_a_source_date_epoch_that_is_no_time_fails_before_the_work(
    monkeypatch, tmp_path: Path, tiny_base: Path, corpus: Path, epoch: str
) -> None:
    """The card's date was read after the counting and the fits: "1.5e9" lost the whole run as "a bug
    in spincheck" (ValueError) and wrote nothing."""

    def counted(*args, **kwargs):
        raise AssertionError("counted before SOURCE_DATE_EPOCH was read")

    monkeypatch.setattr(training, "build_reference", counted)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    with pytest.raises(TrainingError, match=rf"SOURCE_DATE_EPOCH is '{epoch}', not a time: set it to whole seconds"):
        training.train([corpus], tmp_path / "model", base_model=tiny_base)
    assert not (tmp_path / "model").exists()


def test_the_card_is_dated_by_source_date_epoch_when_set(monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert training._created().isoformat() == "2026-01-01T00:00:00+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")  # set but empty: now, as unset
    assert training._created().year >= 2025


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r"c\.jsonl:2: not a JSON record"),
        ('{"text": "x", "id": ' + "9" * 5000 + "}", r"c\.jsonl:2: not a JSON record"),
        ('["a list"]', r"c\.jsonl:2: a JSON list, not a record"),
        ('{"text": 42}', r"c\.jsonl:2: its 'text' is int, not a string"),
    ],
)
def test_jsonl_paragraph_reader_names_the_bad_line(tmp_path: Path, line: str, message: str) -> None:
    """The build scripts read corpora through this reader: a bad line is named, not a traceback
    from deep inside json or the paragraph splitter."""
    path = tmp_path / "c.jsonl"
    path.write_text('{"text": "A clean first paragraph."}\n' + line + "\n", encoding="utf-8")
    reader = training.iter_jsonl_paragraphs(path)
    assert next(reader) == "A clean first paragraph."
    with pytest.raises(ValueError, match=message):
        next(reader)
