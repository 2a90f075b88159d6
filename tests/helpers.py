"""Small helpers shared by several test files (imported as ``from helpers import ...``)."""

from __future__ import annotations

import pytest

from spincheck import Result


def paragraphs_of(text: str) -> list[str]:
    """The blank-line separated paragraphs of a test article, as written."""
    return [p for p in text.split("\n\n") if p.strip()]


def same_result(a: Result, b: Result) -> bool:
    """Equal up to float noise: matrix products may round differently with the number of rows in a batch."""
    return (
        (a.spun, a.reason, a.words, a.by_context) == (b.spun, b.reason, b.words, b.by_context)
        and a.probability == pytest.approx(b.probability, abs=1e-6)
        and [e[:4] for e in a.evidence] == [e[:4] for e in b.evidence]
        and [e.strength for e in a.evidence] == pytest.approx([e.strength for e in b.evidence], abs=2e-3)
    )
