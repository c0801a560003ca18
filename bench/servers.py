"""The servers a benchmark runs against: a free loopback port, the page server (gunicorn or
daphne) waited for until it answers, and throwaway PostgreSQL and Redis (scripts/test's
settings: fsync off) unless the environment names servers to use instead; daphne as the
live games run it, and the bare `websockets` library as the reference it is compared with."""

import asyncio
import glob
import http.client
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.measure import ROOT, raise_fd_limit, rss_kb


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 30, log: Path | None = None) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server on {port} did not answer" + (f"; see {log}" if log else ""))


def start_server(kind: str, env: dict, port: int, workers: int = 2) -> subprocess.Popen:
    """gunicorn with `workers` sync workers, or one daphne process."""
    bin_dir = Path(sys.executable).parent
    command = (
        [str(bin_dir / "gunicorn"), "config.wsgi", "-w", str(workers)]
        + ["-b", f"127.0.0.1:{port}", "--log-level", "warning"]
        if kind == "gunicorn"
        else [str(bin_dir / "daphne"), "-b", "127.0.0.1", "-p", str(port)]
        + ["config.asgi:application"]
    )
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_for(port)
    return process


DAPHNE = """
import resource
_, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
from daphne.cli import CommandLineInterface
CommandLineInterface.entrypoint()
"""


