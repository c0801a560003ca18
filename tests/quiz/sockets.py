"""Websocket clients for the live game and the contest, through the real ASGI application."""

from channels.testing import WebsocketCommunicator

from config.asgi import application

ORIGIN = (b"origin", b"http://localhost")


def player_socket(game_id: int, token: str, *headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application, f"/ws/choi/{game_id}/?t={token}", headers=[ORIGIN, *headers]
    )


def viewer(round_id: int, *headers) -> WebsocketCommunicator:
    """A leaderboard page's socket."""
    return WebsocketCommunicator(
        application, f"/ws/thi/vong/{round_id}/", headers=[ORIGIN, *headers]
    )


def host_socket(game_id: int, cookie: bytes) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application, f"/ws/choi/{game_id}/dieu-khien/", headers=[ORIGIN, (b"cookie", cookie)]
    )


async def refusal(socket: WebsocketCommunicator) -> int:
    """The close code of a refused connection: accepted, then closed with the code, so a
    browser sees the code rather than a failed handshake (docs/protocol.md)."""
    connected, _ = await socket.connect()
    assert connected
    closed = await socket.receive_output(timeout=5)
    assert closed["type"] == "websocket.close", closed
    return closed["code"]


async def next_of(socket, kind: str, timeout: float = 5) -> dict:
    """The next message of type `kind`, skipping others (the host's status ticks)."""
    while True:
        message = await socket.receive_json_from(timeout=timeout)
        if message["type"] == kind:
            return message
