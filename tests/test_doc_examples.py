"""The docs' examples run and print what the docs show: the ```python blocks of README.md and
docs/*.md, and the README's ```console sessions, against the shipped model. No test ran them, so
they could drift from the code unseen.

The rules, for whoever edits the docs:
- A ```python block runs as a script in a fresh interpreter, in a folder holding the files the
  docs name (``_workdir``: ``page.txt`` is ``examples/spun.txt``), unless the line before its
  fence is an HTML comment ``<!-- fragment: why -->`` (it uses names the reader supplies).
- A ```text block whose fence follows ``<!-- output of the block above -->`` is what the python
  block before it prints.
- In a ```console block each ``$ `` line is a command run in that folder, and the lines up to the
  next one are what it prints: ``spincheck: ...`` lines on stderr, the others on stdout, each in
  order. ``spincheck ...`` runs in-process; ``echo $?`` prints the last exit status, and
  ``| head -n N`` keeps the first N lines. Other commands are not supported (the test says so).
- In shown output a line ``...`` stands for any number of lines.

Two checks go with them: the tables of ``spincheck score``'s options (README, docs/cli.md) against
its parser, and the Scrapy settings docs/pipelines.md shows against those the pipeline reads.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

import spincheck
from spincheck.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
IMPORTED_FROM = Path(spincheck.__file__).resolve().parents[1]
_FENCE = re.compile(r"^```(\w*)\s*$")


class Block(NamedTuple):
    doc: Path
    line: int  # of the opening fence, from 1
    lang: str
    text: str
    marker: str  # the HTML comment on the line before the fence, or ""


def _blocks(doc: Path) -> list[Block]:
    lines = doc.read_text(encoding="utf-8").splitlines()
    blocks, i = [], 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        before = lines[i - 1].strip() if i else ""
        marker = before if before.startswith("<!--") else ""
        blocks.append(Block(doc, i + 1, match.group(1), "\n".join(lines[i + 1 : end]), marker))
        i = end + 1
    return blocks


def _python_examples() -> list[tuple[Block, str | None]]:
    """Each python block that is no fragment, with its shown output (None when none is shown)."""
    found = []
    for doc in DOCS:
        blocks = _blocks(doc)
        for block, after in zip(blocks, [*blocks[1:], None]):
            if block.lang != "python" or block.marker.startswith("<!-- fragment"):
                continue
            shown = after is not None and after.marker == "<!-- output of the block above -->"
            found.append((block, after.text if shown else None))
    return found


def _console_blocks() -> list[Block]:
    return [block for doc in DOCS for block in _blocks(doc) if block.lang == "console"]


def _id(block: Block) -> str:
    return f"{block.doc.relative_to(ROOT)}:{block.line}"


def _matches(shown: list[str], printed: list[str]) -> bool:
    """``printed`` is ``shown``, a line ``...`` standing for any lines."""
    pattern = "".join(r"(?:.*\n)*?" if line.strip() == "..." else re.escape(line) + r"\n" for line in shown)
    return re.fullmatch(pattern, "".join(line + "\n" for line in printed)) is not None


def test_shown_output_matches_with_elided_lines() -> None:
    assert _matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert _matches(["a", "  ...", "b"], ["a", "b"])
    assert not _matches(["a", "...", "d"], ["a", "b", "c"])
    assert not _matches(["a"], ["a", "b"])


@functools.cache
def _make_examples():
    """scripts/make_examples.py, which writes the README's dev.jsonl."""
    spec = importlib.util.spec_from_file_location("make_examples", ROOT / "scripts" / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _workdir(folder: Path) -> Path:
    """``folder`` holding what the docs' examples read, as they name it."""
    examples = ROOT / "examples"
    shutil.copytree(examples, folder / "examples")
    (folder / "corpus").symlink_to(ROOT / "corpus", target_is_directory=True)
    shutil.copy(examples / "spun.txt", folder / "page.txt")
    shutil.copy(examples / "clean.txt", folder / "clean.txt")
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    clean, spun = ((examples / name).read_text(encoding="utf-8") for name in ("clean.txt", "spun.txt"))
    (folder / "dev.jsonl").write_text(_make_examples().labelled(clean, spun), encoding="utf-8")
    (folder / "crawl").mkdir()
    with gzip.open(folder / "crawl" / "part-0.jsonl.gz", "wt", encoding="utf-8") as shard:
        for i, text in enumerate((clean, spun)):
            shard.write(json.dumps({"id": i, "text": text}) + "\n")
    return folder


def _run_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(IMPORTED_FROM), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-P", "-c", code], capture_output=True, text=True, env=env, cwd=cwd, timeout=300, check=False
    )


def _slow_if_dask(example: tuple[Block, str | None]):
    block = example[0]
    marks = [pytest.mark.slow] if "distributed" in block.text else []
    return pytest.param(*example, id=_id(block), marks=marks)


