"""The Markdown docs: every relative link names a file and a heading that exist, and the lists of a
log's sections name all of them (a section of docs/accuracy.md was missing from the README's list)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "corpus" / "README.md"]
LOGS = sorted((ROOT / "docs").glob("*.md"))
# [text](target), the text on one line or several; images aside
_LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*([^)\s]+)[^)]*\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$", re.MULTILINE)


def _uncoded(path: Path) -> str:
    """The file with its fenced code blocks blanked (a "# comment" there is no heading, and
    brackets there are no link)."""
    lines, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            line = ""
        lines.append("" if fenced else line)
    return "\n".join(lines)


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.replace("`", "")).strip().lower()
    return "".join(c for c in text if c.isalnum() or c in " -_").replace(" ", "-")


def _anchors(path: Path, deepest: int = 6) -> list[str]:
    """The anchors of ``path``'s headings down to level ``deepest``, in order (a repeated one gets
    "-1", "-2", as GitHub numbers them)."""
    seen: dict[str, int] = {}
    found = []
    for level, heading in _HEADING.findall(_uncoded(path)):
        slug = _slug(heading)
        if len(level) <= deepest:
            found.append(f"{slug}-{seen[slug]}" if slug in seen else slug)
        seen[slug] = seen.get(slug, 0) + 1
    return found


def _links(text: str, path: Path) -> list[tuple[Path, str]]:
    """Each relative link of ``text``, which is ``path``'s: the file it names and its anchor ("" when
    none). Inline code is left out: brackets there are no link."""
    found = []
    for target in _LINK.findall(re.sub(r"`[^`\n]*`", "``", text)):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        name, _, anchor = target.partition("#")
        found.append(((path.parent / name).resolve() if name else path, anchor))
    return found


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_names_a_file_and_heading_that_exist(doc: Path) -> None:
    broken = [
        f"{target.relative_to(ROOT)}#{anchor}"
        for target, anchor in _links(_uncoded(doc), doc)
        if not target.exists() or (anchor and target.suffix == ".md" and anchor not in _anchors(target))
    ]
    assert broken == []


def test_headings_are_anchored_as_github_anchors_them() -> None:
    assert _slug("`spincheck score`") == "spincheck-score"
    assert _slug("Another thesaurus (Moby)") == "another-thesaurus-moby"
    assert _slug("The lookup index's build, and the allocator") == "the-lookup-indexs-build-and-the-allocator"


@pytest.mark.parametrize("log", LOGS, ids=lambda path: path.name)
def test_a_logs_contents_list_names_each_of_its_sections_in_order(log: Path) -> None:
    sections = _anchors(log, deepest=2)[1:]  # the page's title aside
    contents = _uncoded(log).split("\nContents:\n", 1)[1].split("\n\n", 1)[0]
    listed = [anchor for target, anchor in _links(contents, log) if target == log]
    assert [anchor for anchor in listed if anchor in sections] == sections
