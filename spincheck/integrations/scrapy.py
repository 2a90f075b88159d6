"""A Scrapy item pipeline that scores each crawled page for spinning.

Enable it in the project's ``settings.py``::

    ITEM_PIPELINES = {"spincheck.integrations.scrapy.SpincheckPipeline": 300}
    SPINCHECK_MODEL = None          # a model directory, or None for the shipped model
    SPINCHECK_TEXT_FIELD = "text"   # item field holding the page text
    SPINCHECK_HTML_FIELD = "html"   # used when the text field is empty
    SPINCHECK_THRESHOLD = None      # None: the model card's threshold
    SPINCHECK_DROP_SPUN = False     # True: raise DropItem for spun pages

For every item the pipeline takes the text from ``SPINCHECK_TEXT_FIELD``: a
string, or a list of strings taken as one paragraph each (stripped and joined
with blank lines; index and offsets then count paragraphs of the joined text, in
which empty strings add none and a string with line breaks may make several). When that field is missing
or empty it extracts the main text from ``SPINCHECK_HTML_FIELD`` as
``spincheck score page.html`` does (trafilatura when installed, else a
plain-text fallback) and, when the item can hold it, stores that text in the
text field, since the reported offsets point into it. Give it ``response.text``
rather than ``response.body``: bytes are decoded by the charset the page itself
declares, and one sent only in the HTTP ``Content-Type`` header is lost. It then
adds three fields, and a fourth where the item can hold it:

``spin_probability``
    the highest paragraph probability (0.0 when nothing could be scored, None
    when the item had no text at all);
``spin_flagged``
    True when any paragraph is flagged: at or above the threshold, or, in a
    page whose other paragraphs are spun, from 0.8 on (None without text);
``spin_paragraphs``
    one plain dict per flagged paragraph: ``index``, ``start``, ``end``,
    ``text``, ``probability``, ``by_context`` (flagged under the threshold because of
    the rest of the page) and ``evidence``, a list of
    ``{phrase, start, end, suggestion, strength}`` dicts. All offsets are
    character offsets into the scored text: the text field itself when it
    holds a string, so ``item["text"][e["start"]:e["end"]] == e["phrase"]``;
    for a list of strings, the strings, each stripped, joined by blank lines; for bytes, the
    decoded text (line ends made ``\\n``);
``spin_model_id``
    the ``model_id`` of the model that scored the item (``Detector.model_id``), as
    every row of ``spincheck score --format jsonl`` and of the Dask integration
    ends with, so that items kept in a database say which model judged them (an
    item without text gets it too).

Plain ``dict`` items take any field. ``scrapy.Item`` (and dataclass or attrs)
items must declare the first three fields: subclass :class:`SpinItem`, or add
``spin_probability = scrapy.Field()`` and so on yourself. An item class that
lacks them fails with a ``TypeError`` that says so, before any scoring.
``spin_model_id`` came later: an item class without it (declared before it came)
is scored as before, without it, and a warning says so once.

Scoring runs in the pipeline call, on the reactor thread: about 2 ms of
CPU for an item of a few paragraphs, most of it the fixed cost of a call. Two
settings batch items instead (off by default)::

    SPINCHECK_BATCH_SIZE = 1        # more than 1: score items this many at a time
    SPINCHECK_BATCH_WAIT = 0.5      # seconds a batch waits for more items

With ``SPINCHECK_BATCH_SIZE`` above 1, ``process_item`` returns an awaitable
and holds the item until its batch is scored, in one call, as
``Detector.score_documents`` does: when it holds that many items, or
``SPINCHECK_BATCH_WAIT`` seconds after its first item, whichever comes first
(Scrapy does not close a spider while items are in its pipelines, so only a
timer can flush the last items of a crawl). Each item gets the fields it would
get alone (probabilities to within about 1e-9 before rounding, see
``score_documents``) and is dropped alone; an item without text is passed on
at once; an error scoring a batch fails each of its items. To use more cores,
run more crawler processes. The model is loaded once, in
``open_spider``; its reference tables are memory-mapped, so several crawler
processes on one machine share them through the OS page cache.

Only this module imports Scrapy; ``import spincheck`` does not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

try:
    import scrapy
    from itemadapter import ItemAdapter
    from scrapy.exceptions import DropItem
    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("spincheck.integrations.scrapy needs Scrapy; install it with: pip install scrapy") from exc

from ..detector import Detector, Document
from ..formats import _trafilatura, html_to_text
from ..inputs import TRAFILATURA_NOTE
from ..report import evidence_record
from ..text import decode_bytes

__all__ = ["SpincheckPipeline", "SpinItem", "SPIN_FIELDS", "MODEL_ID_FIELD", "extract_main_text", "document_fields"]

logger = logging.getLogger(__name__)

#: The fields the pipeline adds to every item.
SPIN_FIELDS = ("spin_probability", "spin_flagged", "spin_paragraphs")
#: The field that names the model, added to every item that can hold it: not required, as the
#: three are, since item classes declared before it came lack it.
MODEL_ID_FIELD = "spin_model_id"

#: Default ``SPINCHECK_BATCH_WAIT``: at most this many seconds added to an item's way through the
#: pipeline, when items come slower than a batch fills.
BATCH_WAIT = 0.5


class SpinItem(scrapy.Item):
    """Declares the fields the pipeline fills; subclass it for your item.

    ::

        class Article(SpinItem):
            url = scrapy.Field()
            text = scrapy.Field()
    """

    spin_probability = scrapy.Field()
    spin_flagged = scrapy.Field()
    spin_paragraphs = scrapy.Field()
    spin_model_id = scrapy.Field()


# ---- HTML to text ------------------------------------------------------------------------------
def _have_trafilatura() -> bool:
    return _trafilatura() is not None


def extract_main_text(
    markup: str | bytes | bytearray | memoryview | Sequence[str] | Sequence[bytes | bytearray],
) -> str:
    """The main text of an HTML page, paragraphs separated by blank lines.

    The same extraction as ``spincheck score page.html``
    (:func:`spincheck.formats.html_to_text`): trafilatura when installed
    (the ``html`` extra), else a plain-text fallback that
    keeps block elements and drops scripts, navigation, headers and footers;
    a warning is logged once when the fallback is used. Bytes are decoded as
    the command line decodes a page (:func:`spincheck.formats.decode_html`): UTF-8
    when valid, else the charset the page declares (windows-1252 for Latin-1);
    a list (a selector's ``.getall()``) is read as its fragments joined.
    """
    if isinstance(markup, (list, tuple)):  # the fragments of a selector's .getall(), read as one page
        if all(isinstance(m, str) for m in markup):
            markup = "\n".join(markup)
        elif all(isinstance(m, (bytes, bytearray)) for m in markup):
            markup = b"\n".join(markup)  # decoded once: the charset a page declares is in one fragment
        else:
            kinds = sorted({type(m).__name__ for m in markup})
            raise TypeError(f"expected HTML as str, bytes or a list of str (or of bytes), got a list of {kinds}")
    elif not isinstance(markup, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"expected HTML as str, bytes or a list of str, got {type(markup).__name__}")
    if not _have_trafilatura():
        _warn_once("no-trafilatura", TRAFILATURA_NOTE)
    return html_to_text(markup)  # which decodes bytes as the command line decodes a page


_warned: set[str] = set()


def _warn_once(key: str, message: str, *args: object) -> None:
    if key not in _warned:
        _warned.add(key)
        logger.warning("spincheck: " + message + " (warned once)", *args)


# ---- results as plain data ---------------------------------------------------------------------
def document_fields(doc: Document) -> dict[str, Any]:
    """The three item fields for a scored document, as JSON-ready plain values.

    Rounded and laid out as ``spincheck score --format jsonl`` writes them:
    probabilities to 4 places, evidence strengths to 3, and every offset
    (the evidence's too) a character offset into the scored text.
    """
    return {
        "spin_probability": round(float(doc.probability), 4),
        "spin_flagged": bool(doc.spun),
        "spin_paragraphs": [
            {
                "index": p.index,
                "start": p.start,
                "end": p.end,
                "text": p.text,  # when the field was a list, the offsets are into its joined text
                "probability": round(float(p.result.probability), 4),
                "by_context": p.result.by_context,
                "evidence": [evidence_record(e, p.start) for e in p.result.evidence],
            }
            for p in doc.flagged
        ],
    }


def _as_text(value: Any) -> str:
    """Field value to text: str as is, bytes decoded, a list of strings one paragraph each."""
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray, memoryview)):  # as the HTML field takes them
        return decode_bytes(bytes(value))[0]
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "\n\n".join(_as_text(v).strip() for v in value)
    raise TypeError(f"expected text as str, bytes or a list of str, got {type(value).__name__}")


def _threshold_setting(value: Any) -> float | None:
    """``SPINCHECK_THRESHOLD`` as a number (None: the model's own); Detector.load checks its range."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"SPINCHECK_THRESHOLD must be a number from 0 to 1, not {value!r}") from None


def _batch_size_setting(value: Any) -> int:
    """``SPINCHECK_BATCH_SIZE`` as a whole number from 1 on (None or "": 1, no batching)."""
    if value is None or value == "":
        return 1
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        size = int(value)
    except (TypeError, ValueError):
        size = 0
    if size < 1:
        raise ValueError(f"SPINCHECK_BATCH_SIZE must be a whole number from 1 on, not {value!r}")
    return size


def _batch_wait_setting(value: Any) -> float:
    """``SPINCHECK_BATCH_WAIT`` in seconds, 0 or more (None or "": the default, 0.5)."""
    if value is None or value == "":
        return BATCH_WAIT
    try:
        if isinstance(value, bool):
            raise ValueError
        wait = float(value)
    except (TypeError, ValueError):
        wait = -1.0
    if not 0.0 <= wait < float("inf"):  # NaN too
        raise ValueError(f"SPINCHECK_BATCH_WAIT must be a number of seconds from 0 on, not {value!r}")
    return wait


async def _awaited(result: Deferred) -> Any:
    """What ``result`` fires with, awaited as the loop running Scrapy's coroutines can.

    Under an asyncio loop (Scrapy's default reactor, or no reactor) only futures can be
    awaited, under another Twisted reactor only Deferreds: the choice Scrapy's
    ``maybe_deferred_to_future`` makes, which raises where no reactor is installed (unit tests).
    A coroutine, not the Deferred itself: recent Scrapy (2.19) warns that returned Deferreds are deprecated.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return await result
    return await result.asFuture(loop)


# ---- the pipeline ------------------------------------------------------------------------------
class SpincheckPipeline:
    """Score items for spinning; see the module docstring for settings and fields."""

    def __init__(
        self,
        model: str | None = None,
        *,
        text_field: str = "text",
        html_field: str = "html",
        threshold: float | None = None,
        drop_spun: bool = False,
        stats: Any = None,
        batch_size: int = 1,
        batch_wait: float = BATCH_WAIT,
        clock: Any = None,
    ) -> None:
        self.model = model
        self.text_field = text_field
        self.html_field = html_field
        self.threshold = threshold
        self.drop_spun = drop_spun
        self.stats = stats
        self.batch_size = _batch_size_setting(batch_size)
        self.batch_wait = _batch_wait_setting(batch_wait)
        # what schedules the batch timer: anything with Twisted's callLater (a task.Clock in
        # tests); None: the running asyncio loop, else the installed Twisted reactor
        self.clock = clock
        self.detector: Detector | None = None
        self._checked_classes: dict[type, bool] = {}  # item class -> whether it holds MODEL_ID_FIELD
        self._batch: list[tuple[Any, ItemAdapter, str, Deferred]] = []
        self._timer: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "SpincheckPipeline":
        settings = crawler.settings
        threshold = settings.get("SPINCHECK_THRESHOLD")
        return cls(
            settings.get("SPINCHECK_MODEL") or None,
            text_field=settings.get("SPINCHECK_TEXT_FIELD") or "text",
            html_field=settings.get("SPINCHECK_HTML_FIELD") or "html",
            threshold=_threshold_setting(threshold),
            drop_spun=settings.getbool("SPINCHECK_DROP_SPUN", False),
            stats=crawler.stats,
            batch_size=_batch_size_setting(settings.get("SPINCHECK_BATCH_SIZE")),
            batch_wait=_batch_wait_setting(settings.get("SPINCHECK_BATCH_WAIT")),
        )

    # ``spider`` is optional: recent Scrapy passes it only to methods that require it, older Scrapy always does.
    def open_spider(self, spider: Any = None) -> None:
        if self.detector is None:
            self.detector = Detector.load(self.model, threshold=self.threshold)
            logger.info("spincheck: loaded model %s (threshold %.3f)", self.detector.path, self.detector.threshold)

    def close_spider(self, spider: Any = None) -> None:
        """Score what a batch still holds (Scrapy closes a spider only once its items are through,
        so this is a safeguard: the timer has flushed them)."""
        self.flush()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if self.detector is None:  # used outside a crawl, e.g. in a unit test
            self.open_spider()
        assert self.detector is not None
        self._check_fields(item)
        adapter = ItemAdapter(item)
        text = self._page_text(adapter)
        if not text.strip():
            self._inc("spincheck/no_text")
            _warn_once(
                "no-text",
                "an item has neither %r nor %r text; it is passed on unscored with spin_probability=None",
                self.text_field,
                self.html_field,
            )
            adapter.update({"spin_probability": None, "spin_flagged": None, "spin_paragraphs": []})
            self._name_model(adapter)
            return item
        if self.batch_size > 1:
            return self._enqueue(item, adapter, text)
        self._apply(adapter, self.detector.score_text(text))
        return item

    def flush(self) -> None:
        """Score the items waiting in the batch, in one call, and pass each on (or drop it)."""
        if self._timer is not None:
            timer, self._timer = self._timer, None
            timer.cancel()
        batch, self._batch = self._batch, []  # items that come while this one is passed on start the next
        if not batch:
            return
        assert self.detector is not None
        try:
            docs = list(self.detector.score_documents([text for _, _, text, _ in batch], batch_size=len(batch)))
        except Exception:
            failure = Failure()
            for *_, result in batch:
                result.errback(failure)
            return
        outcomes: list[Exception | None] = []
        for (_, adapter, _, _), doc in zip(batch, docs):
            try:
                self._apply(adapter, doc)
                outcomes.append(None)
            except Exception as exc:  # DropItem
                outcomes.append(exc)
        for (item, _, _, result), error in zip(batch, outcomes):  # fired once every item has its fields
            if error is None:
                result.callback(item)
            else:
                result.errback(error)

    # ---- helpers ----------------------------------------------------------------------------
    def _page_text(self, adapter: ItemAdapter) -> str:
        """The text to score: the text field, else the main text of the HTML field (stored in the
        text field when the item can hold it, as the offsets point into it)."""
        text = _as_text(adapter.get(self.text_field))
        if not text.strip():
            markup = adapter.get(self.html_field)
            if markup:
                text = extract_main_text(markup)
                if text and self._can_hold(adapter, self.text_field):
                    adapter[self.text_field] = text
        return text

    def _apply(self, adapter: ItemAdapter, doc: Document) -> None:
        """Store a scored page's fields on its item and count it; DropItem for a spun one when asked."""
        adapter.update(document_fields(doc))
        self._name_model(adapter)
        self._inc("spincheck/scored")
        if doc.spun:
            self._inc("spincheck/spun")
            if self.drop_spun:
                self._inc("spincheck/dropped")
                flagged = [p.index for p in doc.flagged]
                raise DropItem(f"spincheck: spun text (probability {doc.probability:.3f}, paragraphs {flagged})")

    def _enqueue(self, item: Any, adapter: ItemAdapter, text: str) -> Any:
        result: Deferred = Deferred()
        self._batch.append((item, adapter, text, result))
        if len(self._batch) >= self.batch_size:
            self.flush()
        elif self._timer is None:
            self._timer = self._call_later(self.batch_wait, self._on_timer)
        return _awaited(result)

    def _on_timer(self) -> None:
        self._timer = None  # fired: nothing to cancel
        self.flush()

    def _call_later(self, delay: float, call: Any) -> Any:
        if self.clock is not None:
            return self.clock.callLater(delay, call)
        try:  # Scrapy's default asyncio reactor runs this loop; Scrapy can run on it without a reactor too
            loop = asyncio.get_running_loop()
        except RuntimeError:
            from twisted.internet import reactor  # not at import: Scrapy forbids it when it runs without a reactor

            # (Twisted types the reactor as a zope Interface, whose methods mypy reads with the first
            # argument as self unless the mypy-zope plugin is used)
            return reactor.callLater(delay, call)  # type: ignore[arg-type]
        return loop.call_later(delay, call)

    def _name_model(self, adapter: ItemAdapter) -> None:
        """Store the scoring model's id on an item that can hold it (see :meth:`_check_fields`)."""
        assert self.detector is not None
        if self._checked_classes.get(type(adapter.item), True):
            adapter[MODEL_ID_FIELD] = self.detector.model_id

    def _check_fields(self, item: Any) -> None:
        cls = type(item)
        if cls in self._checked_classes:
            return
        names = ItemAdapter.get_field_names_from_class(cls)
        if names is not None:  # None: a dict-like item that takes any key
            missing = [f for f in SPIN_FIELDS if f not in names]
            if missing:
                raise TypeError(
                    f"spincheck: item class {cls.__name__} has no field(s) {', '.join(missing)}; "
                    "subclass spincheck.integrations.scrapy.SpinItem or declare them, e.g. "
                    "spin_probability = scrapy.Field()"
                )
            if MODEL_ID_FIELD not in names:
                _warn_once(
                    f"no-model-id:{cls.__qualname__}",
                    "item class %s has no field %s: its items do not say which model scored them; declare "
                    "%s = scrapy.Field() (or subclass SpinItem)",
                    cls.__name__,
                    MODEL_ID_FIELD,
                    MODEL_ID_FIELD,
                )
        self._checked_classes[cls] = names is None or MODEL_ID_FIELD in names

    @staticmethod
    def _can_hold(adapter: ItemAdapter, field: str) -> bool:
        names = ItemAdapter.get_field_names_from_class(type(adapter.item))
        return names is None or field in names

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)
