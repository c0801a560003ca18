"""A live game at festival scale: N phones play a whole game against daphne, Redis and
PostgreSQL, next to the bare `websockets` library broadcasting the same question.

    .venv/bin/python -m bench.game [--players 1000,5000,10000] [--daphnes 1|2|3]
        [--questions 2] [--clients 4] [--backlog 0] [--py-spy]

Starts a throwaway PostgreSQL (max_connections=300, fsync off) and Redis on loopback (as
scripts/test does), migrates, and for each N seeds one game (`games.create_game`, four
choices a question, 20 s a question, speed scoring) with N guest players over the 124
communes, their signed tokens and a logged-in host session. Then, per N:

1. `--daphnes` fresh daphne processes on their own ports (DEBUG off, open-file limit
   raised); the phones are spread over them as a balancer would, the host is on the first.
2. N asyncio `websockets` clients in `--clients` processes connect (64 opens in flight
   per process) and wait for their `state`: join time.
3. The host socket drives the game: per question `next` (delivery of the `question` from
   the moment the host sends it to each phone's receipt, wall clocks of one machine), the
   answers (each phone answers once at a random moment 0–8 s after the question arrived,
   2 % send the same answer again as a retry would; ack latency = send → ack), the
   automatic lock once everyone answered, `reveal` (carries the per-player table) and
   `leaderboard`; after the last question `next` gives `finished`. Each step waits until
   every phone has the previous broadcast.
4. The database is read back: the answers acknowledged against the answers stored.
5. Memory: the daphne processes' RSS growth from before the join to after it, per phone.
6. Reference in the same run: the bare `websockets` library (`broadcast()`), in as many
   processes as daphnes on as many ports, sends the real `question` text to N clients of
   the same kind, three times; its time to reach the clients is the practical limit.

Clients share the 2 cores with the servers, so absolute times are pessimistic: read the
ratios to the reference. While each question travels (and each bare broadcast), the report
splits the machine's CPU between the servers, the phones, PostgreSQL and Redis, and other
work on the machine, so a run disturbed by other work on the shared cores can be told apart.
`--py-spy` records each daphne during the game (py-spy in the virtualenv) and prints the
functions that took most of its samples.
"""

import argparse
import asyncio
import collections
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.measure import (
    ROOT,
    Clients,
    CpuUse,
    Crowd,
    arguments,
    cpu_seconds,
    django_step,
    median,
    raise_fd_limit,
    rss_kb,
    spread,
    wait_for_quiet,
)
from bench.servers import BareBroadcasters, Servers, free_port, start_daphne, versions

SECONDS_PER_QUESTION = 20
ANSWER_SPREAD = 8.0  # each phone answers at a random moment this long after the question
RETRY_SHARE = 0.02  # phones that send their answer a second time
JOIN_CONCURRENCY = 64  # websocket opens in flight per client process
REFERENCE_REPEATS = 3
LOCK_WAIT = 300  # seconds the bench waits for the lock before it gives up on the game
LOBBY = '{"v":1,"type":"state","phase":"lobby"}'  # what the bare library sends on connect
BROADCASTS = {"question", "locked", "reveal", "leaderboard", "finished"}


# --- Steps that need Django run in their own process -----------------------------------------