@pytest.mark.parametrize(("block", "shown"), [_slow_if_dask(example) for example in _python_examples()])
def test_python_example_runs_and_prints_what_the_doc_shows(block: Block, shown: str | None, tmp_path) -> None:
    if "distributed" in block.text:
        pytest.importorskip("distributed")
    done = _run_python(block.text, _workdir(tmp_path))
    assert done.returncode == 0, done.stderr
    if shown is not None:
        assert _matches(shown.splitlines(), done.stdout.splitlines()), done.stdout
    if "score_jsonl_shards" in block.text:  # what it writes, having printed nothing
        rows = [json.loads(line) for line in (tmp_path / "scores" / "part-0.jsonl").read_text().splitlines()]
        assert {row["source"].rsplit(":", 1)[1] for row in rows} == {"0", "1"} and any(row["spun"] for row in rows)


def test_the_readme_runs_python_examples() -> None:
    """The README's library example is run, with the output it shows (a guard on the rules above)."""
    readme = [(block, shown) for block, shown in _python_examples() if block.doc.name == "README.md"]
    assert any("score_text" in block.text and shown for block, shown in readme)


def _session(block: Block) -> list[tuple[str, list[str]]]:
    """The commands of a console block, each with the lines shown after it."""
    session: list[tuple[str, list[str]]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            session.append((line[2:], []))
        else:
            session[-1][1].append(line)
    return session


@pytest.mark.parametrize("block", _console_blocks(), ids=_id)
def test_console_example_prints_what_the_readme_shows(block: Block, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(_workdir(tmp_path))
    status = None
    for command, shown in _session(block):
        if command == "echo $?":
            out, err = f"{status}\n", ""
        else:
            command, _, pipe = command.partition(" | ")
            argv = shlex.split(command)
            assert argv[0] == "spincheck" and pipe in ("", *(f"head -n {n}" for n in range(1, 100))), command
            status = main(argv[1:])
            out, err = capsys.readouterr()
            if pipe:
                out = "".join(out.splitlines(keepends=True)[: int(pipe.split()[-1])])
        shown_err = [line for line in shown if line.startswith("spincheck: ")]
        shown_out = [line for line in shown if not line.startswith("spincheck: ")]
        assert _matches(shown_out, out.splitlines()), f"$ {command}\n{out}"
        assert _matches(shown_err, err.splitlines()), f"$ {command}\n{err}"


def test_the_scrapy_settings_shown_are_the_ones_the_pipeline_reads() -> None:
    """docs/pipelines.md's settings.py block runs above, which shows only that it is Python."""
    (settings,) = [block for block in _blocks(ROOT / "docs" / "pipelines.md") if "ITEM_PIPELINES" in block.text]
    source = (IMPORTED_FROM / "spincheck" / "integrations" / "scrapy.py").read_text(encoding="utf-8")
    shown = set(re.findall(r"^(SPINCHECK_\w+) =", settings.text, re.MULTILINE))
    assert shown == set(re.findall(r"\"(SPINCHECK_\w+)\"", source))


def _option_rows(doc: Path, heading: str) -> list[tuple[list[str], str]]:
    """The rows of the first table under ``heading``: each first cell's code spans, and its meaning."""
    section = doc.read_text(encoding="utf-8").split(f"\n{heading}\n", 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("| `-"):
            cell, meaning = re.split(r"(?<!\\) \| ", line[2:], maxsplit=1)
            rows.append(([span.replace("\\|", "|") for span in re.findall(r"`([^`]+)`", cell)], meaning))
        elif rows and not line.startswith("|"):
            break
    return rows


def _score_parser():
    import argparse

    from spincheck.cli import _build_parser

    (commands,) = [a for a in _build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return commands.choices["score"]


@pytest.mark.parametrize(
    ("doc", "heading"),
    [("README.md", "### `spincheck score`"), ("docs/cli.md", "## Options")],
    ids=["README", "cli.md"],
)
def test_the_score_options_tables_agree_with_score_help(doc: str, heading: str) -> None:
    """Each option the table lists is one of ``spincheck score``'s, with its metavar or choices and
    the default it states; the README's table lists every one (-v aside: "-v (repeatable)")."""
    actions = {option: a for a in _score_parser()._actions for option in a.option_strings}
    listed = set()
    for spans, meaning in _option_rows(ROOT / doc, heading):
        for span in spans:
            option, _, arg = span.partition(" ")
            action = actions[option]
            listed.add(action.dest)
            assert arg == ("|".join(action.choices) if action.choices else action.metavar or ""), span
        default = re.search(r"\(default:? `?(\w+)`?[),:;]", meaning)
        if default:
            assert default.group(1) == str(action.default), spans
    if doc == "README.md":
        assert listed == {a.dest for a in actions.values() if not {"-h", "-v"} & set(a.option_strings)}
