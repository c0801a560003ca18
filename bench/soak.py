"""A festival day through one daphne process: does it let go of the games it has hosted?

    .venv/bin/python -m bench.soak [--games 200] [--phones 3] [--every 10] [--warmup 20]
        [--servers]

Runs on the embedded default (SQLite in a temporary folder, the in-memory layer and cache);
with `--servers` on PostgreSQL and Redis: throwaway servers it starts (bench/servers.py),
or those DATABASE_URL and REDIS_URL name (it migrates that database and adds its games to
it: throwaway ones only). Seeds a contest host (with the role), a
session for the host's screen and a bank of six questions, then starts ONE daphne process
on bench/soak_asgi.py (config.asgi, plus a path answering the size of every per-process
map as JSON) and plays `--games` short games one after another through it, each with its
host's socket and `--phones` guests over real websockets (the `websockets` library): join,
two or three questions (answer, lock, reveal; the leaderboard after the first), the end,
everyone leaves. After game 1, every `--every` games and after the last, it reads the
daphne process's RSS (/proc) and the map sizes; and once more when no game has run for
quiz.hub.IDLE_SECONDS (plus one watcher turn): the "idle" row.

The target: flat after warm-up. RSS and every map at game `--warmup` against the last
game; a map that grows with the games played is a leak. (Rooms of games that ended stay
until they have had no socket for quiz.hub.IDLE_SECONDS, so the rooms count settles at
about the games played in that time, not at zero.)
"""

import argparse
import asyncio
import datetime
import http.client
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websockets

from bench.measure import ROOT, rss_kb
from bench.servers import Servers, free_port, versions

QUESTIONS = 6


def environment(workdir: Path, servers: dict | None) -> dict:
    """The embedded default in `workdir`, or the servers' URLs."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_hex(24),
        "REDIS_PREFIX": f"soak{os.getpid()}",
    }
    if servers:
        env.update(servers)
    else:
        env["SQLITE_PATH"] = str(workdir / "soak.sqlite3")
    return env


def seed() -> dict:
    """A contest host with a session, and the question bank (in this process)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.utils import timezone

    from accounts.models import Role, User
    from accounts.services import grant_role
    from quiz.models import Choice, Question

    host = User.objects.create(
        phone=f"09{secrets.randbelow(10**8):08d}",
        full_name="Người Dẫn Ngày Hội",
        consent_at=timezone.now(),
    )
    grant_role(host, role=Role.CONTEST_HOST)
    for n in range(QUESTIONS):
        question = Question.objects.create(text=f"Câu {n + 1}: an toàn khi dùng mạng?")
        Choice.objects.bulk_create(
            Choice(question=question, text=f"Phương án {k}", is_correct=k == 0, order=k)
            for k in range(4)
        )
    session = SessionStore()
    session[SESSION_KEY] = str(host.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = host.get_session_auth_hash()
    session.create()
    return {"host": host, "session": session.session_key}


def new_game(host, number: int, phones: int) -> dict:
    """A game of two or three questions with `phones` guests: their tokens, and per
    question index a right and a wrong choice."""
    from django.utils import timezone

    from quiz import games
    from quiz.models import Choice, Question

    bank = list(Question.objects.order_by("?")[: 2 + number % 2])
    game = games.create_game(host=host, title=f"Ngày hội, trận {number}", questions=bank)
    players = [
        games.join_game(game, user=None, nickname=f"Khách {n}", now=timezone.now())
        for n in range(phones)
    ]
    choices = {}
    for item in game.questions.all():
        ids = dict(Choice.objects.filter(question=item.question_id).values_list("is_correct", "pk"))
        choices[item.order] = (ids[True], ids[False])
    return {
        "id": game.pk,
        "tokens": [games.player_token(p) for p in players],
        "choices": choices,
    }


class Client:
    """A websocket that queues what it receives."""

    def __init__(self, ws):
        self.ws, self.inbox = ws, asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, origin: str, headers=()) -> "Client":
        ws = await websockets.connect(url, origin=origin, additional_headers=list(headers))
        return cls(ws)

    async def _read(self) -> None:
        try:
            async for text in self.ws:
                await self.inbox.put(json.loads(text))
        except websockets.ConnectionClosed:
            pass

    async def send(self, message: dict) -> None:
        await self.ws.send(json.dumps(message))

    async def next_of(self, kind: str, seconds: float = 30) -> dict:
        async with asyncio.timeout(seconds):
            while True:
                message = await self.inbox.get()
                if message["type"] == kind:
                    return message

    async def close(self) -> None:
        await self.ws.close()
        await self.reader


