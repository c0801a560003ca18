"""Text messages to phones, behind one function so a real SMS gateway is one more backend.

settings.SMS_BACKEND: "console" (default) writes each message to the server log, so
verification codes are visible in development; "locmem" appends to `outbox` (tests).
"""

import logging
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger("hocso.sms")


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str


outbox: list[TextMessage] = []


def send_sms(*, to: str, body: str) -> None:
    """Send `body` to the phone number `to` through the configured backend."""
    message = TextMessage(to=to, body=body)
    backend = settings.SMS_BACKEND
    if backend == "locmem":
        outbox.append(message)
    elif backend == "console":
        logger.info("SMS to %s: %s", message.to, message.body)
    else:
        raise ValueError(f"Unknown SMS_BACKEND {backend!r}")
