"""One websocket frame, built once, written to every socket of a process.

Through Channels' `send`, a broadcast costs per phone a coroutine, an ASGI message,
daphne's checks, a UTF-8 encoding and autobahn's framing: at 10,000 phones that made the
question reach them 2.8× slower than the bare `websockets` library (docs/BENCHMARKS.md).
Under daphne, a consumer's `send` is daphne's reply function bound to the socket's
autobahn protocol, which can write a prepared frame as it is. Any other server, or the
test communicator, or a socket not open, goes the usual way.

Twisted then queues each write for the next turn of the loop: per socket, two epoll
changes and a callback run under its logging context. When nothing is queued before it,
the frame goes to the kernel at once instead (`_send`), as asyncio's own transports do.

This reaches into daphne, autobahn and Twisted internals, so it is fenced (STYLE.md, "Other
people's code"): Twisted and autobahn are pinned in requirements.txt; the names it needs
are checked once, here at import (those a connection sets on itself, on the first open
socket); when one is missing, or anything in the direct path raises, one log line says so
and every message goes through Channels' `send` from then on. settings.DIRECT_FRAMES
(environment HOCSO_DIRECT_FRAMES=0) turns the direct path off.
"""

import functools
import logging

from django.conf import settings

log = logging.getLogger(__name__)

written = 0  # messages written straight to a socket in this process (tests, benchmarks)


def _missing_names() -> list[str]:
    """The private or internal names the direct path needs that this install lacks."""
    try:  # (not daphne.server: importing it installs Twisted's reactor)
        from autobahn.websocket.protocol import PreparedMessage, WebSocketProtocol
        from twisted.internet import abstract, tcp
    except ImportError as error:
        return [f"import: {error}"]
    needed = {
        "WebSocketProtocol.STATE_OPEN": (WebSocketProtocol, "STATE_OPEN"),
        "WebSocketProtocol.sendPreparedMessage": (WebSocketProtocol, "sendPreparedMessage"),
        "tcp.Server.write": (tcp.Server, "write"),
        "tcp.Server.offset": (tcp.Server, "offset"),
        "tcp.Server.dataBuffer": (tcp.Server, "dataBuffer"),
        "tcp.Server.disconnecting": (tcp.Server, "disconnecting"),
    }
    try:  # set by constructors: built here without a socket or a reactor
        needed["PreparedMessage.payloadHybi"] = (
            PreparedMessage(b"", isBinary=False, applyMask=False, doNotCompress=False),
            "payloadHybi",
        )
        needed["FileDescriptor._tempDataLen"] = (
            abstract.FileDescriptor(reactor=_NoReactor()),
            "_tempDataLen",
        )
    except Exception as error:  # a changed constructor
        return [f"constructors: {error!r}"]
    return [name for name, (owner, attribute) in needed.items() if not hasattr(owner, attribute)]


class _NoReactor:
    """Stands in for Twisted's reactor, which must not be imported before daphne's."""


# What a connection sets on itself when it opens: checked on the first open socket.
PROTOCOL_NAMES = ("state", "transport", "send_queue", "_perMessageCompress")
TRANSPORT_NAMES = ("socket", "_tempDataLen")

_MISSING = _missing_names()
if _MISSING:
    log.warning(
        "direct websocket frames off: %s missing (Twisted or autobahn changed?); "
        "every message goes through Channels' send",
        ", ".join(_MISSING),
    )
    PreparedMessage = WebSocketProtocol = tcp = None
else:
    from autobahn.websocket.protocol import PreparedMessage, WebSocketProtocol
    from twisted.internet import tcp

_broken = False  # the direct path failed once in this process: not tried again
_checked = False  # the first open socket's own names were checked


def enabled() -> bool:
    """Whether messages may be written straight to daphne's sockets in this process."""
    return not _MISSING and not _broken and getattr(settings, "DIRECT_FRAMES", True)


def _give_up(reason: str) -> None:
    global _broken
    _broken = True
    log.exception(
        "direct websocket frames off: %s; every message goes through Channels' send", reason
    )


class Frame:
    """A text message, framed on first use and then written as the same bytes to each
    socket (a server's frames are not masked)."""

    def __init__(self, text: str):
        self.text = text
        self._prepared = None

    def write(self, consumer) -> bool:
        """Write the frame to the consumer's socket: False if it must go through `send`
        (nothing was written then)."""
        protocol = _protocol(consumer)
        if protocol is None:
            return False
        if self._prepared is None:
            self._prepared = _framed(self.text)
        return _write(protocol, self._prepared)


def write_text(consumer, text: str) -> bool:
    """Write one message of this socket's own (a reveal with the player's row); False if it
    must go through `send`."""
    protocol = _protocol(consumer)
    return protocol is not None and _write(protocol, _framed(text))


def _write(protocol, message) -> bool:
    global written
    try:
        _send(protocol, message)
    except _Fallback:
        return False
    written += 1
    return True


class _Fallback(Exception):
    """Nothing was written: the message goes through Channels' `send`."""


def _protocol(consumer):
    """The open daphne websocket behind the consumer's `send`, or None."""
    if not enabled():
        return None
    try:
        protocol = getattr(consumer, "_wire", False)
        if protocol is False:  # looked up once per socket
            send = getattr(consumer, "base_send", None)
            protocol = send.args[0] if isinstance(send, functools.partial) and send.args else None
            if not isinstance(protocol, WebSocketProtocol):
                protocol = None
            elif not _checked:
                _check(protocol)
            consumer._wire = protocol
        if protocol is None or protocol.state != WebSocketProtocol.STATE_OPEN:
            return None
    except Exception:
        _give_up("reading the socket failed")
        return None
    return protocol


def _check(protocol) -> None:
    """The names an open connection sets on itself, once per process."""
    global _checked
    _checked = True
    missing = [f"protocol.{n}" for n in PROTOCOL_NAMES if not hasattr(protocol, n)]
    missing += [f"transport.{n}" for n in TRANSPORT_NAMES if not hasattr(protocol.transport, n)]
    if missing:
        raise AttributeError(", ".join(missing))


def _framed(text: str):
    return PreparedMessage(text.encode(), isBinary=False, applyMask=False, doNotCompress=False)


def _send(protocol, message) -> None:
    """Write `message`; _Fallback (and the direct path off) when reading a private name
    failed, before anything was written."""
    try:
        transport = protocol.transport
        queued = (
            type(transport) is not tcp.Server  # TLS, or another transport: Twisted's way
            or protocol._perMessageCompress is not None
            or protocol.send_queue
            or transport.disconnecting
            or transport._tempDataLen
            or transport.offset < len(transport.dataBuffer)
        )
        data, sock = message.payloadHybi, None if queued else transport.socket
    except Exception as error:  # an upgrade renamed something
        _give_up("the direct path raised")
        raise _Fallback from error
    if sock is None:
        protocol.sendPreparedMessage(message)  # autobahn's public call
        return
    try:
        sent = sock.send(data)
    except OSError:  # the kernel's buffer is full, or the peer left: Twisted sees to it
        sent = 0
    if sent < len(data):
        transport.write(data[sent:])
