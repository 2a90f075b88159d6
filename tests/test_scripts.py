"""The maintainer scripts refuse what they cannot use in one line, before any work: a traceback
after minutes of counting, a quality gate passing without its seed figures, or a rebuilt table
written into the shipped model (whose card then no longer matched) were each possible."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import build_lexicon  # noqa: E402
import build_reference  # noqa: E402
import eval_gate  # noqa: E402
import evaluate  # noqa: E402
import seed_devset  # noqa: E402

SCRIPTS = sorted(
    p for p in (ROOT / "scripts").glob("*.py") if 'if __name__ == "__main__":' in p.read_text(encoding="utf-8")
)


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


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_script_answers_help_without_its_folder_on_the_path(script: Path) -> None:
    """``python -P`` (and PYTHONSAFEPATH=1) leave the script's own folder off sys.path: four scripts
    that imported script_args without adding scripts/ themselves failed with ModuleNotFoundError."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-P", str(script), "--help"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: ")