async def play(port: int, session: str, game: dict) -> None:
    """One game from the lobby to the podium; every phone sees every step."""
    base, origin = f"ws://127.0.0.1:{port}/ws/choi/{game['id']}/", f"http://127.0.0.1:{port}"
    host = await Client.open(f"{base}dieu-khien/", origin, [("Cookie", f"sessionid={session}")])
    await host.next_of("state")
    phones = [await Client.open(f"{base}?t={token}", origin) for token in game["tokens"]]
    for phone in phones:
        await phone.next_of("state")
    for index, (right, wrong) in sorted(game["choices"].items()):
        await host.send({"type": "next"})
        for n, phone in enumerate(phones):
            await phone.next_of("question")
            chosen = right if n % 2 == 0 else wrong
            await phone.send({"type": "answer", "index": index, "choices": [chosen]})
            await phone.next_of("ack")
        await host.send({"type": "lock"})  # or the host's socket already did: all answered
        for phone in phones:
            await phone.next_of("locked")
        await host.send({"type": "reveal"})
        for phone in phones:
            await phone.next_of("reveal")
        if index == 1:
            await host.send({"type": "leaderboard"})
            for phone in phones:
                await phone.next_of("leaderboard")
    await host.send({"type": "next"})  # after the last question: the end
    for phone in phones:
        await phone.next_of("finished")
    for client in (*phones, host):
        await client.close()


def read_sizes(port: int) -> dict:
    """The sizes path's answer (bench/soak_asgi.py)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/_soak/sizes", headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"/_soak/sizes answered {response.status}: {body[:200]!r}")
    return json.loads(body)


def start_daphne(env: dict, port: int, log: Path, application: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(
        [*command, application],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    # Not a page (bench.servers.wait_for asks /healthz/): in production daphne serves /ws/
    # only, and a page would load every view and template into it, 20 MB at once.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            read_sizes(port)
            return process
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"daphne did not answer on {port}; see {log}")


def report(rows: list[dict], warmup: int) -> None:
    """A Markdown table of the maps that were ever non-empty, and what changed from the
    warm-up game to the last."""
    keys = [k for k, v in rows[0].items() if isinstance(v, int) and k != "game"]
    shown = [k for k in keys if any(row[k] for row in rows)]
    print("| game | RSS MB | " + " | ".join(shown) + " |")
    print("|" + " --- |" * (len(shown) + 2))
    for row in rows:
        cells = [f"{row[k]:,}" for k in shown]
        print(f"| {row['game']} | {row['rss_mb']:.1f} | " + " | ".join(cells) + " |")
    print("\nAlways 0: " + (", ".join(k for k in keys if k not in shown) or "none"))
    played = [row for row in rows if row["game"] != "idle"]
    base, last = next((r for r in played if r["game"] >= warmup), played[0]), played[-1]
    grew = {k: last[k] - base[k] for k in keys if last[k] != base[k]}
    per_game = (last["rss_mb"] - base["rss_mb"]) * 1024 / max(1, last["game"] - base["game"])
    print(
        f"From game {base['game']} to game {last['game']}: RSS {base['rss_mb']:.1f} → "
        f"{last['rss_mb']:.1f} MB ({per_game:+.1f} KB a game); maps that changed: "
        + (", ".join(f"{k} {base[k]:,} → {last[k]:,}" for k in grew) or "none")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=200)
    parser.add_argument("--phones", type=int, default=3)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--servers", action="store_true", help="PostgreSQL and Redis")
    parser.add_argument(
        "--asgi", default="bench.soak_asgi:application", help="what daphne serves (the sizes path)"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="hocso-soak-"))
    servers = Servers(workdir) if args.servers else None
    try:
        soak(args, workdir, servers.start() if servers else None)
    finally:
        if servers:
            servers.stop()
            shutil.rmtree(workdir / "pg", ignore_errors=True)  # the daphne log stays


def soak(args: argparse.Namespace, workdir: Path, urls: dict | None) -> None:
    env = environment(workdir, urls)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    import django

    django.setup()
    from quiz import hub

    seeded = seed()
    port = free_port()
    daphne = start_daphne(env, port, workdir / "daphne.log", args.asgi)
    layer = (
        "PostgreSQL {postgres} + Redis {redis}".format(**versions(urls))
        if urls
        else "SQLite + in-memory layer"
    )
    started = time.monotonic()
    print(
        f"{datetime.datetime.now():%Y-%m-%d %H:%M}, {layer}, {args.games} games × "
        f"{args.phones} phones, load {os.getloadavg()[0]:.2f}, daphne log {workdir}/daphne.log"
    )
    rows = []
    try:
        for number in range(1, args.games + 1):
            game = new_game(seeded["host"], number, args.phones)
            asyncio.run(play(port, seeded["session"], game))
            if number == 1 or number % args.every == 0 or number == args.games:
                time.sleep(0.3)  # the last sockets' disconnects reach daphne
                row = {"game": number, "rss_mb": rss_kb(daphne.pid) / 1024, **read_sizes(port)}
                row["seconds"] = time.monotonic() - started
                rows.append(row)
                print(f"game {number}: RSS {row['rss_mb']:.1f} MB, {row}", file=sys.stderr)
        played = time.monotonic() - started
        time.sleep(hub.IDLE_SECONDS + hub.RESYNC_SECONDS + 1)  # a room idle, then swept
        rows.append({"game": "idle", "rss_mb": rss_kb(daphne.pid) / 1024, **read_sizes(port)})
    finally:
        daphne.terminate()
        daphne.wait(10)
    print(f"{args.games} games in {played:.0f} s, load {os.getloadavg()[0]:.2f} at the end\n")
    report(rows, args.warmup)


if __name__ == "__main__":
    main()
