"""The fence around quiz/frames.py's use of daphne, autobahn and Twisted internals: a name
missing at import, a name an open connection lacks, or an error in the direct path, and
the switch that turns it off, all leave every message delivered through Channels' `send`.

A socket here is a consumer whose `send` is, as under daphne, a function bound to an
autobahn protocol: the protocol never writes, so whatever reaches the client went through
`send`. (The direct path itself, on real sockets: tests/browser/test_game.py.)"""

import functools
import importlib
import logging

import pytest
from asgiref.sync import async_to_sync
from autobahn.websocket.protocol import WebSocketProtocol
from twisted.internet import tcp

from quiz import consumers, events, frames


class Wire(WebSocketProtocol):
    """An open autobahn connection on a Twisted TCP transport, as daphne's are, that fails
    the test if anything is written to it directly."""

    def __init__(self, transport):
        self.state = WebSocketProtocol.STATE_OPEN
        self.transport = transport
        self.send_queue = []
        self._perMessageCompress = None

    def sendPreparedMessage(self, message):
        raise AssertionError("written past the fallback")


def viewer(wire: Wire) -> tuple[consumers.LeaderboardConsumer, list]:
    """A viewer's consumer whose `send` is daphne's reply function bound to `wire`; what it
    sends through Channels."""
    sent = []

    async def handle_reply(protocol, message):
        sent.append((protocol, message))

    consumer = consumers.LeaderboardConsumer()
    consumer.base_send = functools.partial(handle_reply, wire)
    return consumer, sent


def delivered(wire: Wire) -> list:
    consumer, sent = viewer(wire)
    async_to_sync(events._deliver)([consumer], '{"type":"leaderboard"}', None)
    return sent


@pytest.fixture
def fresh(monkeypatch):
    """The direct path as a new process starts it (a failure turns it off for good)."""
    monkeypatch.setattr(frames, "_broken", False)
    monkeypatch.setattr(frames, "_checked", False)


def test_an_error_in_the_direct_path_sends_the_message_through_channels(fresh, caplog):
    transport = tcp.Server.__new__(tcp.Server)  # its own attributes never set: reading fails
    wire = Wire(transport)
    frames._checked = True  # past the first socket's check: the error comes in `_send`
    with caplog.at_level(logging.ERROR, logger="quiz.frames"):
        sent = delivered(wire)
    assert sent == [(wire, {"type": "websocket.send", "text": '{"type":"leaderboard"}'})]
    assert not frames.enabled()  # off for the process from then on
    assert "direct websocket frames off: the direct path raised" in caplog.text


def test_a_name_the_first_open_socket_lacks_turns_the_direct_path_off(fresh, caplog):
    transport = tcp.Server.__new__(tcp.Server)
    transport.socket, transport._tempDataLen = None, 0
    wire = Wire(transport)
    del wire.send_queue  # as if autobahn renamed it
    with caplog.at_level(logging.ERROR, logger="quiz.frames"):
        sent = delivered(wire)
    assert [message["text"] for _wire, message in sent] == ['{"type":"leaderboard"}']
    assert not frames.enabled()
    assert "AttributeError: protocol.send_queue\n" in caplog.text  # and nothing else missing


def test_the_switch_turns_the_direct_path_off(fresh, settings):
    settings.DIRECT_FRAMES = False
    assert not frames.enabled()
    assert len(delivered(Wire(object()))) == 1


@pytest.fixture
def reloaded_frames():
    yield
    importlib.reload(frames)  # as it was, with every name present


def test_a_name_missing_at_import_is_logged_and_every_message_goes_through_channels(
    monkeypatch, caplog, reloaded_frames
):
    monkeypatch.delattr(WebSocketProtocol, "sendPreparedMessage")  # as after an upgrade
    with caplog.at_level(logging.WARNING, logger="quiz.frames"):
        importlib.reload(frames)
    assert frames._missing_names() == ["WebSocketProtocol.sendPreparedMessage"]
    assert not frames.enabled()
    assert caplog.messages == [
        "direct websocket frames off: WebSocketProtocol.sendPreparedMessage missing (Twisted "
        "or autobahn changed?); every message goes through Channels' send"
    ]
    monkeypatch.undo()
    assert len(delivered(Wire(object()))) == 1  # the reloaded module: still off
