"""Logging: one line per event, with every secret (the token above all) redacted."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable

REDACTED = "[REDACTED]"
_secrets: set[str] = set()
_base_factory = logging.getLogRecordFactory()


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    return text


def _record_factory(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    if not _secrets:
        return record
    try:
        message = record.getMessage()
    except Exception:  # a bad format string; leave it to the handler to report
        return record
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
    return record


def protect(secrets: Iterable[str]) -> None:
    """Redact these values from every log record made from now on, by any library."""
    _secrets.update(s for s in secrets if s)
    logging.setLogRecordFactory(_record_factory)


def setup(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    protect(secrets)
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL, and the URL carries the token; keep it quiet anyway.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
