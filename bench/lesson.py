"""The lesson page: weight, throughput (gunicorn and daphne) against a trivial view, and
first-render timings in Chromium (plus Lighthouse when it is installed).

    .venv/bin/python -m bench.lesson [--seconds 5] [--rounds 3] [--clients 32] [--lighthouse]
    .venv/bin/python -m bench.lesson --in-process [--profile]

Sets up a throwaway SQLite site with seed_demo (the three starter courses), logs in the
demo residents (one session each; seed_demo makes 40) and opens the first lesson of "Kỹ
năng số cơ bản" for them, so the measured visits are what a learner's return to a lesson
costs. Then:

1. page weight: the lesson's HTML, CSS and JS as served, and gzip-compressed (level 6,
   what a reverse proxy sends); any third-party request is listed;
2. latency of one client at a time (the page's own cost); throughput with 32 closed-loop
   clients on gunicorn (2 sync workers) and on daphne (one process), each table with
   /healthz/ measured in the same run as the reference. Rounds go round the pages in turn
   (reference, lesson, ..., reference, lesson, ...), so a change in the shared machine's
   load reaches every page alike; each page's ratio is also given as the median of its
   per-round ratios to the reference measured seconds before;
3. Chromium (Debian's, headless, 360×740, 4× CPU slowdown, 150 ms RTT / 1.6 Mbit/s like
   Lighthouse's mobile profile): first contentful paint, DOMContentLoaded, load, bytes
   transferred; median of 5 cold loads;
4. with --lighthouse: `lighthouse` from npm (installed into .bench-tools/ on first use)
   with the same Chromium, mobile preset, performance and accessibility; median of 3.

With --in-process, only the server's own time instead: Django's test client in one
process (no HTTP, no client on the same cores), median ms per request over batches; with
--profile, cProfile over 500 lesson pages of a logged-in learner as well.
"""

import argparse
import gzip
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.measure import ROOT, gets, interleaved_rounds, load_options
from bench.pages import manage, print_table, site_env
from bench.servers import free_port, start_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
TOOLS = ROOT / ".bench-tools"
LIGHTHOUSE_VERSION = "13.5.0"

SETUP = """
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from accounts.models import User
from courses.models import Course
from learning.services.reading import open_lesson

course = Course.objects.get(slug="ky-nang-so-co-ban")
lesson = course.lessons.order_by("module__order", "order").first()
cookies = []
for user in User.objects.filter(participant_kind="resident").order_by("phone")[:48]:
    open_lesson(user, lesson=lesson, now=timezone.now())
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
print(json.dumps({"lesson": lesson.get_absolute_url(), "course": course.get_absolute_url(),
                  "cookies": cookies}))
"""


IN_PROCESS = """
import cProfile, json, pstats, statistics, sys, time
from django.test import Client
from accounts.models import User
site = json.loads(sys.stdin.read())
learner = Client()
learner.force_login(User.objects.filter(participant_kind="resident").order_by("phone").first())
visitor = Client()
def per_request(client, path, n=200, batches=7):
    for _ in range(50):
        assert client.get(path).status_code == 200
    times = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(n):
            client.get(path)
        times.append((time.perf_counter() - start) / n * 1000)
    return statistics.median(times)
rows = [("`/healthz/`", learner, "/healthz/"),
        ("lesson, logged-in learner", learner, site["lesson"]),
        ("lesson, visitor (session kept)", visitor, site["lesson"]),
        ("course page, logged-in learner", learner, site["course"])]
print("in-process (test client), median ms per request: " + "; ".join(
    f"{label} {per_request(client, path):.3f} ms" for label, client, path in rows))
if site["profile"]:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(500):
        learner.get(site["lesson"])
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(20)
"""


def get(port: int, path: str, cookie: str = "") -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    body = response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    connection.close()
    return response.status, headers, body


def page_weight(port: int, path: str, cookie: str) -> None:
    status, _, html = get(port, path, cookie)
    assert status == 200, status
    text = html.decode()
    assets = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', text)
    assets += re.findall(r'<script[^>]+src="([^"]+)"', text)
    external = [a for a in assets if re.match(r"(https?:)?//", a)]
    rows = [("HTML", path, html)]
    for asset in assets:
        if asset not in external:
            rows.append(("CSS" if asset.endswith(".css") else "JS", asset, get(port, asset)[2]))
    print("| part | URL | bytes | gzip bytes |")
    print("| --- | --- | ---: | ---: |")
    total = total_gz = 0
    for kind, url, body in rows:
        size, size_gz = len(body), len(gzip.compress(body, compresslevel=6))
        total, total_gz = total + size, total_gz + size_gz
        print(f"| {kind} | `{url}` | {size:,} | {size_gz:,} |")
    print(f"| **total** | | **{total:,}** | **{total_gz:,}** |")
    print(f"\nthird-party requests: {external or 'none'}")
    scripts = re.findall(r"<script[^>]*>", text)
    blocking = [s for s in scripts if "defer" not in s and "async" not in s]
    print(f"render-blocking scripts: {blocking or 'none'}\n")


def sequential(port: int, paths: dict, requests: int = 400) -> None:
    """Median latency of one client at a time, each label's first job: the page's own cost."""
    cells = []
    for label, [(path, cookie, _), *_] in paths.items():
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            get(port, path, cookie)
            times.append(time.perf_counter() - start)
        cells.append(f"{label} {statistics.median(times[50:]) * 1000:.2f} ms")
    print("one client at a time, median latency: " + "; ".join(cells) + "\n")


REFERENCE = "`/healthz/` (reference)"  # the first of the paths: the ratios are to it


