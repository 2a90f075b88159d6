"""The second-thesaurus evaluation (scripts/eval_foreign_thesaurus.py) on a tiny Moby-format file.

The real Moby file comes with the build extras; these tests pin what the
script makes of the format: mutual entries only, closed-class words left
alone, the two rankings, and the share of replacements our lexicon knows.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import eval_foreign_thesaurus as foreign  # noqa: E402
import make_heldout  # noqa: E402

from spincheck.lexicon import Lexicon  # noqa: E402
from spincheck.spinner import Spinner  # noqa: E402

# Moby's format: a root, then its synonyms, comma-separated, one root per line.
MOBY = """help,aid,assistance,abet,the,in
aid,help,assistance,abet
assistance,help,aid
abet,help,aid
trade,barter,swap,commerce
barter,swap
swap,trade,barter
commerce,trade,business
business,commerce,trade
"""


def _lexicon(tmp_path: Path, ranking: str) -> Lexicon:
    pytest.importorskip("wordfreq")  # ranks the entries (the train extra)
    path = tmp_path / "words.txt"
    path.write_text(MOBY, encoding="utf-8")
    return foreign.moby_lexicon(path, ranking)


def test_only_entries_that_list_each_other(tmp_path):
    thesaurus = _lexicon(tmp_path, "frequency").thesaurus
    assert {c for c, _ in thesaurus["help"]} == {"aid", "assistance", "abet"}
    # "barter" does not list "trade": a one-way entry is an association, not a synonym
    assert {c for c, _ in thesaurus["trade"]} == {"swap", "commerce"}
    assert "the" not in {c for c, _ in thesaurus["help"]} and "in" not in thesaurus


def test_rankings_differ_as_documented(tmp_path):
    by_frequency = [c for c, _ in _lexicon(tmp_path, "frequency").thesaurus["help"]]
    by_similarity = [c for c, _ in _lexicon(tmp_path, "similarity").thesaurus["help"]]
    # frequency: the commonest word first; similarity: the entry sharing most of help's list
    assert by_frequency[0] == "aid"
    assert by_similarity[0] == "aid"  # aid's list holds assistance and abet, as help's does
    assert "abet" not in by_similarity  # rarer than Zipf 3, the similarity ranking's floor
    assert set(by_similarity) < set(by_frequency)


def test_spins_and_known_share(tmp_path):
    lexicon = _lexicon(tmp_path, "frequency")
    rows = make_heldout.spun_records(
        [
            ("a", "We need help with trade between the two towns today."),
            ("b", "We need help with trade between the two towns today."),
        ],
        Spinner(lexicon, split="all"),
        np.random.default_rng(0),
    )
    assert [r["label"] for r in rows] == [0, 1]
    spun = rows[1]
    assert spun["replacements"] and all(spun["text"][s:e] == new for s, e, _, new in spun["replacements"])
    ours = Lexicon.from_pairs({"aid": [("help", 1)], "assistance": [("help", 1)]})
    # one swap ours can undo (aid -> help), one it cannot (swap -> trade), one whose
    # replacement it knows but with another original (assistance -> help, not "support")
    rows = [
        {"label": 1, "replacements": [[0, 3, "help", "aid"], [9, 13, "trade", "swap"]]},
        {"label": 1, "replacements": [[0, 10, "support", "assistance"]]},
        {"label": 0},
    ]
    assert foreign.swappable_back(rows, ours) == round(1 / 3, 4)
    assert foreign.swappable_back([{"label": 0}], ours) is None
