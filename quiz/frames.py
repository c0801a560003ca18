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
"""

import functools

from autobahn.websocket.protocol import PreparedMessage, WebSocketProtocol
from twisted.internet import tcp

written = 0  # messages written straight to a socket in this process (tests, benchmarks)


class Frame:
    """A text message, framed on first use and then written as the same bytes to each
    socket (a server's frames are not masked)."""

    def __init__(self, text: str):
        self.text = text
        self._prepared: PreparedMessage | None = None

    def write(self, consumer) -> bool:
        """Write the frame to the consumer's socket: False if it must go through `send`."""
        protocol = _protocol(consumer)
        if protocol is None:
            return False
        if self._prepared is None:
            self._prepared = _framed(self.text)
        _send(protocol, self._prepared)
        global written
        written += 1
        return True


def write_text(consumer, text: str) -> bool:
    """Write one message of this socket's own (a reveal with the player's row)."""
    protocol = _protocol(consumer)
    if protocol is None:
        return False
    _send(protocol, _framed(text))
    global written
    written += 1
    return True


def _protocol(consumer) -> WebSocketProtocol | None:
    """The open daphne websocket behind the consumer's `send`, or None."""
    protocol = getattr(consumer, "_wire", False)
    if protocol is False:  # looked up once per socket
        send = getattr(consumer, "base_send", None)
        protocol = send.args[0] if isinstance(send, functools.partial) and send.args else None
        if not isinstance(protocol, WebSocketProtocol):
            protocol = None
        consumer._wire = protocol
    if protocol is None or protocol.state != WebSocketProtocol.STATE_OPEN:
        return None
    return protocol


def _framed(text: str) -> PreparedMessage:
    return PreparedMessage(text.encode(), isBinary=False, applyMask=False, doNotCompress=False)


def _send(protocol: WebSocketProtocol, message: PreparedMessage) -> None:
    transport = protocol.transport
    if (
        type(transport) is not tcp.Server  # TLS, or another transport: Twisted's way
        or protocol._perMessageCompress is not None
        or protocol.send_queue
        or transport.disconnecting
        or transport._tempDataLen
        or transport.offset < len(transport.dataBuffer)
    ):
        protocol.sendPreparedMessage(message)
        return
    data = message.payloadHybi
    try:
        sent = transport.socket.send(data)
    except OSError:  # the kernel's buffer is full, or the peer left: Twisted sees to it
        sent = 0
    if sent < len(data):
        transport.write(data[sent:])