def chromium_timings(url: str, cookie: str, runs: int = 5) -> None:
    from playwright.sync_api import sync_playwright

    name, value = cookie.split("=", 1)
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
            )
            context.add_cookies([{"name": name, "value": value, "url": url}])
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": 150,
                    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
                    "uploadThroughput": 750 * 1024 / 8,
                },
            )
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            page.goto(url, wait_until="load")
            page.wait_for_timeout(300)  # let the paint timing entries arrive
            results.append(
                page.evaluate(
                    """() => {
                      const nav = performance.getEntriesByType("navigation")[0];
                      const fcp = performance.getEntriesByType("paint")
                        .find(p => p.name === "first-contentful-paint");
                      const bytes = performance.getEntriesByType("resource")
                        .reduce((sum, r) => sum + r.transferSize, nav.transferSize);
                      return {fcp: fcp ? fcp.startTime : NaN,
                              dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
                              bytes: bytes};
                    }"""
                )
            )
            context.close()
        browser.close()
    median = {k: statistics.median(r[k] for r in results) for k in results[0]}
    print(
        f"Chromium, 360×740, 4× CPU slowdown, 150 ms RTT, 1.6 Mbit/s, cache off, "
        f"median of {runs}: first contentful paint {median['fcp']:.0f} ms, "
        f"DOMContentLoaded {median['dcl']:.0f} ms, load {median['load']:.0f} ms, "
        f"transferred {median['bytes']:,.0f} bytes (uncompressed: the bench server "
        "does not gzip)\n"
    )


def lighthouse(url: str, cookie: str, runs: int = 3) -> None:
    binary = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        TOOLS.mkdir(exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", f"lighthouse@{LIGHTHOUSE_VERSION}"],
            cwd=TOOLS,
            check=True,
        )
    scores = []
    for _ in range(runs):
        completed = subprocess.run(
            [
                str(binary),
                url,
                "--quiet",
                "--output=json",
                "--only-categories=performance,accessibility",
                "--form-factor=mobile",
                f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
                f"--extra-headers={json.dumps({'Cookie': cookie})}",
            ],
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            capture_output=True,
            text=True,
        )
        if completed.returncode:
            print(f"lighthouse failed: {completed.stderr.strip()[-2000:]}")
            return
        report = json.loads(completed.stdout)
        scores.append(
            {
                "performance": report["categories"]["performance"]["score"] * 100,
                "accessibility": report["categories"]["accessibility"]["score"] * 100,
                "fcp": report["audits"]["first-contentful-paint"]["numericValue"],
                "lcp": report["audits"]["largest-contentful-paint"]["numericValue"],
                "failed": [
                    key
                    for ref in report["categories"]["accessibility"]["auditRefs"]
                    for key in [ref["id"]]
                    if report["audits"][key].get("score") not in (None, 1)
                ],
            }
        )
    median = {k: statistics.median(s[k] for s in scores) for k in ("performance", "accessibility")}
    print(
        f"Lighthouse {LIGHTHOUSE_VERSION}, mobile preset, median of {runs}: performance "
        f"{median['performance']:.0f}, accessibility {median['accessibility']:.0f}; "
        f"FCP {statistics.median(s['fcp'] for s in scores):.0f} ms, "
        f"LCP {statistics.median(s['lcp'] for s in scores):.0f} ms; "
        f"accessibility audits not passed: {sorted({k for s in scores for k in s['failed']})}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    load_options(parser, clients=32)
    parser.add_argument("--lighthouse", action="store_true")
    parser.add_argument("--servers", default="gunicorn,daphne")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--in-process", action="store_true", help="test client, no server")
    parser.add_argument("--profile", action="store_true", help="with --in-process: cProfile")
    args = parser.parse_args()

    env = site_env(Path(tempfile.mkdtemp(prefix="hocso-bench-")))
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo")
    site = json.loads(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
    lesson, cookies = site["lesson"], site["cookies"]
    print(f"lesson: {lesson}, {len(cookies)} logged-in learners, cores: {os.cpu_count()}\n")
    if args.in_process:
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", IN_PROCESS],
            cwd=ROOT,
            env={**env, "DJANGO_ALLOWED_HOSTS": "testserver"},
            input=json.dumps({**site, "profile": args.profile}),
            text=True,
            check=True,
        )
        return

    paths = {
        REFERENCE: gets("/healthz/"),
        "lesson, logged-in learner": gets(lesson, cookies),
        "lesson, visitor's first scan (new session)": gets(lesson),
        "course page, logged-in learner": gets(site["course"], cookies),
    }
    for kind in args.servers.split(","):
        port = free_port()
        process = start_server(kind, env, port, workers=args.workers)
        try:
            if kind == "gunicorn":
                page_weight(port, lesson, cookies[0])
                sequential(port, paths)
            rows = interleaved_rounds(port, paths, args)
            if kind == "gunicorn":
                url = f"http://127.0.0.1:{port}{lesson}"
                chromium_timings(url, cookies[0])
                if args.lighthouse:
                    lighthouse(url, cookies[0])
        finally:
            process.terminate()
            process.wait()
        workers = f"{args.workers} sync workers" if kind == "gunicorn" else "1 process"
        print(f"{kind} ({workers}), {args.clients} clients, {args.rounds}×{args.seconds:g} s:\n")
        print_table(rows, REFERENCE)
        print(
            "median of per-round ratios: "
            + "; ".join(f"{label} {row['round_ratio']:.2f}" for label, row in rows.items())
            + "\n"
        )


if __name__ == "__main__":
    main()