def step_seed(players: int, questions: int) -> dict:
    """A game in its lobby with `players` guests, their tokens and a host session."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.utils import timezone

    from accounts.models import Commune, Role, User
    from accounts.services import grant_role
    from quiz import games
    from quiz.models import Choice, Player, Question

    communes = list(Commune.objects.all()) or [None]
    host = User.objects.create(
        phone=f"09{random.randrange(10**8):08d}",
        full_name="Người Dẫn Chương Trình",
        consent_at=timezone.now(),  # without it the consent check refuses the host's socket
    )
    grant_role(host, role=Role.CONTEST_HOST)  # so does the host's socket, without the role
    bank = []
    for n in range(questions):
        question = Question.objects.create(
            text=f"Câu {n + 1}: Khi nhận được tin nhắn báo trúng thưởng kèm đường link lạ, "
            "người dân nên làm gì để bảo vệ tài khoản ngân hàng và thông tin cá nhân của mình?",
            explanation="Không bấm vào đường link lạ; gọi tổng đài chính thức để kiểm tra.",
        )
        Choice.objects.bulk_create(
            Choice(question=question, text=text, is_correct=k == 0, order=k)
            for k, text in enumerate(
                [
                    "Không bấm link, báo cho ngân hàng qua tổng đài chính thức",
                    "Bấm vào link để nhận thưởng ngay trước khi hết hạn",
                    "Gửi mã OTP cho người nhắn tin để xác minh",
                    "Chuyển tiếp tin nhắn cho người thân cùng nhận thưởng",
                ]
            )
        )
        bank.append(question)
    game = games.create_game(
        host=host, title="Hội thi Học Số — thử tải", questions=bank,
        seconds_per_question=SECONDS_PER_QUESTION,
    )  # fmt: skip
    now = timezone.now()
    made = Player.objects.bulk_create(
        (
            Player(game=game, nickname=f"Người chơi {n}", commune=communes[n % len(communes)],
                   joined_at=now)
            for n in range(players)
        ),
        batch_size=2000,
    )  # fmt: skip
    session = SessionStore()
    session[SESSION_KEY] = str(host.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = host.get_session_auth_hash()
    session.create()
    return {
        "game": game.pk,
        "session": session.session_key,
        "players": [[p.pk, games.player_token(p)] for p in made],
    }


def step_verify(game: int) -> dict:
    """Every stored answer of the game: {question index: [player ids]}, and row counts."""
    from django.db.models import Count

    from quiz.models import GameAnswer

    rows = GameAnswer.objects.filter(game_question__game_id=game)
    stored: dict[int, list[int]] = collections.defaultdict(list)
    for index, player in rows.values_list("game_question__order", "player_id"):
        stored[index].append(player)
    doubled = (
        rows.values("player_id", "game_question_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    return {"stored": stored, "doubled": doubled}


# --- The phones ---------------------------------------------------------------------------------


class Phones(Clients):
    """One client process's phones: each answers every question once at a random moment,
    a few send the same answer again; every broadcast's arrival and every ack recorded."""

    answers = True

    def __init__(self, slot: int, signals):
        super().__init__(slot, signals)
        self.rng = random.Random(slot)
        self.out |= {
            "joined": [],  # wall time of each first message
            "join_latency": [],  # open + first message, seconds
            "arrivals": collections.defaultdict(list),  # "question:1#1" → wall times
            "acks": [],  # [player, index, seconds from send to ack]
            "sent": [],  # wall time of each first answer
            "retries": 0,
            "retry_acks": 0,
            "errors": collections.Counter(),
            "no_you": 0,
        }

    def opened(self, target: list, first: str, seconds: float) -> dict:
        self.out["joined"].append(time.time())
        self.out["join_latency"].append(seconds)
        return {"player": target[1], "seen": collections.Counter(), "pending": {}}

    async def received(self, ws, phone: dict, text: str) -> None:
        now = time.time()
        message = json.loads(text)
        kind = message["type"]
        if kind in BROADCASTS:
            key = f"{kind}:{message.get('index')}"
            phone["seen"][key] += 1
            self.out["arrivals"][f"{key}#{phone['seen'][key]}"].append(now)
            self.count()
            if kind in ("reveal", "finished") and "you" not in message:
                self.out["no_you"] += 1
            if kind == "question" and self.answers and phone["seen"][key] == 1:
                self.answer_later(ws, message, phone["pending"])
        elif kind == "ack":
            await self.acked(ws, phone, message["index"])
        elif kind == "error":
            self.out["errors"][message.get("code")] += 1

    def answer_later(self, ws, message: dict, pending: dict) -> None:
        # A timer, and the coroutine only when it fires: starting 5,000 coroutines (each to
        # sleep) the moment a question arrived made the phones slower to read the question
        # itself, which the bare library's phones, which do not answer, never pay.
        def fire():
            if self.signals.stop.is_set():
                return
            task = asyncio.create_task(self.reply(ws, message, pending))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

        asyncio.get_running_loop().call_later(self.rng.uniform(0, ANSWER_SPREAD), fire)

    async def reply(self, ws, message: dict, pending: dict) -> None:
        choices = [self.rng.choice(message["choices"])[0]]
        index = message["index"]
        pending[index] = [time.monotonic(), choices, self.rng.random() < RETRY_SHARE]
        self.out["sent"].append(time.time())
        await ws.send(json.dumps({"type": "answer", "index": index, "choices": choices}))

    async def acked(self, ws, phone: dict, index: int) -> None:
        entry = phone["pending"].get(index)
        if entry is None:
            self.out["errors"]["unexpected ack"] += 1
        elif entry[0] is None:
            self.out["retry_acks"] += 1
        else:
            self.out["acks"].append([phone["player"], index, time.monotonic() - entry[0]])
            if entry[2]:  # this phone retries: the same answer again
                entry[0] = None
                self.out["retries"] += 1
                await ws.send(json.dumps({"type": "answer", "index": index, "choices": entry[1]}))


