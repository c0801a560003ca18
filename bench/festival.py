"""The festival kit: 1,000 QR cards into one printable PDF, and the short-link redirect.

    .venv/bin/python bench/festival.py [--cards 1000] [--seconds 5] [--rounds 3] [--clients 16]
                                       [--links 200] [--skip-cards]

(a) builds `--cards` cards (distinct short links, as the coordinator's page makes them) into
one A4 PDF, 8 and 12 per page, three times each in this process with the QR cache emptied
between runs; prints the median time and the size. (b) sets up a throwaway SQLite database
(migrate, `--links` short links), starts the production page server (gunicorn, 2 sync workers,
DEBUG off, as bench/pages.py) and drives `/Q/<code>` (each client thread cycling through all
the codes, a 302 counted as an answer) against `/healthz/`, rounds interleaved. The machine is
shared and noisy: compare medians and the ratio, not single numbers.
"""

import argparse
import http.client
import multiprocessing
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# build_cards sets Django up in this process, DEBUG off: a throwaway key (settings refuse none).
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + os.urandom(16).hex())

from bench.pages import PROCESSES, free_port, manage, site_env, start_server  # noqa: E402

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def build_cards(count: int, per_page: int, rounds: int) -> tuple[float, int]:
    """Median seconds and PDF bytes for `count` cards, `per_page` to a page."""
    import django

    django.setup()
    from common import qr
    from learning.printables import Printable, cards_pdf, short_url

    items = [
        Printable(
            title=f"Bài {n + 1}: Nhận diện tin nhắn lừa đảo và bảo vệ tài khoản ngân hàng",
            link=short_url("https://hocso.tuyenquang.gov.vn/", _code(n)),
            context="Kỹ năng số cho mọi người dân",
        )
        for n in range(count)
    ]
    times, size = [], 0
    for _ in range(rounds):
        qr._rows.cache_clear()  # every run encodes every code
        start = time.perf_counter()
        size = len(cards_pdf(items, per_page=per_page))
        times.append(time.perf_counter() - start)
    return statistics.median(times), size


def _code(n: int) -> str:
    digits = []
    for _ in range(5):
        n, digit = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def client(port: int, paths: list[str], seconds: float, threads: int, queue) -> None:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def loop(offset: int):
        nonlocal errors
        n = offset
        while time.perf_counter() < stop_at:
            path = paths[n % len(paths)]
            n += 1
            start = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                connection.close()
                ok = response.status in (200, 302)
            except OSError:
                ok = False
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors += 1

    workers = [threading.Thread(target=loop, args=(i * 37,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    queue.put((latencies, errors))


def measure(port: int, paths: list[str], seconds: float, clients: int) -> dict:
    queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(
            target=client, args=(port, paths, seconds, max(1, clients // PROCESSES), queue)
        )
        for _ in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for lat, _ in results for x in lat)
    return {
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan"),
        "errors": sum(e for _, e in results),
    }


def redirect_rows(args) -> dict:
    env = site_env(Path(tempfile.mkdtemp(prefix="hocso-bench-")))
    manage(env, "migrate", "--noinput", "-v0")
    manage(
        env,
        "shell",
        "-c",
        "from learning.festival import short_link\n"
        f"for n in range({args.links}):\n"
        "    short_link(target=f'/hoc/khoa-{n}/', label=f'Khoá {n}')\n",
    )
    output = manage(
        env,
        "shell",
        "-c",
        "from learning.models import ShortLink\n"
        "print(' '.join(ShortLink.objects.values_list('code', flat=True)))",
    )
    codes = re.findall(rf"\b[{ALPHABET}]{{5}}\b", output)
    port = free_port()
    process = start_server("gunicorn", env, port)
    paths = {
        "`/healthz/`": ["/healthz/"],
        f"`/Q/<code>` → 302 ({len(codes)} codes)": [f"/Q/{code}" for code in codes],
    }
    results: dict[str, list[dict]] = {label: [] for label in paths}
    try:
        for cycle in paths.values():
            measure(port, cycle, 1, args.clients)  # warm-up: every code's target cached
        for _ in range(args.rounds):  # interleaved: both see the same moment of a noisy machine
            for label, cycle in paths.items():
                results[label].append(measure(port, cycle, args.seconds, args.clients))
    finally:
        process.terminate()
        process.wait()
    return {
        label: {key: statistics.median(r[key] for r in rounds) for key in ("rps", "p50", "p99")}
        | {"errors": sum(r["errors"] for r in rounds)}
        for label, rounds in results.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--links", type=int, default=200, help="short links to cycle through")
    parser.add_argument("--skip-cards", action="store_true", help="only the redirect")
    args = parser.parse_args()

    print(f"cores: {os.cpu_count()}\n")
    print("| cards | per page | pages | time (median of 3) | size |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for per_page in () if args.skip_cards else (8, 12):
        seconds, size = build_cards(args.cards, per_page, 3)
        pages = -(-args.cards // per_page)
        print(f"| {args.cards:,} | {per_page} | {pages} | {seconds:.2f} s | {size / 1e6:.2f} MB |")

    rows = redirect_rows(args)
    print(f"\ngunicorn, 2 sync workers, {args.clients} clients, {args.rounds}×{args.seconds:g} s\n")
    print("| path | req/s (median) | ratio to /healthz/ | p50 ms | p99 ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    base = rows["`/healthz/`"]["rps"]
    for label, r in rows.items():
        print(
            f"| {label} | {r['rps']:,.0f} | {r['rps'] / base:.2f} | {r['p50']:.1f} | "
            f"{r['p99']:.1f} | {r['errors']} |"
        )


if __name__ == "__main__":
    main()
