"""Throughput and latency of the pages a resident opens first, against a trivial view.

    .venv/bin/python bench/pages.py [--seconds 5] [--rounds 3] [--clients 16] [--server gunicorn]

Sets up a throwaway SQLite database with seed_demo, starts the production page server
(gunicorn, 2 sync workers, DEBUG off) on a free loopback port, and drives it from
4 client processes with closed-loop threads. Each path is measured in several rounds;
the medians are printed as a Markdown table, with throughput as a ratio of /healthz/
measured in the same run (the machine is shared and noisy: compare ratios, not numbers).
"""

import argparse
import http.client
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.measure import ROOT
from bench.servers import free_port, start_server

PATHS = ["/healthz/", "/", "/tai-khoan/signup/", "/tai-khoan/login/", "/quyen-rieng-tu/"]
PROCESSES = 4


def client(port: int, path: str, seconds: float, threads: int, queue, cookies=()) -> None:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def loop(cookie: str):
        nonlocal errors
        headers = {"Accept-Encoding": "gzip", **({"Cookie": cookie} if cookie else {})}
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                connection.close()
                ok = response.status == 200
            except OSError:
                ok = False
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors += 1

    workers = [
        threading.Thread(target=loop, args=(cookies[i % len(cookies)] if cookies else "",))
        for i in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    queue.put((latencies, errors))


def measure(port: int, path: str, seconds: float, clients: int, cookies=()) -> dict:
    """Closed-loop GETs of `path` from `clients` threads in PROCESSES processes; each thread
    sends one of `cookies` (one logged-in learner per thread), or none."""
    queue = multiprocessing.Queue()
    per_process = max(1, clients // PROCESSES)
    procs = [
        multiprocessing.Process(
            target=client,
            args=(port, path, seconds, per_process, queue, cookies[n::PROCESSES]),
        )
        for n in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)
    return {
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan"),
        "errors": errors,
    }


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


def run_rounds(port: int, paths: dict, args) -> dict:
    """Median req/s, p50, p99 per label over args.rounds; paths: label → (path, cookies)."""
    rows = {}
    for label, (path, cookies) in paths.items():
        measure(port, path, 1, args.clients, cookies)  # warm-up
        rounds = [
            measure(port, path, args.seconds, args.clients, cookies) for _ in range(args.rounds)
        ]
        rows[label] = {
            key: statistics.median(r[key] for r in rounds) for key in ("rps", "p50", "p99")
        } | {"errors": sum(r["errors"] for r in rounds)}
    return rows


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
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--server", choices=["gunicorn", "daphne"], default="gunicorn")
    args = parser.parse_args()

    env = site_env(Path(tempfile.mkdtemp(prefix="hocso-bench-")))
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo")
    port = free_port()
    process = start_server(args.server, env, port)
    try:
        rows = run_rounds(port, {f"`{path}`": (path, ()) for path in PATHS}, args)
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
