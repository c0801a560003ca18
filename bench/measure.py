"""What the benches measure with: statistics, a process's memory and CPU from /proc, the
open-file limit, a quiet machine, steps run in their own Django process, and the crowds of
clients: closed-loop HTTP threads, and websocket clients in client processes."""

import argparse
import asyncio
import collections
import http.client
import itertools
import json
import multiprocessing
import os
import re
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]


# --- Statistics -----------------------------------------------------------------------------


def ms(seconds: float) -> float:
    return seconds * 1000


def percentile(values: list, fraction: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * fraction))] if values else float("nan")


def median(values) -> float:
    """The median, or NaN for no values (a run where nothing answered still reports)."""
    values = list(values)
    return statistics.median(values) if values else float("nan")


def spread(values: list) -> dict:
    """first, p50, p95 and max of durations in seconds, in milliseconds; and how many."""
    return {
        "first": ms(min(values)) if values else float("nan"),
        "p50": ms(percentile(values, 0.5)),
        "p95": ms(percentile(values, 0.95)),
        "max": ms(max(values)) if values else float("nan"),
        "n": len(values),
    }


def summary(values: list) -> dict:
    """Median and max of the answered values (None is a failure), how many, how many failed."""
    answered = [v for v in values if v is not None]
    return {
        "median": median(answered),
        "max": max(answered) if answered else float("nan"),
        "n": len(values),
        "failed": len(values) - len(answered),
    }


# --- Processes: memory, CPU, open files -----------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_kb(pid: int) -> int:
    """A process's resident memory now (KB)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used, user + system (clock ticks' precision)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raise_fd_limit() -> None:
    """Open files up to the hard limit: thousands of sockets in one process."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def wait_for_quiet(bench: str = "contest", limit: float = 1200) -> None:
    """The machine is shared: wait while another run of `bench` goes on. Only an interpreter
    running it counts: `flock /tmp/bench.lock … -m bench.contest`, waiting for the lock this
    run holds, would otherwise keep both waiting for the whole limit."""
    pattern = rf"^[^ ]*python[^ ]* (-m bench\.{bench}\b|([^ ]*/)?bench/{bench}\.py)"
    deadline = time.time() + limit
    while time.time() < deadline:
        if subprocess.run(["pgrep", "-f", pattern], capture_output=True).returncode != 0:
            return
        print(f"waiting for bench.{bench} to finish…", file=sys.stderr)
        time.sleep(30)


class CpuUse:
    """Who used the machine's cores while a message travelled: the servers (daphne, or the
    bare library), the phones and the host's screen, PostgreSQL and Redis, and other work
    (tests, profilers, browsers on the shared cores, which /tmp/bench.lock does not hold
    back). A ratio to the bare library means little when other work differs between the
    two sides, and the phones' share shows how much of a delivery time is the clients'."""

    GROUPS = ("servers", "phones", "db")

    def __init__(self, db: list[int], servers: list[int], phones: list[int]):
        self.roots = {"servers": servers, "phones": phones, "db": db}

    def snapshot(self) -> dict:
        parents: dict[int, list[int]] = collections.defaultdict(list)
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                parents[int(fields[1])].append(int(entry.name))
        taken = {"at": time.monotonic(), "busy": _busy_seconds()}
        for group, roots in self.roots.items():
            pids, total = list(roots), 0.0
            while pids:
                pid = pids.pop()
                pids.extend(parents.get(pid, ()))
                total += _task_seconds(pid)
            taken[group] = total
        # The host's screen is this process alone (its children are the servers and phones).
        taken["phones"] += _task_seconds(os.getpid())
        return taken

    @staticmethod
    def spent(before: dict, after: dict) -> dict:
        """Milliseconds of CPU by group between two snapshots, and the window's length."""
        used = {g: ms(after[g] - before[g]) for g in CpuUse.GROUPS}
        used["other"] = max(0.0, ms(after["busy"] - before["busy"]) - sum(used.values()))
        used["window"] = ms(after["at"] - before["at"])
        return used


def _busy_seconds() -> float:
    """CPU time of the whole machine, all cores, not idle (/proc/stat, in ticks)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _task_seconds(pid: int) -> float:
    """CPU time of every thread of a process, in nanoseconds' precision (schedstat)."""
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            total += int((task / "schedstat").read_text().split()[0])
    except (OSError, ValueError):
        pass
    return total / 1e9


# --- Steps in their own Django process ------------------------------------------------------


