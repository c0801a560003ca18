"""The online contest at province scale: submitting, the leaderboard, the final ranking and
the live leaderboard, on PostgreSQL and Redis.

    .venv/bin/python -m bench.contest [--attempts 100000] [--seconds 10] [--rounds 3]
        [--clients 16] [--workers 2 4] [--viewers 1000] [--rate 200] [--live-seconds 30]

Uses the PostgreSQL of DATABASE_URL and the Redis of REDIS_URL when given (both are
FLUSHED: throwaway servers only); otherwise starts its own on free loopback ports (as
scripts/test does: fsync off) and stops them at the end. DEBUG off. Seeds one published
contest with one open round: `--attempts` submitted attempts by 90 % as many people (a
tenth have two) over the 124 communes and 300 organizations, with their standings, plus
a pool of started, unsubmitted attempts whose 20 drawn questions (choices shuffled, as
every attempt's are) are answered, each person logged in (a session in the database and
the cache) with a CSRF cookie.

1. submit: gunicorn (sync workers, `--workers`), closed-loop clients in 4 processes POST
   /thi/bai/<pk>/nop/, each attempt once, `--rounds` × `--seconds`; /healthz/ is
   measured in the same run, interleaved round by round, as the reference. Then the
   database is checked: every submitted attempt scored, one standing per person.
2. leaderboard: `leaderboard.snapshot(round, fresh=True)` (what every push recomputes)
   and the leaderboard page for a logged-in participant with a warm cache, through
   Django's test client (server time only), median of `--runs`, with the SQL queries.
3. close: `quiz.services.results.close_round` on the seeded attempts in its own process (peak
   memory is its own), split into reading, ranking and writing; rolled back afterwards so
   the round stays open for step 4.
4. live: one daphne process, `--viewers` websocket viewers in 4 client processes, while
   `--rate` submissions a second arrive through gunicorn (2 workers) for
   `--live-seconds`. Per viewer: updates received and the smallest gap between two; the
   delay from a submission's response to the first update that provably includes it (its
   participants count); the spread of one push over all viewers; a new viewer's connect
   + first snapshot and daphne's /healthz/, with no viewers, with idle viewers and under
   load. Reference in the same run: the bare `websockets` library sending one
   pre-encoded snapshot to as many connections with `broadcast()`.

Client processes run on the same cores as the servers: read ratios, not absolute numbers.
"""

import argparse
import bisect
import datetime
import http.client
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from bench.measure import (
    PROCESSES,
    ROOT,
    Clients,
    Crowd,
    arguments,
    closed_loop,
    cpu_seconds,
    django_step,
    get_load,
    gets,
    load_options,
    median,
    ms,
    peak_rss_mb,
    percentile,
    summary,
)
from bench.servers import BareBroadcasters, Servers, free_port, redis_info, start_server, versions

SLUG = "thi-thu-tinh"
QUESTIONS = 20  # per attempt
PUSH_INTERVAL = 1.5  # quiz.events.PUSH_INTERVAL, the promise checked here
JOIN_CONCURRENCY = 16  # websocket opens in flight per viewer process
SUBMIT_CEILING = 800  # submissions/s the pool is sized for in step 1 (500 ran out at 480/s)
LIVE_CEILING_ITEMS = 2500  # step 4's closed-loop submissions without viewers (5 s)


def with_args(step):
    """A step run by `run`: called with the run's arguments, as main saved them."""

    def run_with_args(workdir: str) -> dict:
        return step(argparse.Namespace(**json.loads((Path(workdir) / "args.json").read_text())))

    return run_with_args


