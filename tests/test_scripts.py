"""The maintainer scripts refuse what they cannot use in one line, before any work: a traceback
after minutes of counting, a quality gate passing without its seed figures, or a rebuilt table
written into the shipped model (whose card then no longer matched) were each possible."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import build_lexicon  # noqa: E402
import bench_train  # noqa: E402
import build_reference  # noqa: E402
import compare_seeds  # noqa: E402
import corpora  # noqa: E402
import eval_documents  # noqa: E402
import eval_foreign_thesaurus  # noqa: E402
import eval_gate  # noqa: E402
import evaluate  # noqa: E402
import make_heldout  # noqa: E402
import seed_devset  # noqa: E402
import threshold_choices  # noqa: E402

SCRIPTS = sorted(
    p for p in (ROOT / "scripts").glob("*.py") if 'if __name__ == "__main__":' in p.read_text(encoding="utf-8")
)


def run_script(name: str, *args: str) -> subprocess.CompletedProcess:
    """``python -P scripts/NAME ARGS`` in a child process (the benchmark scripts set the BLAS
    thread variables when imported, so they are not imported here)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-P", str(ROOT / "scripts" / name), *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def usage_error(main, argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("usage: ")  # argparse's usage, then one error line
    return err.splitlines()[-1]


def test_the_tables_and_the_lexicon_are_never_written_into_a_model_directory(tmp_path, capsys) -> None:
    corpus = tmp_path / "ref.jsonl"
    corpus.write_text('{"text": "A clean paragraph."}\n', encoding="utf-8")
    models = str(ROOT / "models")
    line = usage_error(build_reference.main, ["--corpus", str(corpus), "--out", models], capsys)
    assert line.endswith("is a model directory, whose card.json the new tables would not match "
                         "(rebuild a model with scripts/train.py, or choose another --out)")  # fmt: skip
    nltk_data = tmp_path / "nltk_data"
    (nltk_data / "corpora").mkdir(parents=True)
    (nltk_data / "corpora" / "wordnet.zip").write_bytes(b"")
    line = usage_error(build_lexicon.main, ["--nltk-data", str(nltk_data), "--out", models], capsys)
    assert "is a model directory" in line
    assert "no such corpus file" in usage_error(build_reference.main, ["--corpus", str(tmp_path / "no.jsonl")], capsys)
    assert "not a positive whole number" in usage_error(build_reference.main, ["--max-bigrams", "0"], capsys)


