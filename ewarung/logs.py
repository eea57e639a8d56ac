"""The shop's log file: rotated by size, and the same error written once per minute.

A shop computer has a small disk and nobody watching it: a client repeating one failing
request must not fill the disk with the same traceback. The log is cut at `max_bytes` and
keeps `backups` old files; a warning or error with the same signature (logger, message,
exception and where it was raised, not the request's path) as one written less than
`window` seconds ago is only counted; once the window is over one line says how often it
was repeated.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path

#: loggers beside the shop's packages that write to the shop's log
OTHER_LOGGERS = ("waitress",)
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 4
WINDOW_S = 60.0
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

Signature = tuple[str, int, str, str, str, int]


class QuietRepeats(logging.Filter):
    """Let through one warning or error of a kind per window; count the others, and write
    how many were held back once the window is over."""

    #: signatures remembered at most (a flood of distinct errors forgets the oldest)
    KEEP = 512

    def __init__(self, window: float = WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.window = window
        self.clock = clock
        #: where the summaries go (the handler this filter guards)
        self.handler: logging.Handler | None = None
        self._lock = threading.Lock()
        #: signature -> (when it was written, how often it was held back since), oldest first
        self._seen: OrderedDict[Signature, tuple[float, int]] = OrderedDict()

    def filter(self, record: logging.LogRecord) -> bool:
        now = self.clock()
        with self._lock:
            due = self._expired(now)
            keep = self._admit(record, now)
        for key, count in due:
            self._summarise(key, count)
        return keep

    def _admit(self, record: logging.LogRecord, now: float) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = signature(record)
        written = self._seen.get(key)
        if written is not None:
            self._seen[key] = (written[0], written[1] + 1)
            return False
        self._seen[key] = (now, 0)
        return True

    def _expired(self, now: float) -> list[tuple[Signature, int]]:
        """Forget the signatures whose window is over (or too many); those to summarise."""
        due = []
        while self._seen:
            key, (since, count) = next(iter(self._seen.items()))
            if now - since < self.window and len(self._seen) <= self.KEEP:
                break
            del self._seen[key]
            if count:
                due.append((key, count))
        return due

    def _summarise(self, key: Signature, count: int) -> None:
        if self.handler is None:
            return
        name, _level, msg, kind, where, line = key
        place = f" ({kind} at {where}:{line})" if kind else ""
        self.handler.handle(logging.LogRecord(
            name, logging.INFO, "", 0, "the error %r%s repeated %d more times within %d s",
            (msg, place, count, int(self.window)), None))

    def flush(self) -> None:
        """Write the summaries still held (the handler is closing)."""
        with self._lock:
            due = [(key, count) for key, (_since, count) in self._seen.items() if count]
            self._seen.clear()
        for key, count in due:
            self._summarise(key, count)


def signature(record: logging.LogRecord) -> Signature:
    """What makes two records the same error: not the request's path or the values."""
    kind, where, line = "", "", 0
    if record.exc_info and record.exc_info[1] is not None:
        exc = record.exc_info[1]
        kind = type(exc).__qualname__
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is not None:
            where, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
    return (record.name, record.levelno, str(record.msg), kind, where, line)


class ShopLog(RotatingFileHandler):
    """The log file, cut at a size, with repeated errors held back."""

    def __init__(self, path: Path, max_bytes: int, backups: int, window: float) -> None:
        super().__init__(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8",
                         delay=True)
        self.setFormatter(logging.Formatter(FORMAT))
        self.quiet = QuietRepeats(window)
        self.quiet.handler = self
        self.addFilter(self.quiet)

    def close(self) -> None:
        self.quiet.flush()
        super().close()


def configure(data_dir: Path, packages: tuple[str, ...], max_bytes: int = MAX_BYTES,
              backups: int = BACKUPS, window: float = WINDOW_S) -> ShopLog:
    """Log to <data dir>/logs/ewarung.log; a later app in the same process moves the file."""
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = ShopLog(log_dir / "ewarung.log", max_bytes, backups, window)
    for name in (*packages, *OTHER_LOGGERS):  # each package's logger, by its name
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if isinstance(h, ShopLog)]:
            logger.removeHandler(old)
            old.close()
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return handler
