"""spincheck: find paragraphs that were run through an article spinner.

Spinners swap words and phrases for dictionary synonyms without regard to
context ("the top U.S. diplomat" -> "the highest US diplomat"). spincheck
scores each paragraph against statistics of clean English and says which
phrase looks substituted and what it most likely replaced::

    >>> import spincheck
    >>> det = spincheck.Detector.load()          # the shipped model
    >>> doc = det.score_text(open("page.txt", encoding="utf-8-sig").read())  # doctest: +SKIP
    >>> [(p.index, p.result.probability) for p in doc.flagged]  # doctest: +SKIP

``import spincheck`` reads no model file; the model is loaded by
``Detector.load()``.
"""

from __future__ import annotations

import logging
from importlib import metadata

from .detector import Detector, Document, Evidence, Paragraph, Result
from .model import ModelError

__all__ = ["Detector", "Document", "Evidence", "Paragraph", "Result", "ModelError", "__version__"]

try:
    __version__ = metadata.version("spincheck")
except metadata.PackageNotFoundError:  # running from a source checkout
    __version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
