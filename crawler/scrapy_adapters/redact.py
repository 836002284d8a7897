"""Keep credentials out of the log.

Scrapy logs every overridden setting at start-up ("Overridden settings: ..."), including
``AWS_SECRET_ACCESS_KEY`` in clear. This filter replaces the value of every secret-looking
setting with ``***`` in any record that passes the root handlers or Scrapy's crawler logger.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE", re.IGNORECASE)
_MIN_LENGTH = 4  # shorter values would blank out ordinary words


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: set[str]):
        super().__init__()
        self.secrets = sorted(secrets, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
        return True


def secret_values(settings: Any) -> set[str]:
    return {str(value) for name, value in settings.items()
            if _SECRET_NAME.search(str(name)) and isinstance(value, str)
            and len(value) >= _MIN_LENGTH}


def install(settings: Any) -> None:
    secrets = secret_values(settings)
    if not secrets:
        return
    redact = RedactSecrets(secrets)
    logging.getLogger("scrapy.crawler").addFilter(redact)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