@with_args
def step_seed(args) -> dict:
    import random

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.cache import cache, caches
    from django.core.management import call_command
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.backends import USER_TIMEOUT, user_key
    from accounts.models import Commune, Organization, ParticipantKind, Province, User
    from accounts.services.communes import load_tuyen_quang
    from common.text import fold
    from quiz.models import Attempt, AttemptQuestion, Choice, Contest, Question, Round, Standing

    started = time.perf_counter()
    rng = random.Random(2025)
    call_command("flush", interactive=False, verbosity=0)
    cache.clear()
    call_command("migrate", verbosity=0)  # a flush empties the communes a migration loaded
    load_tuyen_quang()
    province = Province.objects.get(code="08")
    communes = list(Commune.objects.values_list("pk", flat=True))
    Organization.objects.bulk_create(
        Organization(
            name=f"Cơ quan thử {n}",
            search_name=fold(f"Cơ quan thử {n}"),
            kind=Organization.Kind.OTHER,
            province=province,
            commune_id=communes[n % len(communes)],
        )
        for n in range(300)
    )
    organizations = list(Organization.objects.values_list("pk", flat=True))

    # 60 questions, 20 of each difficulty, 4 choices; every tenth has two correct ones.
    questions = Question.objects.bulk_create(
        Question(
            text=f"Câu hỏi thử số {n}",
            search_text=fold(f"Câu hỏi thử số {n}"),
            difficulty=1 + n % 3,
            multiple=n % 10 == 0,
        )
        for n in range(60)
    )
    Choice.objects.bulk_create(
        Choice(question=q, text=f"Phương án {k}", is_correct=k == 1 or (q.multiple and k == 2))
        for q in questions
        for k in range(1, 5)
    )
    right, wrong = {}, {}
    for question_id, pk, correct in Choice.objects.values_list("question", "pk", "is_correct"):
        (right if correct else wrong).setdefault(question_id, []).append(pk)
    contest = Contest.objects.create(title="Tìm hiểu chuyển đổi số", slug=SLUG, is_published=True)
    now = timezone.now()
    round_ = Round.objects.create(
        contest=contest, number=1, opens_at=now - datetime.timedelta(hours=3),
        closes_at=now + datetime.timedelta(hours=3), questions_per_attempt=QUESTIONS,
        time_limit_minutes=240, attempts_allowed=0,
    )  # fmt: skip

    people = args.attempts * 9 // 10
    total_people = people + args.pool + args.live_pool
    family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Ma", "Nông", "Triệu", "Lý", "Hà"]
    password = make_password(None)
    User.objects.bulk_create(
        (
            User(
                phone=f"08{n:08d}",
                full_name=f"{family[n % len(family)]} Văn Thử {n}",
                search_name=f"{fold(family[n % len(family)])} van thu {n}",
                commune_id=communes[n % len(communes)],
                organization_id=organizations[n % len(organizations)],
                participant_kind=ParticipantKind.COMMUNE_OFFICIAL,
                password=password,
                consent_at=now,  # without it every page redirects to the consent page
            )
            for n in range(total_people)
        ),
        batch_size=5000,
    )
    users = list(
        User.objects.filter(phone__startswith="08").order_by("phone").values_list("pk", flat=True)
    )

    # Submitted attempts: person i has attempt 1, the first (attempts - people) a second.
    def submitted(n: int) -> Attempt:
        person = n if n < people else n - people
        duration = rng.randint(60_000, 900_000)
        at = round_.opens_at + datetime.timedelta(seconds=rng.uniform(duration / 1000, 9000))
        return Attempt(
            round=round_,
            user_id=users[person],
            number=1 if n < people else 2,
            started_at=at - datetime.timedelta(milliseconds=duration),
            deadline=at + datetime.timedelta(minutes=200),
            submitted_at=at,
            score=min(QUESTIONS, max(0, round(rng.gauss(13, 4)))),
            total=QUESTIONS,
            duration_ms=duration,
            prediction=None if n % 20 == 0 else rng.randint(50_000, 150_000),
        )

    attempts = Attempt.objects.bulk_create(
        (submitted(n) for n in range(args.attempts)), batch_size=5000
    )
    best: dict[int, Attempt] = {}
    for a in attempts:
        kept = best.get(a.user_id)
        if kept is None or (-a.score, a.submitted_at) < (-kept.score, kept.submitted_at):
            best[a.user_id] = a
    units = dict(zip(users, range(len(users)), strict=True))
    Standing.objects.bulk_create(
        (
            Standing(
                round=round_,
                user_id=a.user_id,
                attempt=a,
                commune_id=communes[units[a.user_id] % len(communes)],
                organization_id=organizations[units[a.user_id] % len(organizations)],
                score=a.score,
                total=a.total,
                duration_ms=a.duration_ms,
                submitted_at=a.submitted_at,
                prediction=a.prediction,
            )
            for a in best.values()
        ),
        batch_size=5000,
    )

    # The pool: started attempts with answers saved, for steps 1 and 4.
    pool_users = users[people:]
    pool = Attempt.objects.bulk_create(
        (
            Attempt(
                round=round_,
                user_id=pk,
                number=1,
                started_at=now - datetime.timedelta(minutes=5),
                deadline=now + datetime.timedelta(minutes=235),
                total=QUESTIONS,
            )
            for pk in pool_users
        ),
        batch_size=5000,
    )
    question_ids = [q.pk for q in questions]
    choices = {pk: sorted(right[pk] + wrong[pk]) for pk in question_ids}

    def drawn(attempt: Attempt):
        for order, question_id in enumerate(rng.sample(question_ids, QUESTIONS), start=1):
            luck = rng.random()
            chosen = (
                right[question_id] if luck < 0.7 else [] if luck > 0.9 else wrong[question_id][:1]
            )
            yield AttemptQuestion(
                attempt=attempt,
                question_id=question_id,
                order=order,
                chosen=chosen,
                answered_at=now if chosen else None,
                # Shuffled as start_attempt shuffles them (issue 14); answers go by choice id.
                choice_order=rng.sample(choices[question_id], len(choices[question_id])),
            )

    AttemptQuestion.objects.bulk_create(
        (item for attempt in pool for item in drawn(attempt)), batch_size=10_000
    )

    # Logged in: a session row, its cached copy and the cached user, as after answering.
    session_cache = caches[settings.SESSION_CACHE_ALIAS]
    expires = now + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    items = []
    for start in range(0, len(pool), 2000):
        batch = pool[start : start + 2000]
        people_by_pk = User.objects.in_bulk([a.user_id for a in batch])
        rows, cached = [], {}
        for attempt in batch:
            user = people_by_pk[attempt.user_id]
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
            store = SessionStore(
                session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
            )
            rows.append(
                Session(
                    session_key=store.session_key,
                    session_data=store.encode(data),
                    expire_date=expires,
                )
            )
            cached[store.cache_key] = data
            secret = _get_new_csrf_string()
            cookie = (
                f"{settings.SESSION_COOKIE_NAME}={store.session_key}; "
                f"{settings.CSRF_COOKIE_NAME}={secret}"
            )
            items.append([attempt.pk, cookie, _mask_cipher_secret(secret)])
        Session.objects.bulk_create(rows)
        session_cache.set_many(cached, settings.SESSION_COOKIE_AGE)
        cache.set_many({user_key(pk): user for pk, user in people_by_pk.items()}, USER_TIMEOUT)
    (Path(args.workdir) / "pool.json").write_text(json.dumps(items))
    return {
        "seconds": time.perf_counter() - started,
        "round": round_.pk,
        "people": len(best),
        "attempts": len(attempts),
        "pool": len(pool),
    }