def django_step(module: str, env: dict, step: str, *, cwd: Path = ROOT, **arguments) -> dict:
    """Run `step_<step>(**arguments)` of the bench `module` (e.g. "bench.game") in a fresh
    Django process from the project root (or `cwd`, another checkout's); the JSON it
    returned."""
    done = subprocess.run(
        [sys.executable, "-m", module, "--step", step, json.dumps(arguments)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"step {step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def with_options(step):
    """A step that takes the run's options as one argparse.Namespace, run by `django_step`
    (which passes them as keywords)."""

    def run_with_options(**options) -> dict:
        return step(argparse.Namespace(**options))

    return run_with_options


def arguments(parser: argparse.ArgumentParser, steps: dict) -> argparse.Namespace | None:
    """The bench's command line; or, in a process `django_step` started, None once it ran
    the step among `steps` (the bench's globals())."""
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("arguments", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.step:
        return args
    run_step(steps, args.step, args.arguments)
    return None


def run_step(steps: dict, step: str, arguments: str) -> None:
    """The step's process: set Django up, run `steps["step_<step>"]` with the JSON
    `arguments`, print its result as JSON for `django_step`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    print(json.dumps(steps[f"step_{step}"](**json.loads(arguments)), default=str))


# --- A crowd of HTTP clients: closed-loop threads in client processes -----------------------

PROCESSES = 4  # client processes of an HTTP load


def closed_loop(request, port: int, shares: list, seconds: float, threads: int, *, cycle=True):
    """For `seconds`, `threads` threads in a process for each of `shares`, each taking the
    next job of its process's share (round and round, or each once when not `cycle`) and
    calling `request(port, job)` → (answered, status) as soon as the last one returned.
    Answers a second, p50 and p99 ms of the answered, the refused and their statuses, the
    jobs' ids (job[0]) answered and refused, and whether a share ran out."""
    queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(
            target=_closed_loop_process,
            args=(request, port, share, seconds, threads, cycle, queue),
        )
        for share in shares
    ]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for r in results for x in r[0])
    return {
        "rps": len(latencies) / seconds,
        "p50": ms(median(latencies)),
        "p99": ms(percentile(latencies, 0.99)),
        "errors": sum(len(r[2]) for r in results),
        "statuses": sum((collections.Counter(r[3]) for r in results), collections.Counter()),
        "done": [key for r in results for key in r[1]],
        "failed": [key for r in results for key in r[2]],
        "exhausted": any(r[4] for r in results),
    }


def _closed_loop_process(request, port, share, seconds, threads, cycle, queue) -> None:
    latencies, done, failed, statuses = [], [], [], collections.Counter()
    lock = threading.Lock()
    jobs = itertools.cycle(share) if cycle else iter(share)
    exhausted = False
    stop_at = time.perf_counter() + seconds

    def loop():
        nonlocal exhausted
        while time.perf_counter() < stop_at:
            with lock:
                job = next(jobs, None)
            if job is None:
                exhausted = True
                return
            start = time.perf_counter()
            try:
                ok, status = request(port, job)
            except OSError:
                ok, status = False, 0
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - start)
                    done.append(job[0])
                else:
                    statuses[status] += 1
                    failed.append(job[0])

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    queue.put((latencies, done, failed, dict(statuses), exhausted))


def load_options(parser: argparse.ArgumentParser, *, seconds=5.0, clients=16) -> None:
    """The command line of a closed-loop HTTP load: how long a round, how many, how many
    client threads."""
    parser.add_argument("--seconds", type=float, default=seconds)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=clients)


def gets(path: str, cookies=(), status: int = 200) -> list[tuple]:
    """Jobs for `get`: `path` once for each cookie (a logged-in person each), or once bare."""
    return [(path, cookie, status) for cookie in cookies] or [(path, "", status)]


def get(port: int, job: tuple) -> tuple[bool, int]:
    """GET the job's path with its cookie; answered when the status is the one expected."""
    path, cookie, expected = job
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Accept-Encoding": "gzip", **({"Cookie": cookie} if cookie else {})}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status == expected, response.status