class Watching(Phones):
    """The bare library's phones: they only read."""

    answers = False


# --- daphne and the host ---------------------------------------------------------------------


def fanout_channels(redis_url: str) -> int:
    """Layer channels of quiz.events.Fanout subscribed in Redis: one per daphne is the
    design."""
    port = redis_url.rsplit(":", 1)[1].split("/")[0]
    listed = subprocess.run(
        ["redis-cli", "-p", port, "pubsub", "channels", "*quiz.fanout.*"],
        capture_output=True,
        text=True,
    ).stdout
    return len(listed.split())


class Daphnes:
    """K fresh daphne processes on their own ports, and what they use."""

    def __init__(self, env: dict, workdir: Path, count: int, backlog: int):
        self.env = env
        self.ports = [free_port() for _ in range(count)]
        self.procs = [
            start_daphne(env, port, workdir / f"daphne-{port}.log", backlog) for port in self.ports
        ]
        time.sleep(1)

    def rss(self) -> int:
        return sum(rss_kb(p.pid) for p in self.procs)

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.procs)

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


async def host_game(
    args, n: int, game: int, session: str, daphnes: Daphnes, crowd: Crowd, usage: CpuUse, spy
):
    """The host's screen opens first (on the first daphne), then the phones join; then the
    host drives the whole game. Each command waits until every phone has the broadcast
    before it (the crowd's counter), so one measurement does not overlap the next."""
    from websockets.asyncio.client import connect

    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue = asyncio.Queue()
    out: dict = {"sent": {}, "loads": []}
    port = daphnes.ports[0]
    async with connect(
        f"ws://127.0.0.1:{port}/ws/choi/{game}/dieu-khien/", origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": f"sessionid={session}"}, compression=None, proxy=None,
        max_size=2**22,
    ) as ws:  # fmt: skip

        async def read():
            async for text in ws:
                inbox.put_nowait(text)

        reader = asyncio.create_task(read())

        async def until(kind: str, seconds: float = 60) -> str:
            deadline = loop.time() + seconds
            while True:
                text = await asyncio.wait_for(inbox.get(), max(0.01, deadline - loop.time()))
                message = json.loads(text)
                if message["type"] == "error":
                    raise SystemExit(f"the host's command was refused: {message}")
                if message["type"] == kind:
                    return text

        await until("state")
        out["rss_before"] = daphnes.rss()
        out["join_s"] = await loop.run_in_executor(None, crowd.join)
        await asyncio.sleep(2)
        out["rss_joined"], cpu_before, started = daphnes.rss(), daphnes.cpu(), time.time()
        out["fanout_channels"] = fanout_channels(daphnes.env["REDIS_URL"])
        spies = spy()
        expected = 0

        async def everyone(wanted: str, seconds: float = 60) -> str:
            nonlocal expected
            text = await until(wanted, seconds)
            expected += n
            await loop.run_in_executor(None, crowd.wait_received, expected, 120)
            out["loads"].append(os.getloadavg()[0])
            return text

        async def command(kind: str, key: str, wanted: str) -> str:
            before = usage.snapshot()
            out["sent"][key] = time.time()
            await ws.send(json.dumps({"type": kind}))
            text = await everyone(wanted)
            if wanted == "question":
                out.setdefault("cpu", []).append(CpuUse.spent(before, usage.snapshot()))
            return text

        try:
            for index in range(1, args.questions + 1):
                text = await command("next", f"question:{index}#1", "question")
                out.setdefault("question_text", text)
                opened = time.time()
                # The host's socket locks once everyone answered, or at the deadline.
                await everyone("locked", LOCK_WAIT)
                out.setdefault("lock_s", []).append(time.time() - opened)
                await command("reveal", f"reveal:{index}#1", "reveal")
                await command("leaderboard", f"leaderboard:{index}#1", "leaderboard")
            await command("next", "finished:None#1", "finished")
        except TimeoutError:
            out["aborted"] = f"no {list(out['sent'])[-1]} or lock in time"
            await asyncio.sleep(ANSWER_SPREAD)  # the answers still in flight
        out["game_s"], out["cpu_game"] = time.time() - started, daphnes.cpu() - cpu_before
        out["rss_after"] = daphnes.rss()
        for process in spies:
            process.send_signal(2)
            process.wait(60)
        reader.cancel()
    return out