def timed_queries(function, runs: int, before=None) -> tuple[float, list]:
    """Median time of `function()` over `runs`, and its SQL with each query's median ms."""
    from django.db import connection

    times, runs_queries = [], []
    for _ in range(runs):
        if before:
            before()
        queries = []

        def timer(execute, sql, params, many, context, queries=queries):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries.append((sql, time.perf_counter() - start))

        with connection.execute_wrapper(timer):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        runs_queries.append(queries)
    per_query = [
        [sql[:200], ms(median(run[n][1] for run in runs_queries))]
        for n, (sql, _) in enumerate(runs_queries[-1])
    ]
    return ms(median(times)), per_query


@with_args
def step_leaderboard(args) -> dict:
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from quiz import leaderboard
    from quiz.models import Round, Standing

    round_ = Round.objects.get(contest__slug=SLUG)
    standings = Standing.objects.filter(round=round_).count()
    start = time.perf_counter()
    data = leaderboard.snapshot(round_.pk, fresh=True)  # also caches names and headcounts
    cold = time.perf_counter() - start
    snapshot_ms, snapshot_queries = timed_queries(
        lambda: leaderboard.snapshot(round_.pk, fresh=True), args.runs
    )
    # A participant in the middle of the ranking, as the page shows them their own line.
    middle = Standing.objects.filter(round=round_).live_order().values_list("user", flat=True)
    client = Client()
    client.force_login(User.objects.get(pk=middle[standings // 2]))
    url = reverse("quiz:leaderboard", args=[SLUG, 1])
    assert client.get(url).status_code == 200

    def page():
        assert client.get(url).status_code == 200

    page_ms, page_queries = timed_queries(
        page, args.runs, before=lambda: leaderboard.snapshot(round_.pk, fresh=True)
    )  # before each: a new snapshot, as a push leaves it: the first read renders the tables
    page()  # then the reads until the next push (every 1.5 s): tables already rendered
    steady_ms, steady_queries = timed_queries(page, args.runs)
    return {
        "steady_ms": steady_ms,
        "steady_queries": steady_queries,
        "standings": standings,
        "cold_ms": ms(cold),
        "snapshot_ms": snapshot_ms,
        "snapshot_queries": snapshot_queries,
        "page_ms": page_ms,
        "page_queries": page_queries,
        "bytes": len(leaderboard.encoded(data).encode()),
    }


@with_args
def step_close(args) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from quiz.models import Round, Standing
    from quiz.services import results

    round_ = Round.objects.get(contest__slug=SLUG)
    parts: dict[str, float] = {}

    def timed(name: str, function):
        def wrapper(*a, **kw):
            start = time.perf_counter()
            try:
                return function(*a, **kw)
            finally:
                parts[name] = parts.get(name, 0) + time.perf_counter() - start

        return wrapper

    results.round_entries = timed("read attempts", results.round_entries)
    results.counting_attempts = timed("counting attempts", results.counting_attempts)
    results.rank = timed("rank", results.rank)
    base = peak_rss_mb()
    with transaction.atomic():
        start = time.perf_counter()
        ranked = results.close_round(round_, now=max(round_.closes_at, timezone.now()))
        seconds = time.perf_counter() - start
        peak = peak_rss_mb() - base
        written = Standing.objects.filter(round=round_, rank__isnull=False).count()
        prizes = Standing.objects.filter(round=round_).exclude(prize="").count()
        transaction.set_rollback(True)  # the round stays open for the live step
    attempts = round_.attempts.filter(submitted_at__isnull=False).count()
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "parts": parts,
        "attempts": attempts,
        "ranked": len(ranked),
        "written": written,
        "prizes": prizes,
    }


def step_verify(workdir: str) -> dict:
    from django.db.models import Count

    from quiz.models import Attempt, Standing

    submitted = json.loads((Path(workdir) / "submitted.json").read_text())
    ok, failed = submitted["ok"], submitted["failed"]
    attempts = Attempt.objects.filter(pk__in=ok)
    users = attempts.values("user")
    standings = Standing.objects.filter(user__in=users)
    return {
        "ok": len(ok),
        "scored": attempts.filter(submitted_at__isnull=False, score__isnull=False).count(),
        "standings": standings.count(),
        "standings_on_their_attempt": standings.filter(attempt__in=attempts).count(),
        "duplicates": Standing.objects.values("round", "user")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count(),
        "failed": len(failed),
        "failed_but_submitted": Attempt.objects.filter(
            pk__in=failed, submitted_at__isnull=False
        ).count(),
    }


def run(step: str, args, env) -> dict:
    return django_step("bench.contest", env, step, workdir=args.workdir)


# --- Submitting through gunicorn --------------------------------------------------------------


def post_submit(port: int, item: list) -> tuple[bool, int]:
    """One participant presses "Nộp bài"; True when it was scored (a redirect to the result)."""
    attempt_id, cookie, token = item
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            f"/thi/bai/{attempt_id}/nop/",
            body=urlencode({"csrfmiddlewaretoken": token, "prediction": "95.000"}),
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        response.read()
        location = response.getheader("Location", "")
    finally:
        connection.close()
    return response.status == 302 and location.endswith("/ket-qua/"), response.status


def submits(port: int, items: list, seconds: float, clients: int) -> dict:
    """Closed-loop submissions of `items`, each once, from `clients` threads."""
    shares = [items[n::PROCESSES] for n in range(PROCESSES)]
    return closed_loop(
        post_submit, port, shares, seconds, max(1, clients // PROCESSES), cycle=False
    )


def bench_submit(args, env, pool: list, submitted: dict) -> list[dict]:
    """Step 1, for each worker count: interleaved rounds of /healthz/ and submissions."""
    rows = []
    share = len(pool) // len(args.workers)
    for n, workers in enumerate(args.workers):
        mine = pool[n * share : (n + 1) * share]
        port = free_port()
        server = start_server("gunicorn", env, port, workers)
        try:
            get_load(port, gets("/healthz/"), 1, args.clients)
            warm = submits(port, mine[:600], 1, args.clients)
            used = 600
            per_round = (len(mine) - used) // args.rounds
            health, subs = [], []
            for _ in range(args.rounds):
                health.append(get_load(port, gets("/healthz/"), args.seconds, args.clients))
                subs.append(
                    submits(port, mine[used : used + per_round], args.seconds, args.clients)
                )
                used += per_round
            clients_seen = redis_info(env["REDIS_URL"]).get("connected_clients")
        finally:
            server.terminate()
            server.wait()
        for result in [warm, *subs]:
            submitted["ok"] += result["done"]
            submitted["failed"] += result["failed"]
        rows.append(
            {
                "workers": workers,
                "rps": median(s["rps"] for s in subs),
                "ratio": median(s["rps"] / h["rps"] for s, h in zip(subs, health, strict=True)),
                "p50": median(s["p50"] for s in subs),
                "p99": median(s["p99"] for s in subs),
                "errors": sum(s["errors"] for s in [warm, *subs]),
                "statuses": dict(sum((s["statuses"] for s in [warm, *subs]), Counter())),
                "exhausted": any(s["exhausted"] for s in subs),
                "healthz": median(h["rps"] for h in health),
                "rounds": [round(s["rps"]) for s in subs],
                "redis_clients": clients_seen,
            }
        )
    return rows


# --- Live leaderboard: viewers, probes, paced submissions -------------------------------------

PARTICIPANTS = re.compile(r'"participants":(\d+)')
UPDATED = re.compile(r'"updated":"([^"]*)"')


def _record(message: str) -> tuple:
    found = PARTICIPANTS.search(message)
    stamp = UPDATED.search(message)
    return (time.time(), int(found.group(1)) if found else -1, stamp.group(1) if stamp else "")


class Viewers(Clients):
    """One client process's viewers of the live leaderboard: every message's arrival (wall
    clock), participants count and time stamp, a list per viewer."""

    def __init__(self, slot: int, signals):
        super().__init__(slot, signals)
        self.out["records"] = []

    def opened(self, target: list, first: str, seconds: float) -> list:
        records = [_record(first)]
        self.out["records"].append(records)
        return records

    async def received(self, ws, records: list, text: str) -> None:
        records.append(_record(text))


def viewers(url: str, count: int) -> Crowd:
    return Crowd(Viewers, [[url]] * count, PROCESSES, JOIN_CONCURRENCY)


def bench_reference(args, message: str) -> dict:
    """The bare library sending the snapshot to as many viewers, five pushes."""
    repeats = 5
    bare = BareBroadcasters(1, message, message, PUSH_INTERVAL, repeats)
    try:
        crowd = viewers(f"ws://127.0.0.1:{bare.ports[0]}/", args.viewers)
        join_s = crowd.join()
        bare.go(time.time() + PUSH_INTERVAL)
        [(sends, _, connections)] = bare.reports()
        time.sleep(1)
        result = crowd.finish()
    finally:
        bare.stop()
    records = result.get("records", [])
    spreads, first_to_last = [], []
    for k, sent in enumerate(sends, start=1):
        arrivals = [r[k][0] for r in records if len(r) > k]
        if arrivals:
            spreads.append(max(arrivals) - sent)
            first_to_last.append(max(arrivals) - min(arrivals))
    return {
        "join_s": join_s,
        "all_received_ms": ms(median(spreads)),
        "first_to_last_ms": ms(median(first_to_last)),
        "connections": connections,
        "missed": sum(1 for r in records for k in range(1, repeats + 1) if len(r) <= k),
        "failures": result["failures"],
    }


def probe_ws(url: str, origin: str) -> tuple[float | None, str]:
    """A new viewer: connect and receive the first snapshot; milliseconds and the text."""
    from websockets.sync.client import connect

    start = time.perf_counter()
    try:
        with connect(url, origin=origin, compression=None, proxy=None, open_timeout=30) as ws:
            text = ws.recv(timeout=30)
    except Exception:
        return None, ""
    return ms(time.perf_counter() - start), text


def probe_http(port: int) -> float | None:
    start = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/healthz/")
        ok = connection.getresponse().status == 200
        connection.close()
    except OSError:
        return None
    return ms(time.perf_counter() - start) if ok else None


def probes(
    url: str, origin: str, port: int, count: int = 0, until=None, every: float = 0.5
) -> dict:
    """`count` probes in a row, or one every `every` seconds until `until` is set."""
    socket_ms, http_ms, n = [], [], 0
    while (until is None and n < count) or (until is not None and not until.is_set()):
        started = time.perf_counter()
        socket_ms.append(probe_ws(url, origin)[0])
        http_ms.append(probe_http(port))
        n += 1
        if until is not None:
            time.sleep(max(0, every - (time.perf_counter() - started)))
    return {"ws": socket_ms, "http": http_ms}


def paced_submitter(port: int, items: list, rate: float, seconds: float, queue) -> None:
    """Open loop: submission i is sent at start + i/rate (late when every thread is busy)."""
    count = min(len(items), int(rate * seconds))
    begin = time.time() + 0.2
    results: list = [None] * count
    cursor = iter(range(count))
    lock = threading.Lock()

    def loop():
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                return
            due = begin + i / rate
            time.sleep(max(0, due - time.time()))
            sent = time.time()
            try:
                ok, status = post_submit(port, items[i])
            except OSError:
                ok, status = False, 0
            results[i] = (due, sent, time.time(), ok, status, items[i][0])

    threads = [threading.Thread(target=loop) for _ in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(results)


def bench_live(args, env, items: list, submitted: dict) -> dict:
    """Step 4: one daphne process, the viewers, and `args.rate` submissions a second."""
    web_port, live_port = free_port(), free_port()
    gunicorn = start_server("gunicorn", env, web_port, 2)
    daphne = start_server("daphne", env, live_port)
    url = f"ws://127.0.0.1:{live_port}/ws/thi/vong/{args.round}/"
    origin = f"http://127.0.0.1:{live_port}"
    try:
        empty = probes(url, origin, live_port, count=20)
        _, snapshot_text = probe_ws(url, origin)
        if not snapshot_text:
            raise SystemExit("no snapshot from daphne")
        reference = bench_reference(args, snapshot_text)
        # Same run, no viewers: what gunicorn takes closed-loop (the rate's ceiling here).
        warm = submits(web_port, items[:300], 1, args.clients)
        alone = submits(web_port, items[300:LIVE_CEILING_ITEMS], 5, args.clients)
        for result in (warm, alone):
            submitted["ok"] += result["done"]
            submitted["failed"] += result["failed"]
        items = items[LIVE_CEILING_ITEMS:]

        crowd = viewers(url, args.viewers)
        join_s = crowd.join()
        idle = probes(url, origin, live_port, count=20)
        base = int(PARTICIPANTS.search(probe_ws(url, origin)[1]).group(1))

        queue, done = multiprocessing.Queue(), threading.Event()
        submitter = multiprocessing.Process(
            target=paced_submitter, args=(web_port, items, args.rate, args.live_seconds, queue)
        )
        load_probes: dict = {}
        prober = threading.Thread(
            target=lambda: load_probes.update(probes(url, origin, live_port, until=done))
        )
        cpu_before, load_started = cpu_seconds(daphne.pid), time.time()
        submitter.start()
        prober.start()
        results = queue.get(timeout=args.live_seconds + 600)
        load_ended = time.time()
        cpu_load = cpu_seconds(daphne.pid) - cpu_before
        done.set()
        submitter.join()
        prober.join()
        time.sleep(PUSH_INTERVAL + 2.5)  # the last push: quiet window, margin, interval
        crowd_result = crowd.finish()
        clients_seen = redis_info(env["REDIS_URL"]).get("connected_clients")
    finally:
        for server in (daphne, gunicorn):
            server.terminate()
            server.wait()
    results = [r for r in results if r is not None]
    ok = [r for r in results if r[3]]
    submitted["ok"] += [r[5] for r in ok]
    submitted["failed"] += [r[5] for r in results if not r[3]]

    # Pushes: the same (participants, time stamp) seen by the viewers.
    pushes: dict[tuple, list[float]] = {}
    gaps, counts = [], []
    for messages in crowd_result.get("records", []):
        updates = messages[1:]  # the first is the snapshot on connect
        counts.append(len(updates))
        gaps += [b[0] - a[0] for a, b in zip(updates, updates[1:], strict=False)]
        for at, participants, stamp in updates:
            pushes.setdefault((participants, stamp), []).append(at)
    ordered = sorted(pushes.items(), key=lambda p: min(p[1]))
    push_first = [min(arrivals) for _, arrivals in ordered]
    push_count = [key[0] for key, _ in ordered]
    # Delay: submission i answered at t is in every update whose participants count reaches
    # base + (successful submissions sent before t) — see BENCHMARKS.md.
    sends = sorted(r[1] for r in ok)
    to_first, to_last, never = [], [], 0
    for r in ok:
        needed = base + bisect.bisect_left(sends, r[2])
        k = next((k for k, p in enumerate(push_count) if p >= needed), None)
        if k is None:
            never += 1
            continue
        to_first.append(push_first[k] - r[2])
        to_last.append(max(ordered[k][1]) - r[2])
    span = max(r[2] for r in results) - min(r[0] for r in results) if results else 1
    latencies = [r[2] - r[1] for r in ok]
    return {
        "viewers": args.viewers,
        "join_s": join_s,
        "join_failures": sum(crowd_result["failures"].values()),
        "failures": crowd_result["closed"],
        "sent": len(results),
        "ok": len(ok),
        "errors": Counter(r[4] for r in results if not r[3]),
        "rate": len(ok) / span,
        "late_p99_ms": ms(percentile([r[1] - r[0] for r in results], 0.99)),
        "submit_p50": ms(median(latencies)),
        "submit_p99": ms(percentile(latencies, 0.99)),
        "load_s": load_ended - load_started,
        "daphne_cpu": cpu_load / max(0.001, load_ended - load_started),
        "updates_median": median(counts),
        "updates_min": min(counts),
        "updates_max": max(counts),
        "expected": 1 + int((load_ended - load_started) / PUSH_INTERVAL),
        "pushes": len(ordered),
        "gap_min_s": min(gaps) if gaps else float("nan"),
        "gap_p1_s": percentile(gaps, 0.01),
        "spread_median_ms": ms(median(max(a) - min(a) for _, a in ordered)),
        "spread_max_ms": ms(max(max(a) - min(a) for _, a in ordered)),
        "reached_median": median(len(a) for _, a in ordered),
        "delay_first_p50": ms(median(to_first)),
        "delay_first_p99": ms(percentile(to_first, 0.99)),
        "delay_last_p50": ms(median(to_last)),
        "delay_last_p99": ms(percentile(to_last, 0.99)),
        "never_shown": never,
        "final_participants": push_count[-1] if push_count else base,
        "base": base,
        "probes": {
            "no viewers": {k: summary(v) for k, v in empty.items()},
            f"{args.viewers} idle viewers": {k: summary(v) for k, v in idle.items()},
            f"{args.viewers} viewers + {args.rate:g}/s submissions": {
                k: summary(v) for k, v in load_probes.items()
            },
        },
        "reference": reference,
        "snapshot_bytes": len(snapshot_text.encode()),
        "alone_rps": alone["rps"],
        "alone_p50": alone["p50"],
        "redis_clients": clients_seen,
    }


# --- Report -------------------------------------------------------------------------------------


def report(args, conditions: dict, figures: dict) -> None:
    print(
        f"{datetime.date.today()}; cores: {os.cpu_count()}; PostgreSQL "
        f"{conditions['postgres']} (fsync off), Redis {conditions['redis']}; DEBUG off; "
        f"seeded in {figures['seed']['seconds']:.0f} s: {figures['seed']['attempts']:,} "
        f"submitted attempts by {figures['seed']['people']:,} people, "
        f"pool of {figures['seed']['pool']:,} started attempts\n"
    )
    print("| target | measured | reference, same run | goal | met |")
    print("| --- | --- | --- | --- | --- |")
    for row in figures.get("submit", []):
        statuses = f", statuses {row['statuses']}" if row["statuses"] else ""
        note = " (pool ran out: a floor)" if row["exhausted"] else ""
        print(
            f"| 1. submit, gunicorn {row['workers']} workers, {args.clients} clients, "
            f"median of {args.rounds}×{args.seconds:g} s | **{row['rps']:,.0f} submissions/s**"
            f"{note} (rounds {row['rounds']}), p50 {row['p50']:.0f} ms, p99 {row['p99']:.0f} ms, "
            f"{row['errors']} errors{statuses} | /healthz/ {row['healthz']:,.0f} req/s; "
            f"ratio {row['ratio']:.2f} | ≥ 300/s | {'yes' if row['rps'] >= 300 else 'no'} |"
        )
    if "verify" in figures:
        v = figures["verify"]
        good = (
            v["scored"] == v["ok"] == v["standings"] == v["standings_on_their_attempt"]
            and not v["duplicates"]
            and not v["failed_but_submitted"]
        )
        print(
            f"| 1. database afterwards | {v['scored']:,} of {v['ok']:,} answered submissions "
            f"scored; {v['standings']:,} standings for their people "
            f"({v['standings_on_their_attempt']:,} on that attempt); {v['duplicates']} people "
            f"with two standings; {v['failed_but_submitted']} of {v['failed']} refused "
            f"submissions stored anyway | | all scored, one standing each | "
            f"{'yes' if good else 'NO'} |"
        )
    if "leaderboard" in figures:
        lb = figures["leaderboard"]
        worst = max(lb["snapshot_queries"], key=lambda q: q[1])
        print(
            f"| 2. leaderboard, full recompute `snapshot(fresh=True)`, {lb['standings']:,} "
            f"standings, median of {args.runs} | **{lb['snapshot_ms']:.0f} ms**, "
            f"{len(lb['snapshot_queries'])} queries (slowest {worst[1]:.0f} ms); first call "
            f"{lb['cold_ms']:.0f} ms | | ≤ 20 ms | {'yes' if lb['snapshot_ms'] <= 20 else 'no'} |"
        )
        print(
            f"| 2. leaderboard page, participant, first read after a push, median of "
            f"{args.runs} | **{lb['page_ms']:.1f} ms**, {len(lb['page_queries'])} queries | | "
            f"≤ 20 ms | {'yes' if lb['page_ms'] <= 20 else 'no'} |"
        )
        print(
            f"| 2. leaderboard page, participant, reads between pushes, median of {args.runs} "
            f"| **{lb['steady_ms']:.1f} ms**, {len(lb['steady_queries'])} queries | | ≤ 20 ms "
            f"| {'yes' if lb['steady_ms'] <= 20 else 'no'} |"
        )
    if "close" in figures:
        c = figures["close"]
        parts = ", ".join(f"{k} {v:.1f} s" for k, v in c["parts"].items())
        rest = c["seconds"] - sum(c["parts"].values())
        print(
            f"| 3. `close_round`, {c['attempts']:,} attempts → {c['ranked']:,} ranked | "
            f"**{c['seconds']:.1f} s**, peak +{c['peak_mb']:.0f} MB ({parts}, units + "
            f"writing standings {rest:.1f} s); {c['written']:,} ranks and {c['prizes']} prizes "
            f"written | | ≤ 10 s | {'yes' if c['seconds'] <= 10 else 'no'} |"
        )
    if "live" in figures:
        lv = figures["live"]
        ref = lv["reference"]
        print(
            f"| 4. live: submissions through gunicorn (2 workers) while {lv['viewers']:,} "
            f"viewers watch | {lv['ok']:,} of {lv['sent']:,} answered, **{lv['rate']:.0f}/s** "
            f"reached (p99 late start {lv['late_p99_ms']:.0f} ms), p50 {lv['submit_p50']:.0f} ms, "
            f"p99 {lv['submit_p99']:.0f} ms, errors {dict(lv['errors'])} | same gunicorn just "
            f"before, no viewers, closed loop: {lv['alone_rps']:.0f}/s (p50 "
            f"{lv['alone_p50']:.0f} ms) | {args.rate:g}/s | "
            f"{'yes' if lv['rate'] >= 0.95 * args.rate else 'no'} |"
        )
        print(
            f"| 4. updates per viewer over {lv['load_s']:.0f} s | median "
            f"{lv['updates_median']:g} (min {lv['updates_min']}, max {lv['updates_max']}); "
            f"{lv['pushes']} pushes; smallest gap between two updates **{lv['gap_min_s']:.2f} s** "
            f"(1st percentile {lv['gap_p1_s']:.2f} s) | at most {lv['expected']:.0f} "
            f"(one per {PUSH_INTERVAL} s) | gap ≥ ~1.5 s | "
            f"{'yes' if lv['gap_min_s'] >= PUSH_INTERVAL - 0.1 else 'no'} |"
        )
        print(
            f"| 4. submission answered → first update that includes it | first viewer p50 "
            f"{lv['delay_first_p50']:.0f} ms, p99 {lv['delay_first_p99']:.0f} ms; every viewer "
            f"p50 {lv['delay_last_p50']:.0f} ms, p99 {lv['delay_last_p99']:.0f} ms; "
            f"{lv['never_shown']} never shown (final count {lv['final_participants']:,} = "
            f"{lv['base']:,} + {lv['final_participants'] - lv['base']:,}) | | — | |"
        )
        print(
            f"| 4. one push reaching all viewers (first → last arrival) | median "
            f"**{lv['spread_median_ms']:.0f} ms**, max {lv['spread_max_ms']:.0f} ms "
            f"({lv['reached_median']:g} viewers each, {lv['snapshot_bytes']:,} bytes); "
            f"daphne CPU {lv['daphne_cpu']:.0%} of a core under load | bare `websockets` "
            f"`broadcast()` to {ref['connections']:,}: all received "
            f"{ref['all_received_ms']:.0f} ms "
            f"after the call (first → last {ref['first_to_last_ms']:.0f} ms); "
            f"ratio {lv['spread_median_ms'] / max(ref['first_to_last_ms'], 0.1):.1f}× | — | |"
        )
        print(
            f"| 4. joining | {lv['viewers']:,} viewers connected with their snapshot in "
            f"{lv['join_s']:.1f} s ({lv['join_failures']} failed; later drops {lv['failures']}) | "
            f"bare library {ref['join_s']:.1f} s | — | |"
        )
        print("\n| daphne, while… | new viewer: connect + snapshot, median / max ms | "
              "GET /healthz/, median / max ms | probes |")  # fmt: skip
        print("| --- | ---: | ---: | ---: |")
        for phase, p in lv["probes"].items():
            print(
                f"| {phase} | {p['ws']['median']:.0f} / {p['ws']['max']:.0f} | "
                f"{p['http']['median']:.0f} / {p['http']['max']:.0f} | {p['ws']['n']} |"
            )
    if "leaderboard" in figures:
        print("\nsnapshot queries (ms): " + "; ".join(
            f"{t:.1f} `{sql[:90]}`" for sql, t in figures["leaderboard"]["snapshot_queries"]
        ))  # fmt: skip
        print("page queries (ms): " + "; ".join(
            f"{t:.1f} `{sql[:90]}`" for sql, t in figures["leaderboard"]["page_queries"]
        ))  # fmt: skip
    seen = [f"{r['workers']} workers: {r['redis_clients']}" for r in figures.get("submit", [])]
    if "live" in figures:
        seen.append(f"live step: {figures['live']['redis_clients']}")
    print(f"\nRedis connected clients at the end of each load: {'; '.join(seen)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=100_000)
    load_options(parser, seconds=10)
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--live-seconds", type=float, default=30)
    parser.add_argument("--steps", default="submit,leaderboard,close,live")
    args = arguments(parser, globals())
    if args is None:  # this process ran a Django step
        return

    steps = args.steps.split(",")
    workdir = Path(tempfile.mkdtemp(prefix="hocso-bench-"))
    args.workdir = str(workdir)
    args.pool = (
        int(len(args.workers) * (args.rounds * args.seconds * SUBMIT_CEILING + 600))
        if "submit" in steps
        else 0
    )
    args.live_pool = (
        int(args.rate * args.live_seconds) + 100 + LIVE_CEILING_ITEMS if "live" in steps else 0
    )
    servers = Servers(workdir)
    try:
        urls = servers.start()
        env = {
            **os.environ,
            **urls,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-" + os.urandom(16).hex(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            # The 1,000 leaderboard viewers all connect from 127.0.0.1: lift the socket cap.
            "DJANGO_SOCKETS_PER_ADDRESS": "1000000",
        }
        conditions = versions(urls)
        (workdir / "args.json").write_text(json.dumps(vars(args)))
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        figures = {"seed": run("seed", args, env)}
        args.round = figures["seed"]["round"]
        pool = json.loads((workdir / "pool.json").read_text())
        submitted: dict = {"ok": [], "failed": []}

        if "leaderboard" in steps:
            figures["leaderboard"] = run("leaderboard", args, env)
        if "close" in steps:
            figures["close"] = run("close", args, env)
        if "submit" in steps:
            figures["submit"] = bench_submit(args, env, pool[: args.pool], submitted)
        if "live" in steps:
            figures["live"] = bench_live(args, env, pool[args.pool :], submitted)
        if submitted["ok"] or submitted["failed"]:
            (workdir / "submitted.json").write_text(json.dumps(submitted))
            figures["verify"] = run("verify", args, env)
        (workdir / "figures.json").write_text(json.dumps(figures, default=str))
        report(args, conditions, figures)
    finally:
        servers.stop()
        shutil.rmtree(workdir / "pg", ignore_errors=True)
        (workdir / "pool.json").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
