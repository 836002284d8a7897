"""Keep credentials out of the log, at every log level.

Scrapy logs every overridden setting at start-up ("Overridden settings: ..."), including
``AWS_SECRET_ACCESS_KEY`` in clear; at DEBUG botocore logs each signed S3 request (its
``Authorization`` header, the ``X-Amz-Security-Token`` session token, the canonical request
and the signature), Scrapy logs ``Cookie`` headers (``COOKIES_DEBUG``), items and URLs,
which may carry ``user:password@``. :func:`redact_text` replaces all of these with ``***``.

It is applied by the log-record factory, not by a filter: a handler filter reaches only the
handlers present when it is added (Scrapy replaces its root handler when a crawler is made;
``LOG_FILE`` or a user may add others), and a logger filter misses its child loggers'
records. The factory makes every record, whatever its logger, level or handler, and gives
it a class whose ``getMessage()`` and ``exc_text`` (the formatted traceback) are redacted.
That costs nothing until a handler formats the record, and then a plain substring
pre-check spares the regular expressions for the lines that hold no trigger word.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

MASK = "***"
_SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE", re.IGNORECASE)
_MIN_LENGTH = 4  # shorter values would blank out ordinary words

#: every pattern below contains one of these (lower case)
_TRIGGERS = ("authorization", "cookie", "security-token", "signature", "credential", "@")
#: a header, query parameter or SigV4 field whose value is a credential, and its value
_CREDENTIAL = re.compile(
    r"(?=[apcsx])(?<![a-z0-9-])"  # the look-ahead lets ``re`` skip most positions at once
    r"(?P<name>(?:proxy-)?authorization|(?:set-)?cookie"
    r"|(?:x-amz-)?(?:security-token|signature|credential))"
    r"""(?P<sep>['"]?[ \t]*(?:(?P<colon>:)[ \t]*\r?\n?|=)[ \t]*)(?P<value>"""
    r"\[[^\]]*\]"  # b'Cookie': [b'...', b'...']
    r"""|b?(?P<q>['"])(?:\\.|(?!(?P=q))[^\\])*(?P=q)"""  # 'Authorization': b'...'
    r"|(?(colon)[^\r\n]+"  # Authorization: Basic ... (to the end of the line)
    r"""|[^&\s'",;<>#]+))""",  # X-Amz-Signature=... (to the end of the parameter)
    re.IGNORECASE)
_STRING = re.compile(r"""(b?)(['"])(?:\\.|(?!\2)[^\\])*\2""")
#: ``scheme://user:password@host``: the password (up to the authority's last ``@``)
_URL_PASSWORD = re.compile(r"://(?P<user>[^:/?#@\s]*):[^/?#\s]+(?=@)")

#: the values of secret settings, longest first (see :func:`install`)
_secrets: list[str] = []


def _mask(match: re.Match[str]) -> str:
    value, quote = match["value"], match["q"]
    if value.startswith("["):
        masked = _STRING.sub(rf"\1\2{MASK}\2", value)
    elif quote:
        masked = value[:value.index(quote)] + quote + MASK + quote
    else:
        masked = MASK
    return match["name"] + match["sep"] + masked


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with credentials, and the ``secrets`` given, replaced by ``***``."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    lowered = text.lower()
    for word in _TRIGGERS:  # a plain loop: about 1 µs for an ordinary line
        if word in lowered:
            return _redact_patterns(text)
    return text


def _redact_patterns(text: str) -> str:
    text = _CREDENTIAL.sub(_mask, text)
    if "@" in text:  # which _URL_PASSWORD needs
        text = _URL_PASSWORD.sub(rf"://\g<user>:{MASK}", text)
    return text


class RedactedRecord(logging.LogRecord):
    """A log record whose message and formatted traceback come out redacted."""

    def getMessage(self) -> str:
        return redact_text(super().getMessage(), _secrets)

    @property
    def exc_text(self) -> str | None:  # set by Formatter.format(), then appended
        return self.__dict__.get("exc_text")

    @exc_text.setter
    def exc_text(self, value: str | None) -> None:
        self.__dict__["exc_text"] = None if value is None else redact_text(value, _secrets)


@functools.cache
def _redacting(cls: type[logging.LogRecord]) -> type[logging.LogRecord]:
    if issubclass(cls, RedactedRecord):
        return cls
    if cls is logging.LogRecord:
        return RedactedRecord
    return type(f"Redacted{cls.__name__}", (RedactedRecord, cls), {})


class _RecordFactory:
    """Wraps the previous record factory (another library may have set one)."""

    def __init__(self, previous: Callable[..., logging.LogRecord]):
        self.previous = previous

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        record.__class__ = _redacting(type(record))
        return record


def secret_values(settings: Any) -> set[str]:
    return {str(value) for name, value in settings.items()
            if _SECRET_NAME.search(str(name)) and isinstance(value, str)
            and len(value) >= _MIN_LENGTH}


def install(settings: Any) -> None:
    """From now on, redact every log record of this process, and the values of the secret
    ``settings`` too (each call adds to those of the calls before)."""
    _secrets[:] = sorted(set(_secrets) | secret_values(settings), key=len, reverse=True)
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _RecordFactory):
        logging.setLogRecordFactory(_RecordFactory(factory))
