"""What a live game's or a leaderboard's socket accepts. Every message is checked before
anything acts on it, in this order: the socket's rate, the size, the brackets, the JSON,
the type, the fields (docs/protocol.md, "Refusals, errors and limits")."""

import json
import time

from django.utils.translation import gettext as _

from quiz.events import encode

MAX_MESSAGE = 4096  # bytes
MAX_BRACKETS = 8  # no message needs more than two; '[' × 4000 overflowed the parser
MAX_ID = 2**63 - 1  # a database id; a larger one overflows the column
RATE, BURST = 5, 10  # messages per second per connection, and the burst allowed


def error(code: str, message: str, **extra) -> str:
    """An `error` message for the client (`message` is for the person)."""
    return encode({"v": 1, "type": "error", "code": code, "message": message, **extra})


def is_id(value) -> bool:
    return type(value) is int and 0 < value <= MAX_ID  # type(): True is not an id


def are_ids(value) -> bool:
    return type(value) is list and 1 <= len(value) <= 6 and all(is_id(v) for v in value)


def is_flag(value) -> bool:
    return type(value) is bool


class Refused(Exception):
    """A message that does not fit: `code` (docs/protocol.md) and what was parsed of it."""

    def __init__(self, code: str, message: dict | None = None):
        super().__init__(code)
        self.code, self.message = code, message

    def text(self) -> str:
        """The error reply, as most sockets word it."""
        if self.code == "flood":
            return error("flood", _("Bạn gửi quá nhanh; hãy chờ một chút."))
        if self.code == "type":
            return error("type", _("Loại tin nhắn không được hỗ trợ."))
        if self.code == "field":
            return error("field", _("Tin nhắn thiếu thông tin hoặc có giá trị không hợp lệ."))
        return error(self.code, _("Tin nhắn không hợp lệ hoặc quá dài."))


class Checker:
    """One socket's check of what it receives. `schema` is {type: {field: (check,
    required)}}; "v" is always allowed. A token bucket allows RATE messages a second, bursts
    of BURST."""

    def __init__(self, schema: dict[str, dict], max_size: int):
        self.schema, self.max_size = schema, max_size
        self.tokens, self.at = float(BURST), time.monotonic()

    def _take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.at) * RATE)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def parse(self, text: str | None) -> dict:
        """The message as a dict that fits the schema, else Refused. The size and the
        brackets are checked before the JSON parser sees the text."""
        if not self._take():
            raise Refused("flood")
        if (
            text is None
            or len(text) > self.max_size  # before encoding a long text
            or len(text.encode()) > self.max_size
        ):
            raise Refused("size")
        if text.count("[") + text.count("{") > MAX_BRACKETS:
            raise Refused("json")
        try:
            message = json.loads(text)
        except (ValueError, RecursionError):
            raise Refused("json") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise Refused("json")
        fields = self.schema.get(message["type"])
        if fields is None:
            raise Refused("type", message)
        for key, value in message.items():
            if key != "type" and key != "v" and (key not in fields or not fields[key][0](value)):
                raise Refused("field", message)
        if len(message) - 1 - ("v" in message) < len(fields) and any(
            required and key not in message for key, (_check, required) in fields.items()
        ):
            raise Refused("field", message)
        return message
