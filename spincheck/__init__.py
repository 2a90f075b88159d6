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
from typing import TYPE_CHECKING, Any

__all__ = ["Detector", "Document", "Evidence", "Paragraph", "Result", "ModelError", "__version__"]

logging.getLogger(__name__).addHandler(logging.NullHandler())

# The public names, imported from their modules when first asked for: the ``spincheck`` command
# starts in this package, and Ctrl-C while numpy imported ended it with a traceback, before the
# command could catch it (see spincheck._console).
_PUBLIC = {
    "Detector": "detector",
    "Document": "detector",
    "Evidence": "detector",
    "Paragraph": "detector",
    "Result": "detector",
    "ModelError": "model",
}
# The modules ``import spincheck`` imported before its names were lazy, so ``spincheck.model``
# and the like after a bare ``import spincheck`` still work (an AttributeError otherwise); the
# others (formats, compare, metrics) never came with it and still need their own import.
_SUBMODULES = frozenset({"detector", "features", "lexicon", "model", "ngrams", "reference", "text", "vectors"})

if TYPE_CHECKING:
    # what type checkers see instead of __getattr__, which they read as "every name exists":
    # spincheck.Detecter.load() passed as Any, or as a str, not as an unknown name
    from .detector import Detector, Document, Evidence, Paragraph, Result
    from .model import ModelError

    __version__: str
else:

    def __getattr__(name: str) -> Any:
        """The public names, from their modules (see ``_PUBLIC``), and ``__version__``, read from
        the package metadata when first asked for: importing importlib.metadata and finding the
        distribution took a fifth of ``import spincheck`` (about 18 ms), and scoring never needs it."""
        if name in _PUBLIC:
            from importlib import import_module

            value = getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
            globals()[name] = value  # asked once: later lookups find it without this function
            return value
        if name in _SUBMODULES:
            from importlib import import_module

            return import_module(f".{name}", __name__)  # which also sets it here
        if name != "__version__":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from importlib import metadata

        global __version__
        try:
            __version__ = metadata.version("spincheck")
        except metadata.PackageNotFoundError:  # running from a source checkout
            __version__ = "0.1.0"
        return __version__


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})
