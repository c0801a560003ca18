"""Real processes for the fault tests: a throwaway Redis and a daphne serving config.asgi
on this run's database, both restartable."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port} after {seconds} s")


class Servers:
    """A throwaway Redis and a daphne serving config.asgi, both restartable."""

    def __init__(self, tmp: Path):
        self.tmp, self.redis_port, self.daphne_port = tmp, free_port(), free_port()
        self.redis = self.daphne = None

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port),
             "--save", "", "--appendonly", "no", "--dir", str(self.tmp)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.redis_port)

    def stop_redis(self) -> None:
        self.redis.terminate()
        self.redis.wait(10)

    def start_daphne(self) -> None:
        database = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the players' tokens are signed with it
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "REDIS_PREFIX": f"faults{self.redis_port}",
        }
        if database["ENGINE"].endswith("sqlite3"):
            env.pop("DATABASE_URL", None)
            env["SQLITE_PATH"] = str(database["NAME"])
        else:
            env["DATABASE_URL"] = (
                f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
                f"{database['PORT']}/{database['NAME']}"
            )
        self.log = (self.tmp / "daphne.log").open("ab")
        self.daphne = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.daphne_port),
             "config.asgi:application"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_port(self.daphne_port)

    def kill_daphne(self) -> None:
        self.daphne.send_signal(signal.SIGKILL)
        self.daphne.wait(10)

    def stop(self) -> None:
        for process in (self.daphne, self.redis):
            if process and process.poll() is None:
                process.kill()
                process.wait(10)