def test_a_corpus_without_text_writes_no_reference(tmp_path, capsys, monkeypatch) -> None:
    """Records with the text under another field counted nothing: a traceback from the word
    vectors, not a usage error, and empty tables would be no reference."""
    pytest.importorskip("scipy")  # building a reference is training's work (the train extra)
    monkeypatch.setattr(build_reference, "external_statistics", lambda: {})
    corpus = tmp_path / "ref.jsonl"
    corpus.write_text('{"content": "A clean paragraph."}\n', encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        build_reference.main(["--corpus", str(corpus), "--out", str(out)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "Traceback" not in err  # after the progress bars, a usage error
    assert err.splitlines()[-1].endswith(f'no paragraphs in the "text" field of {corpus}') and not out.exists()


def test_a_seed_directory_named_but_missing_is_an_error_not_a_skip(tmp_path, capsys) -> None:
    missing = str(tmp_path / "no-seeds")
    assert usage_error(eval_gate.main, ["--seeds", missing], capsys).endswith(f"--seeds {missing} is not a directory")
    assert usage_error(evaluate.main, ["--seeds", missing], capsys).endswith("is not a directory")
    assert "lacks the articles 000, 001" in usage_error(seed_devset.main, ["--seeds", str(tmp_path)], capsys)


def test_a_model_that_cannot_be_loaded_is_one_line(tmp_path, capsys) -> None:
    line = usage_error(evaluate.main, ["--model", str(tmp_path / "none")], capsys)
    assert line.endswith(f"error: --model: model directory {tmp_path / 'none'} does not exist "
                         "(pass a directory made by 'spincheck train')")  # fmt: skip
    assert "no such directory" in usage_error(evaluate.main, ["--json", str(tmp_path / "a" / "b.json")], capsys)
    for main in (compare_seeds.main, threshold_choices.main):  # before minutes of reading and training
        line = usage_error(main, ["--model", str(tmp_path / "none"), "--work", str(tmp_path)], capsys)
        assert line.endswith("does not exist (pass a directory made by 'spincheck train')")


def test_a_wrong_data_directory_is_one_line(tmp_path, capsys) -> None:
    missing = str(tmp_path / "no-data")
    error = f"--data {missing} lacks news, nltk_data (see ../shared/data/README.md)"
    for main in (corpora.main, eval_documents.main, eval_foreign_thesaurus.main):  # a traceback from gzip
        assert usage_error(main, ["--data", missing], capsys).endswith(error)
    assert usage_error(make_heldout.main, ["--data", missing, "--out", str(tmp_path)], capsys).endswith(error)
    work = str(tmp_path / "work")  # no corpora exported there: they would be read from --data
    assert usage_error(threshold_choices.main, ["--data", missing, "--work", work], capsys).endswith(error)


def test_numbers_and_output_paths_are_checked_before_the_work(tmp_path, capsys) -> None:
    # a negative count sliced the speeches from the end: --synthetic -5 wrote 7,026 paragraphs
    assert "'-5' is not a positive whole number" in usage_error(make_heldout.main, ["--synthetic", "-5"], capsys)
    assert "--seeds takes comma-separated seeds" in usage_error(compare_seeds.main, ["--seeds", "0,-1"], capsys)
    assert "not a positive whole number" in usage_error(compare_seeds.main, ["--max-train", "0"], capsys)
    assert usage_error(evaluate.main, ["--json", str(tmp_path)], capsys).endswith("is a directory (name a file)")
    a_file = tmp_path / "a-file"
    a_file.write_text("", encoding="utf-8")
    corpus = tmp_path / "ref.jsonl"
    corpus.write_text('{"text": "A clean paragraph."}\n', encoding="utf-8")
    line = usage_error(build_reference.main, ["--corpus", str(corpus), "--out", str(a_file)], capsys)
    assert line.endswith("exists and is not a directory")
    for script, args in [
        ("bench_pipelines.py", ["--shards", "0"]),  # ZeroDivisionError after the single-core runs
        ("bench_pipelines.py", ["--corpus", str(tmp_path / "none.jsonl")]),
        ("profile_hotpath.py", ["--paragraphs", "0"]),
        ("bench.py", ["--seed", "-1"]),
    ]:
        proc = run_script(script, *args)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.startswith("usage: ") and len(proc.stderr.splitlines()[-1].split(": error: ")) == 2


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_script_answers_help_without_its_folder_on_the_path(script: Path) -> None:
    """``python -P`` (and PYTHONSAFEPATH=1) leave the script's own folder off sys.path: four scripts
    that imported script_args without adding scripts/ themselves failed with ModuleNotFoundError."""
    proc = run_script(script.name, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: ")


@pytest.mark.skipif(importlib.util.find_spec("pyinstrument") is not None, reason="pyinstrument is installed")
def test_a_missing_profiler_is_named_before_the_profile() -> None:
    proc = run_script("profile_hotpath.py", "--pyinstrument", "--paragraphs", "10")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.splitlines()[-1].endswith("needs the pyinstrument package (pip install pyinstrument)")


def test_the_card_hashes_the_corpora_the_build_reads_and_no_other() -> None:
    """train.py hashed every zip beside the corpora into the card's training inputs, the Penn
    Treebank sample too, which is never read (non-commercial terms): the card named it as used."""
    files = corpora.input_files(corpora.DEFAULT_DATA)
    names = {f.name for f in files}
    assert "treebank.zip" not in names and {f"{s}.zip" for s in corpora.HELDOUT_SOURCES} <= names
    if corpora.DEFAULT_DATA.is_dir():  # the names are those of the shared data's files
        assert all(f.is_file() for f in files)


def test_an_article_filed_twice_is_read_once() -> None:
    """The split is drawn from a document's id, and the news files hold articles twice under two
    ids (133 BBC ones, 276 Reuters ones): 56 dev articles were counted word for word into the
    reference, and their paragraphs set the threshold with the lowest scores of the dev split."""
    first = {"source": "bbc", "id": "bbc/1", "split": "ref", "paragraphs": ["Same article.", "Second paragraph."]}
    again = {**first, "id": "bbc/2", "split": "dev"}
    other = {**first, "id": "bbc/3", "paragraphs": ["Same article.", "Another ending."]}
    assert [d["id"] for d in corpora.unique_documents([first, again, other])] == ["bbc/1", "bbc/3"]


@pytest.mark.slow
@pytest.mark.skipif(not corpora.DEFAULT_DATA.is_dir(), reason="needs ../shared/data")
def test_no_document_of_the_shared_corpora_falls_in_two_splits() -> None:
    pytest.importorskip("nltk", reason="reading the NLTK corpora needs the build extra")
    splits: dict[tuple[str, ...], set[str]] = {}
    for doc in corpora.iter_documents(corpora.DEFAULT_DATA):
        splits.setdefault(tuple(doc["paragraphs"]), set()).add(doc["split"])
    assert not [s for s in splits.values() if len(s) > 1]


def test_a_paragraph_the_spinner_left_as_it_was_is_not_counted_as_spun(article: str) -> None:
    """eval_documents labelled every paragraph drawn for spinning as spun, also one with nothing
    the spinner could swap: its recall counted unchanged clean paragraphs as missed spins."""
    from spincheck.lexicon import Lexicon
    from spincheck.spinner import Spinner

    paragraphs = [p for p in article.split("\n\n") if p.strip()]
    # a lexicon of one word, which the article's first paragraph has and no other does
    word = next(w for w in paragraphs[0].split() if w.isalpha() and w.islower() and len(w) > 3)
    assert not any(word in p.split() for p in paragraphs[1:])
    spinner = Spinner(Lexicon.from_pairs({word: [("zzyzx", 80)]}), split="heldout")
    [spun], [labels] = eval_documents._spin_documents(spinner, [paragraphs], 1.0)
    assert spun[0] != paragraphs[0] and spun[1:] == paragraphs[1:]
    assert labels.tolist() == [True] + [False] * (len(paragraphs) - 1)


def _import_benchmark(name: str, monkeypatch):
    """Import a benchmark script, undoing the BLAS thread variables it sets when imported."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if var in os.environ:
            monkeypatch.setenv(var, os.environ[var])
        else:
            monkeypatch.delenv(var, raising=False)
    return importlib.import_module(name)


def test_no_benchmark_of_the_pipelines_times_loading_the_model(tmp_path, monkeypatch) -> None:
    """score_partition scores with a detector of its own, which its first call loaded: the timed
    call included loading and verifying the model (1,000 BBC articles: 407,000 words per CPU-s
    printed, 489,000 with the model loaded before)."""
    from spincheck import Detector
    from spincheck.integrations import dask as dask_integration

    bench_pipelines = _import_benchmark("bench_pipelines", monkeypatch)
    text = (ROOT / "examples" / "clean.txt").read_text(encoding="utf-8")
    corpus = tmp_path / "docs.jsonl"
    corpus.write_text(json.dumps({"text": text}) + "\n", encoding="utf-8")
    monkeypatch.setattr(dask_integration, "_DETECTORS", {})  # as in a fresh process
    timing = []
    load = Detector.load
    loads_timed = []

    def counted_load(cls, *args, **kwargs):
        loads_timed.append(bool(timing))
        return load(*args, **kwargs)

    def timed(fn):
        timing.append(True)
        try:
            return 0.1, 0.1, fn()
        finally:
            timing.pop()

    monkeypatch.setattr(Detector, "load", classmethod(counted_load))
    monkeypatch.setattr(bench_pipelines, "timed", timed)
    monkeypatch.setattr(bench_pipelines, "command_line", lambda *args: (0.1, 0.1))
    assert bench_pipelines.main(["--corpus", str(corpus), "--no-dask"]) == 0
    assert loads_timed and not any(loads_timed)


def test_the_training_benchmark_times_the_checkouts_spincheck(tmp_path, monkeypatch) -> None:
    """bench_train ran ``python -m spincheck train`` with the environment as it found it: from
    any folder but the checkout's root (or with PYTHONSAFEPATH set) it timed whichever spincheck
    was installed, then loaded the model with the checkout's."""
    for name in ("news", "nltk_data"):
        (tmp_path / "data" / name).mkdir(parents=True)
    runs = []

    def run(cmd, **kwargs):
        runs.append(kwargs.get("env"))
        return subprocess.CompletedProcess(cmd, 3, "", "")

    monkeypatch.setattr(bench_train, "export", lambda kind, out, data: 0)
    monkeypatch.setattr(bench_train.subprocess, "run", run)
    monkeypatch.setenv("PYTHONPATH", "elsewhere")
    assert bench_train.main(["abc", "--data", str(tmp_path / "data")]) == 3
    assert runs[0]["PYTHONPATH"].split(os.pathsep) == [str(ROOT), "elsewhere"]


def test_a_workload_begins_with_every_shorter_workload_of_its_seed(monkeypatch) -> None:
    """bench.py takes its 1x workload from the start of the 4x one (--scaling 1,2,4): the spins
    drew from the generator after the choice of the paragraphs to spin, so they depended on the
    workload's length, and --scaling 1 or --quick scored other text than the full run's 1x."""
    import workload

    import spincheck.lexicon
    import spincheck.spinner

    class Spinner:  # spins that show the state of the generator they draw from
        def __init__(self, lexicon, split: str) -> None:
            pass

        def spin(self, text: str, rng) -> SimpleNamespace:
            return SimpleNamespace(text=f"{text} [{rng.integers(10**9)}]")

    monkeypatch.setattr(spincheck.lexicon.Lexicon, "load", staticmethod(lambda path: None))
    monkeypatch.setattr(spincheck.spinner, "Spinner", Spinner)
    long, short = workload.paragraphs(400, seed=3, spun=0.5), workload.paragraphs(100, seed=3, spun=0.5)
    assert long[:100] == short and any(text.endswith("]") for text in short)