def start_daphne(env: dict, port: int, log: Path, backlog: int = 0) -> subprocess.Popen:
    """daphne as docs/operations.md runs it (`-b`, `-p`: Twisted's listen backlog of 50),
    or with a longer listen backlog; its open-file limit raised for thousands of sockets."""
    listen = (
        ["-e", f"tcp:port={port}:interface=127.0.0.1:backlog={backlog}"]
        if backlog
        else ["-b", "127.0.0.1", "-p", str(port)]
    )
    process = subprocess.Popen(
        [sys.executable, "-c", DAPHNE, *listen] + ["config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    wait_for(port, 60, log)
    return process


class BareBroadcasters:
    """The reference: `count` processes of the bare `websockets` library on their own ports.
    Each sends `greeting` to a new connection; from the wall-clock moment given to `go()`,
    `repeats` times `gap` seconds apart, it sends the pre-encoded `text` to every connection
    with `broadcast()`. `reports()`: per process, the send times, its RSS before them (KB)
    and its connections."""

    def __init__(self, count: int, greeting: str, text: str, gap: float, repeats: int):
        self.ports = [free_port() for _ in range(count)]
        self.start, self.queue = multiprocessing.Value("d", 0.0), multiprocessing.Queue()
        self.procs = [
            multiprocessing.Process(
                target=_bare_broadcaster,
                args=(port, greeting, text, self.start, gap, repeats, self.queue),
            )
            for port in self.ports
        ]
        for p in self.procs:
            p.start()
        for _ in self.procs:
            self.queue.get(timeout=30)  # listening

    def go(self, at: float) -> None:
        self.start.value = at

    def reports(self) -> list[tuple[list[float], int, int]]:
        return [self.queue.get(timeout=120) for _ in self.procs]

    def stop(self) -> None:
        self.start.value = -1
        for p in self.procs:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()


def _bare_broadcaster(port, greeting, text, start, gap, repeats, queue) -> None:
    raise_fd_limit()
    asyncio.run(_broadcast(port, greeting, text, start, gap, repeats, queue))


async def _broadcast(port, greeting, text, start, gap, repeats, queue) -> None:
    from websockets.asyncio.server import broadcast, serve

    connections = set()

    async def handler(ws):
        await ws.send(greeting)
        connections.add(ws)
        try:
            await ws.wait_closed()
        finally:
            connections.discard(ws)

    async with serve(
        handler, "127.0.0.1", port, compression=None, ping_interval=None, backlog=1024
    ):
        queue.put("listening")
        while start.value == 0:
            await asyncio.sleep(0.01)
        rss = rss_kb(os.getpid())
        sends = []
        for k in range(repeats):
            await asyncio.sleep(max(0, start.value + gap * k - time.time()))
            sends.append(time.time())
            broadcast(connections, text)
        await asyncio.sleep(gap)
        queue.put((sends, rss, len(connections)))
        while start.value > 0:
            await asyncio.sleep(0.05)


class Servers:
    """`from_env`: use DATABASE_URL / REDIS_URL when set (they are flushed: throwaway
    servers only); otherwise start a server for this run and stop it afterwards."""

    def __init__(self, workdir: Path, *, from_env: bool = True, max_connections: int = 200):
        self.workdir, self.from_env, self.max_connections = workdir, from_env, max_connections
        self.pg_data: Path | None = None
        self.pg_bin = ""
        self.redis_pid: Path | None = None

    def _as_postgres(self, *command: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else [*command]

    def start(self) -> dict:
        urls = {}
        if self.from_env and os.environ.get("DATABASE_URL"):
            urls["DATABASE_URL"] = os.environ["DATABASE_URL"]
        else:
            urls["DATABASE_URL"] = self._start_postgres()
        if self.from_env and os.environ.get("REDIS_URL"):
            urls["REDIS_URL"] = os.environ["REDIS_URL"]
        else:
            urls["REDIS_URL"] = self._start_redis()
        return urls

    def _start_postgres(self) -> str:
        self.pg_bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version)[-1]
        self.pg_data, port = self.workdir / "pg", free_port()
        self.pg_data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres")
            shutil.chown(self.pg_data, "postgres")
        subprocess.run(
            self._as_postgres(f"{self.pg_bin}/initdb", "-D", str(self.pg_data), "-U", "hocso")
            + ["--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
            check=True,
            capture_output=True,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {self.pg_data} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off "
            f"-c max_connections={self.max_connections}"
        )
        subprocess.run(
            self._as_postgres(f"{self.pg_bin}/pg_ctl", "-D", str(self.pg_data), "-w")
            + ["-l", str(self.pg_data / "server.log"), "-o", options, "start"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [f"{self.pg_bin}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "hocso"]
            + ["hocso"],
            check=True,
        )
        return f"postgres://hocso@127.0.0.1:{port}/hocso"

    def _start_redis(self) -> str:
        port, self.redis_pid = free_port(), self.workdir / "redis.pid"
        subprocess.run(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
            + ["--appendonly", "no", "--daemonize", "yes", "--pidfile", str(self.redis_pid)]
            + ["--dir", str(self.workdir), "--logfile", str(self.workdir / "redis.log")],
            check=True,
        )
        url = f"redis://127.0.0.1:{port}/0"
        for _ in range(50):
            if redis_info(url):
                break
            time.sleep(0.1)
        return url

    def pids(self) -> list[int]:
        """The PostgreSQL postmaster and Redis this run started (its CPU is theirs)."""
        pids = []
        if self.pg_data and (self.pg_data / "postmaster.pid").exists():
            pids.append(int((self.pg_data / "postmaster.pid").read_text().split()[0]))
        if self.redis_pid and self.redis_pid.exists():
            pids.append(int(self.redis_pid.read_text()))
        return pids

    def stop(self) -> None:
        if self.redis_pid and self.redis_pid.exists():
            os.kill(int(self.redis_pid.read_text()), 15)
        if self.pg_data and (self.pg_data / "postmaster.pid").exists():
            subprocess.run(
                self._as_postgres(f"{self.pg_bin}/pg_ctl", "-D", str(self.pg_data))
                + ["-m", "immediate", "stop"],
                capture_output=True,
            )


def _version(path: str) -> tuple:
    return tuple(int(n) for n in re.findall(r"\d+", path))


def redis_info(url: str) -> dict:
    import redis

    try:
        return redis.Redis.from_url(url).info()
    except redis.RedisError:
        return {}


def postgres_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0].split()[0]


def versions(urls: dict) -> dict:
    """The servers' versions, for a report's conditions line."""
    return {
        "postgres": postgres_version(urls["DATABASE_URL"]),
        "redis": redis_info(urls["REDIS_URL"]).get("redis_version", "?"),
    }
