"""Shared fixtures for spincheck's tests.

Fixtures here are generic so that any test file can use them:

``detector``
    The shipped model, loaded once per session with ``Detector.load()``.
``shipped_model_dir``
    Where that model lives (read it, never write to it: copy it to
    ``tmp_path`` first, as ``tests/test_model.py`` does).
``reference`` / ``lexicon``
    The shipped reference tables and synonym lexicon, loaded directly from
    their files. Stage tests (features, spinner) use these rather than
    ``detector``, so they still run while the classifier is being retrained.
``article`` / ``spun_article``
    A six-paragraph clean local-news article (``tests/data/library_article.txt``)
    and the same article spun at run time, heavily (seed 0, 80 % of the
    swappable phrases, the lexicon's held-out groups), so that every spun
    paragraph is clearly flagged; no third-party text is needed.
``make_spinner``
    ``make_spinner(texts, split="all")``: a :class:`spincheck.spinner.Spinner`
    over the part of the shipped lexicon that occurs in ``texts``. It spins
    those texts exactly as a spinner over the whole lexicon would, but is
    built in milliseconds instead of seconds.
``seed``
    A random seed, in the spirit of scikit-learn's ``global_random_seed``: by
    default a few fixed seeds; set ``SPINCHECK_TEST_SEEDS`` to run more, e.g.
    ``SPINCHECK_TEST_SEEDS=all`` (0-99), ``=0-9`` or ``=3,17``. A test that
    takes ``seed`` must hold for *any* seed, not only the defaults.
``run_python``
    Run a snippet in a fresh interpreter (for import-cost and
    cross-process hash checks) and return its stdout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import spincheck

ROOT = Path(__file__).resolve().parents[1]
# Where the spincheck under test was imported from: this checkout, or site-packages when the
# suite runs against an installed wheel. A child process must import that same one.
IMPORTED_FROM = Path(spincheck.__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
DEFAULT_SEEDS = (0, 1, 42)


def _parse_seeds(spec: str | None) -> list[int]:
    if not spec:
        return list(DEFAULT_SEEDS)
    if spec.strip() == "all":
        return list(range(100))
    seeds: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        if "-" in part:
            lo, hi = part.split("-", 1)
            seeds.extend(range(int(lo), int(hi) + 1))
        elif part:
            seeds.append(int(part))
    return seeds


@pytest.fixture(params=_parse_seeds(os.environ.get("SPINCHECK_TEST_SEEDS")))
def seed(request) -> int:
    """A random seed; see the module docstring for ``SPINCHECK_TEST_SEEDS``."""
    return request.param


@pytest.fixture(scope="session")
def shipped_model_dir() -> Path:
    return spincheck.model.default_model_dir()


@pytest.fixture(scope="session")
def detector(shipped_model_dir):
    """The shipped model; one instance serves the whole session (it is read-only)."""
    return spincheck.Detector.load()


@pytest.fixture(scope="session")
def reference(shipped_model_dir):
    from spincheck.reference import Reference

    return Reference.load(shipped_model_dir)


@pytest.fixture(scope="session")
def lexicon(shipped_model_dir):
    from spincheck.lexicon import Lexicon

    return Lexicon.load(shipped_model_dir)


@pytest.fixture(scope="session")
def run_python():
    """``run_python(code, env=None) -> stdout`` in a fresh interpreter that imports the spincheck
    these tests import (-P: the checkout in the working directory must not shadow a wheel)."""

    def run(code: str, env: dict[str, str] | None = None, timeout: float = 120) -> str:
        full_env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
        full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(IMPORTED_FROM), os.environ.get("PYTHONPATH")]))
        full_env.update(env or {})
        proc = subprocess.run(
            [sys.executable, "-P", "-c", code],
            capture_output=True,
            text=True,
            env=full_env,
            cwd=str(ROOT),
            timeout=timeout,
            check=False,  # the assert below shows stderr
        )
        assert proc.returncode == 0, f"subprocess failed:\n{proc.stderr}"
        return proc.stdout

    return run


def sub_lexicon(lexicon, texts):
    """The entries of ``lexicon`` whose phrases occur in ``texts``, as a new Lexicon."""
    from spincheck.lexicon import MAX_PHRASE_TOKENS, Lexicon, phrase_hashes
    from spincheck.ngrams import hash_tokens
    from spincheck.text import tokenize

    entries: dict[str, list[tuple[str, int]]] = {}
    for text in texts:
        ids = hash_tokens(tokenize(text))
        for m in range(1, min(MAX_PHRASE_TOKENS, ids.size) + 1):
            columns = np.stack([ids[j : ids.size - m + 1 + j] for j in range(m)], axis=1)
            found, keys = lexicon.find(phrase_hashes(columns))
            for key in np.unique(keys[found]).tolist():
                lo, hi = int(lexicon.offsets[key]), int(lexicon.offsets[key + 1])
                entries[lexicon.phrase_text(lexicon.key_phrase[key])] = [
                    (lexicon.phrase_text(lexicon.cand_phrase[j]), int(lexicon.cand_group[j])) for j in range(lo, hi)
                ]
    return Lexicon.from_pairs(entries)


@pytest.fixture(scope="session")
def make_spinner(lexicon):
    from spincheck.spinner import Spinner

    def make(texts, split: str = "all", **kwargs):
        return Spinner(sub_lexicon(lexicon, list(texts)), split=split, **kwargs)

    return make


@pytest.fixture(scope="session")
def article() -> str:
    return (DATA / "library_article.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def spun_article(article, make_spinner) -> str:
    paragraphs = [p for p in article.split("\n\n") if p.strip()]
    spinner = make_spinner(paragraphs, split="heldout")
    rng = np.random.default_rng(0)
    return "\n\n".join(spinner.spin(p, rng, rate=0.8).text for p in paragraphs) + "\n"
