"""The festival kit: 1,000 QR cards into one printable PDF, and the short-link redirect.

    .venv/bin/python -m bench.festival [--cards 1000] [--seconds 5] [--rounds 3] [--clients 16]
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
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# build_cards sets Django up in this process, DEBUG off: a throwaway key (settings refuse none).
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + os.urandom(16).hex())

from bench.measure import gets, interleaved_rounds, load_options
from bench.pages import manage, print_table, site_env
from bench.servers import free_port, start_server

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
    jobs = {
        "`/healthz/`": gets("/healthz/"),
        f"`/Q/<code>` → 302 ({len(codes)} codes)": [(f"/Q/{code}", "", 302) for code in codes],
    }
    try:
        return interleaved_rounds(port, jobs, args)
    finally:
        process.terminate()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=1000)
    load_options(parser)
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
    print_table(rows, "`/healthz/`")


if __name__ == "__main__":
    main()