def get_load(port: int, jobs: list, seconds: float, clients: int) -> dict:
    """Closed-loop GETs of `jobs` (see `gets`) from `clients` threads in PROCESSES processes,
    the jobs dealt out between the processes."""
    shares = [jobs[n::PROCESSES] or jobs for n in range(PROCESSES)]
    return closed_loop(get, port, shares, seconds, max(1, clients // PROCESSES))


def interleaved_rounds(port: int, jobs: dict, args: argparse.Namespace) -> dict:
    """label → median req/s, p50, p99, errors, and the median of each round's ratio to the
    first label (the reference), for `load_options`' arguments. Rounds go round the labels
    in turn, so a change in the shared machine's load reaches every one alike; a second of
    each first warms up."""
    for cycle in jobs.values():
        get_load(port, cycle, 1, args.clients)
    results: dict[str, list[dict]] = {label: [] for label in jobs}
    for _ in range(args.rounds):
        for label, cycle in jobs.items():
            results[label].append(get_load(port, cycle, args.seconds, args.clients))
    reference = next(iter(results.values()))
    rows = {}
    for label, measured in results.items():
        ratios = [r["rps"] / ref["rps"] for r, ref in zip(measured, reference, strict=True)]
        rows[label] = {key: median(r[key] for r in measured) for key in ("rps", "p50", "p99")}
        rows[label] |= {"errors": sum(r["errors"] for r in measured), "round_ratio": median(ratios)}
    return rows


# --- A crowd of websocket clients in client processes ---------------------------------------


class Signals(NamedTuple):
    """What a crowd shares with its client processes."""

    go: Any  # set: every client opens its socket
    stop: Any  # set: the clients close and report
    joins: Any  # per process: clients with their first message, or failed
    counts: Any  # per process: messages the clients counted (Clients.count)
    queue: Any  # per process: its Clients.out, at the end


class Clients:
    """One client process's websocket clients: each opens its target's URL (target[0]) and
    reads the first message; a bench's subclass says what to do with it (`opened`) and with
    each later one (`received`), recording into `out`."""

    def __init__(self, slot: int, signals: Signals):
        self.slot, self.signals = slot, signals
        self.out: dict = {"failures": collections.Counter(), "closed": 0}
        self.tasks: set = set()  # started by the clients, cancelled at the end

    def opened(self, target: list, first: str, seconds: float):
        """The client's first message arrived `seconds` after it began to connect; what
        `received` gets as its state."""

    async def received(self, ws, state, text: str) -> None:
        """A later message."""

    def count(self) -> None:
        self.signals.counts[self.slot] += 1


class Crowd:
    """Websocket clients of `targets` in `processes` client processes (`clients`: a Clients
    subclass, made in each), `concurrency` opens in flight per process. `join()` opens them
    all at once; `finish()` closes them and merges what the processes recorded."""

    def __init__(self, clients: type, targets: list, processes: int, concurrency: int):
        self.signals = Signals(
            multiprocessing.Event(),
            multiprocessing.Event(),
            multiprocessing.RawArray("l", processes),
            multiprocessing.RawArray("l", processes),
            multiprocessing.Queue(),
        )
        self.size = len(targets)
        self.procs = [
            multiprocessing.Process(
                target=_crowd_process,
                args=(clients, n, targets[n::processes], self.signals, concurrency),
                daemon=True,
            )
            for n in range(processes)
        ]
        for p in self.procs:
            p.start()
        time.sleep(1)  # the processes import websockets before the start signal

    def received(self) -> int:
        return sum(self.signals.counts)

    def join(self, timeout: float = 600) -> float:
        """Start every client at once; seconds until each has its first message (or failed)."""
        started = time.time()
        self.signals.go.set()
        while sum(self.signals.joins) < self.size:
            if time.time() - started > timeout:
                break
            time.sleep(0.01)
        return time.time() - started

    def wait_received(self, total: int, timeout: float = 60) -> bool:
        deadline = time.time() + timeout
        while self.received() < total:
            if time.time() > deadline:
                return False
            time.sleep(0.02)
        return True

    def finish(self) -> dict:
        """Close every client; the processes' `out` merged (lists joined, numbers added)."""
        self.signals.stop.set()
        parts = [self.signals.queue.get(timeout=300) for _ in self.procs]
        for p in self.procs:
            p.join()
        merged: dict = {}
        for part in parts:
            _merge(merged, part)
        return merged


def _merge(into: dict, part: dict) -> None:
    for key, value in part.items():
        if isinstance(value, dict):
            _merge(into.setdefault(key, {}), value)
        elif isinstance(value, list):
            into.setdefault(key, []).extend(value)
        else:
            into[key] = into.get(key, 0) + value


def _crowd_process(clients: type, slot: int, targets: list, signals: Signals, concurrency):
    raise_fd_limit()
    asyncio.run(_crowd(clients(slot, signals), targets, concurrency))


async def _crowd(clients: Clients, targets: list, concurrency: int) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    signals, gate, sockets = clients.signals, asyncio.Semaphore(concurrency), []

    async def client(target: list) -> None:
        url = target[0]
        async with gate:
            started = time.monotonic()
            try:
                ws = await connect(
                    url, origin=f"http://{url.split('/')[2]}", compression=None, proxy=None,
                    ping_interval=None, open_timeout=120, close_timeout=2, max_size=2**22,
                )  # fmt: skip
                first = await asyncio.wait_for(ws.recv(), 120)
            except Exception as error:
                clients.out["failures"][type(error).__name__] += 1
                signals.joins[clients.slot] += 1
                return
            state = clients.opened(target, first, time.monotonic() - started)
            signals.joins[clients.slot] += 1
        sockets.append(ws)
        try:
            async for text in ws:
                await clients.received(ws, state, text)
        except ConnectionClosed:
            clients.out["closed"] += 1

    while not signals.go.is_set():
        await asyncio.sleep(0.005)
    runners = [asyncio.create_task(client(target)) for target in targets]
    while not signals.stop.is_set():
        await asyncio.sleep(0.05)
    for task in [*runners, *clients.tasks]:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    signals.queue.put(clients.out)