def py_spy(pids: list[int], paths: list[Path]) -> list[subprocess.Popen]:
    binary = Path(sys.executable).parent / "py-spy"
    return [
        subprocess.Popen(
            [str(binary), "record", "--pid", str(pid), "--format", "raw", "--rate", "100"]
            + ["--output", str(path), "--nonblocking"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid, path in zip(pids, paths, strict=True)
    ]


BOILERPLATE = ("threading.py", "concurrent/", "asyncio/", "twisted/", "daphne/", "asgiref/")


def spy_summary(path: Path, top: int = 14) -> list[tuple[str, float]]:
    """The share of samples with each function on the stack (inclusive), without the
    event loop's and the thread pool's own frames."""
    totals: collections.Counter = collections.Counter()
    samples = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples += int(count)
        frames = set()
        for frame in stack.split(";"):
            name, _, where = frame.partition(" (")
            where = where.rsplit(":", 1)[0]
            if where and not where.startswith(BOILERPLATE) and "<string>" not in where:
                frames.add(f"{name} ({where})")
        for frame in frames:
            totals[frame] += int(count)
    return [(frame, count / samples) for frame, count in totals.most_common(top)] if samples else []


def play(args, env: dict, workdir: Path, n: int, db: list[int]) -> dict:
    """One game with N phones on fresh daphne processes."""
    seeded = django_step("bench.game", env, "seed", players=n, questions=args.questions)
    game = seeded["game"]
    daphnes = Daphnes(env, workdir, args.daphnes, args.backlog)
    targets = [
        [f"ws://127.0.0.1:{daphnes.ports[k % args.daphnes]}/ws/choi/{game}/?t={token}", player]
        for k, (player, token) in enumerate(seeded["players"])
    ]
    crowd = Crowd(Phones, targets, args.clients, JOIN_CONCURRENCY)
    spies = [workdir / f"spy-{n}-{k}.txt" for k in range(args.daphnes)] if args.py_spy else []
    try:
        run = asyncio.run(
            host_game(
                args, n, game, seeded["session"], daphnes, crowd,
                CpuUse(db, [p.pid for p in daphnes.procs], [p.pid for p in crowd.procs]),
                lambda: py_spy([p.pid for p in daphnes.procs], spies) if spies else [],
            )
        )  # fmt: skip
        result = crowd.finish()
    finally:
        crowd.signals.stop.set()
        daphnes.stop()
    return {
        **run,
        "n": n,
        "joined": len(result.get("joined", [])),
        "join_latency": spread(result.get("join_latency", [])),
        "failures": result.get("failures", {}),
        "result": result,
        "stored": django_step("bench.game", env, "verify", game=game),
        "spies": spies,
    }


# --- The reference: the bare library -------------------------------------------------------------


def reference(args, n: int, text: str, db: list[int]) -> dict:
    """The same N clients on as many bare-library processes as daphnes."""
    bare = BareBroadcasters(args.daphnes, LOBBY, text, 2, REFERENCE_REPEATS)
    try:
        rss_before = sum(rss_kb(p.pid) for p in bare.procs)
        targets = [[f"ws://127.0.0.1:{bare.ports[k % len(bare.ports)]}/", k] for k in range(n)]
        crowd = Crowd(Watching, targets, args.clients, JOIN_CONCURRENCY)
        join_s = crowd.join()
        time.sleep(1)
        at = time.time() + 0.5
        bare.go(at)
        usage = CpuUse(db, [p.pid for p in bare.procs], [p.pid for p in crowd.procs])
        cpu = []
        for k in range(REFERENCE_REPEATS):
            time.sleep(max(0, at + 2 * k - 0.05 - time.time()))
            before = usage.snapshot()
            crowd.wait_received(n * (k + 1), 20)
            cpu.append(CpuUse.spent(before, usage.snapshot()))
        reports = bare.reports()
        result = crowd.finish()
    finally:
        bare.stop()
    starts = [min(r[0][k] for r in reports) for k in range(REFERENCE_REPEATS)]
    runs = [
        spread([t - start for t in result["arrivals"].get(f"question:1#{k + 1}", [])])
        for k, start in enumerate(starts)
    ]
    return {
        "join_s": join_s,
        "joined": len(result.get("joined", [])),
        "connections": sum(r[2] for r in reports),
        "rss_growth_kb": sum(r[1] for r in reports) - rss_before,
        "runs": runs,
        "delivery": {key: median(r[key] for r in runs) for key in ("p50", "p95", "max")},
        "missed": sum(n - r["n"] for r in runs),
        "cpu": cpu,
    }


# --- Figures and report ---------------------------------------------------------------------------


def figures(run: dict, ref: dict, questions: int) -> dict:
    result, sent, n = run["result"], run["sent"], run["n"]
    arrivals = result["arrivals"]

    def delivery(key: str) -> dict:
        return spread([t - sent[key] for t in arrivals.get(key, [])] if key in sent else [])

    per_question = [delivery(f"question:{i}#1") for i in range(1, questions + 1)]
    question = {k: median(q[k] for q in per_question) for k in ("p50", "p95", "max")}
    reveal = [delivery(f"reveal:{i}#1") for i in range(1, questions + 1)]
    acks = result.get("acks", [])
    acked: dict[int, set] = collections.defaultdict(set)
    for player, index, _ in acks:
        acked[index].add(player)
    stored = {int(k): set(v) for k, v in run["stored"]["stored"].items()}
    lost = sum(len(acked[i] - stored.get(i, set())) for i in acked)
    unacked = sum(len(stored[i] - acked.get(i, set())) for i in stored)
    opened = [sent[f"question:{i}#1"] for i in range(1, questions + 1) if f"question:{i}#1" in sent]
    send_window = max(result.get("sent", [0])) - max(opened) if acks else 0
    return {
        "question": question,
        "per_question": per_question,
        "question_missed": sum(n - q["n"] for q in per_question),
        "reveal": {k: median(r[k] for r in reveal) for k in ("p50", "p95", "max")},
        "leaderboard": delivery(f"leaderboard:{questions}#1"),
        "finished": delivery("finished:None#1"),
        "ack": spread([a[2] for a in acks]),
        "acked": len(acks),
        "expected_answers": n * questions,
        "stored": sum(len(v) for v in stored.values()),
        "lost": lost,
        "unacked_stored": unacked,
        "doubled": run["stored"]["doubled"],
        "retries": result.get("retries", 0),
        "retry_acks": result.get("retry_acks", 0),
        "errors": result.get("errors", {}),
        "closed": result.get("closed", 0),
        "no_you": result.get("no_you", 0),
        "repeated": sum(len(v) for k, v in arrivals.items() if not k.endswith("#1")),
        "last_answer_after_next_s": send_window,
        "kb_per_phone": (run["rss_joined"] - run["rss_before"]) / n,
        "kb_per_phone_after": (run["rss_after"] - run["rss_before"]) / n,
        "ref_kb_per_phone": ref["rss_growth_kb"] / n,
        "ratio_p95": question["p95"] / ref["delivery"]["p95"],
        "ratio_max": question["max"] / ref["delivery"]["max"],
    }


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def report(args, conditions: dict, rows: list) -> None:
    print(
        f"\n{conditions['date']}, {conditions['cores']} cores, daphne processes: "
        f"{args.daphnes}, client processes: {args.clients}, questions: {args.questions}, "
        f"PostgreSQL {conditions['postgres']}, Redis {conditions['redis']}, load average "
        f"during the games {conditions['load']}\n"
    )
    print(
        "| N | join: all connected + `state` | question delivery p50 / p95 / max | bare "
        "`websockets` p50 / p95 / max | ratio p95 / max | reveal p50 / p95 / max | "
        "`finished` p95 | ack p50 / p95 | acked = stored | lost / doubled | KB per phone "
        "(daphne; bare) |"
    )
    print("| " + " | ".join(["---:"] * 11) + " |")
    for run, ref, f in rows:
        q, r, rv = f["question"], ref["delivery"], f["reveal"]
        print(
            f"| {run['n']:,} | {run['join_s']:.1f} s ({run['joined']:,} joined) | "
            f"{q['p50']:,.0f} / {q['p95']:,.0f} / {q['max']:,.0f} ms | "
            f"{r['p50']:,.0f} / {r['p95']:,.0f} / {r['max']:,.0f} ms | "
            f"{f['ratio_p95']:.2f}× / {f['ratio_max']:.2f}× | "
            f"{rv['p50']:,.0f} / {rv['p95']:,.0f} / {rv['max']:,.0f} ms | "
            f"{f['finished']['p95']:,.0f} ms | "
            f"{f['ack']['p50']:,.0f} / {f['ack']['p95']:,.0f} ms | "
            f"{f['acked']:,} / {f['stored']:,} | {f['lost']} / {f['doubled']} | "
            f"{f['kb_per_phone']:.1f}; {f['ref_kb_per_phone']:.1f} |"
        )
    print("\nTargets (10,000 players):\n")
    print("| N | delivery p95 ≤ 1.5 s | ≤ 1.7× bare (p95) | ack p95 ≤ 500 ms | answers within "
          "10 s | 0 lost, 0 doubled, acked = stored | ≤ 80 KB per phone |")  # fmt: skip
    print("| " + " | ".join(["---:"] * 7) + " |")
    for run, _ref, f in rows:
        print(
            f"| {run['n']:,} | {verdict(f['question']['p95'] <= 1500)} | "
            f"{verdict(f['ratio_p95'] <= 1.7)} | {verdict(f['ack']['p95'] <= 500)} | "
            f"{verdict(f['last_answer_after_next_s'] <= 10)} "
            f"({f['last_answer_after_next_s']:.1f} s) | "
            f"{verdict(f['lost'] == 0 and f['doubled'] == 0 and f['acked'] == f['stored'])} | "
            f"{verdict(f['kb_per_phone'] <= 80)} |"
        )
    print("\nDetails:\n")
    for run, ref, f in rows:
        bare_runs = ", ".join(f"{r['p95']:,.0f} (first {r['first']:,.0f})" for r in ref["runs"])
        per_q = "; ".join(
            f"{q['p50']:,.0f} / {q['p95']:,.0f} / {q['max']:,.0f} ms (first {q['first']:,.0f})"
            for q in f["per_question"]
        )
        print(
            f"- N = {run['n']:,}: per question {per_q}; leaderboard p95 "
            f"{f['leaderboard']['p95']:,.0f} ms; join per phone p50 "
            f"{run['join_latency']['p50']:,.0f} ms, p95 {run['join_latency']['p95']:,.0f} ms; "
            f"join failures {run['failures'] or 0}; broadcasts missed "
            f"{f['question_missed']}; fan-out layer channels {run['fanout_channels']} (one per "
            f"daphne is the design); broadcasts received again {f['repeated']:,}; "
            f"retries {f['retries']} (acked again "
            f"{f['retry_acks']}); stored but not acked {f['unacked_stored']}; refusals "
            f"{f['errors'] or 0}; sockets closed {f['closed']}; reveal/finished without "
            f"`you` {f['no_you']}; daphne CPU during the game {run['cpu_game']:.1f} s over "
            f"{run['game_s']:.1f} s; from `next` to the lock "
            f"{', '.join(f'{x:.1f} s' for x in run.get('lock_s', []))}"
            f"{'; **' + run['aborted'] + '**' if run.get('aborted') else ''}; "
            f"RSS before / joined / after (MB) "
            f"{run['rss_before'] / 1024:.0f} / {run['rss_joined'] / 1024:.0f} / "
            f"{run['rss_after'] / 1024:.0f} ({f['kb_per_phone_after']:.1f} KB per phone "
            f"after the game); bare runs (p95 ms) "
            f"{bare_runs}, bare join "
            f"{ref['join_s']:.1f} s, bare missed {ref['missed']}"
        )
        print(
            "  - CPU while the question travelled (ms: servers / phones and host / PostgreSQL "
            "and Redis / other work on the machine, in a window of): daphne "
            + "; ".join(cpu_use(u) for u in run.get("cpu", []))
            + "; bare "
            + "; ".join(cpu_use(u) for u in ref["cpu"])
        )
        for path in run["spies"]:
            if path.exists():
                print(f"  - py-spy {path.name}: " + "; ".join(
                    f"{frame} {share:.0%}" for frame, share in spy_summary(path)
                ))  # fmt: skip


def cpu_use(used: dict) -> str:
    return (
        " / ".join(f"{used[g]:,.0f}" for g in (*CpuUse.GROUPS, "other"))
        + f" in {used['window']:,.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", default="1000,5000,10000")
    parser.add_argument("--daphnes", type=int, default=1)
    parser.add_argument("--questions", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--backlog", type=int, default=0, help="daphne's listen backlog")
    parser.add_argument("--py-spy", action="store_true")
    args = arguments(parser, globals())
    if args is None:  # this process ran a Django step
        return

    raise_fd_limit()
    workdir = Path(tempfile.mkdtemp(prefix="hocso-game-"))
    servers = Servers(workdir, from_env=False, max_connections=300)
    try:
        urls = servers.start()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))},
            **urls,
            "DJANGO_SECRET_KEY": f"bench-{random.randrange(10**12)}-{time.time()}",
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Every phone of this bench connects from 127.0.0.1: lift the per-address cap.
            "DJANGO_SOCKETS_PER_ADDRESS": "1000000",
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        conditions = {
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "cores": os.cpu_count(),
            **versions(urls),
        }
        rows, loads = [], []
        for n in [int(x) for x in args.players.split(",")]:
            wait_for_quiet()
            print(f"N = {n:,}: game on {args.daphnes} daphne process(es)…", file=sys.stderr)
            run = play(args, env, workdir, n, servers.pids())
            loads.extend(run["loads"])
            print(f"N = {n:,}: the bare library…", file=sys.stderr)
            ref = reference(args, n, run["question_text"], servers.pids())
            print(f"N = {n:,}: done", file=sys.stderr)
            rows.append((run, ref, figures(run, ref, args.questions)))
        conditions["load"] = f"{min(loads):.1f}–{max(loads):.1f}"
        report(args, conditions, rows)
    finally:
        servers.stop()
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
