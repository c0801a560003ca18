"""Throughput and latency of the pages a resident opens first, against a trivial view.

    .venv/bin/python -m bench.pages [--seconds 5] [--rounds 3] [--clients 16] [--server gunicorn]

Sets up a throwaway SQLite database with seed_demo, starts the production page server
(gunicorn, 2 sync workers, DEBUG off) on a free loopback port, and drives it from
4 client processes with closed-loop threads. Rounds go round the paths in turn; the
medians are printed as a Markdown table, with throughput as a ratio of /healthz/
measured in the same run (the machine is shared and noisy: compare ratios, not numbers).
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.measure import ROOT, gets, interleaved_rounds, load_options
from bench.servers import free_port, start_server

PATHS = ["/healthz/", "/", "/tai-khoan/signup/", "/tai-khoan/login/", "/quyen-rieng-tu/"]


def site_env(workdir: Path) -> dict:
    """Environment for a throwaway production-like site (SQLite file, DEBUG off)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))},
        "SQLITE_PATH": str(workdir / "db.sqlite3"),
        "DJANGO_DEBUG": "0",
        # DEBUG off refuses to start without a key: a throwaway one per site.
        "DJANGO_SECRET_KEY": "bench-" + os.urandom(16).hex(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


def manage(env: dict, *command: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def print_table(rows: dict, reference: str) -> None:
    print("| page | req/s (median) | ratio to reference | p50 ms | p99 ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    base = rows[reference]["rps"]
    for label, r in rows.items():
        print(
            f"| {label} | {r['rps']:,.0f} | {r['rps'] / base:.2f} | {r['p50']:.1f} | "
            f"{r['p99']:.1f} | {r['errors']} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    load_options(parser)
    parser.add_argument("--server", choices=["gunicorn", "daphne"], default="gunicorn")
    args = parser.parse_args()

    env = site_env(Path(tempfile.mkdtemp(prefix="hocso-bench-")))
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo")
    port = free_port()
    process = start_server(args.server, env, port)
    try:
        rows = interleaved_rounds(port, {f"`{path}`": gets(path) for path in PATHS}, args)
    finally:
        process.terminate()
        process.wait()
    print(
        f"server: {args.server}, {args.clients} clients, {args.rounds}×{args.seconds:g} s, "
        f"cores: {os.cpu_count()}\n"
    )
    print_table(rows, "`/healthz/`")


if __name__ == "__main__":
    main()
