"""What the benches measure with: statistics, a process's memory and CPU from /proc, the
open-file limit, a quiet machine, and steps run in their own Django process."""

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

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


# --- Steps in their own Django process ------------------------------------------------------


def django_step(module: str, env: dict, step: str, **arguments) -> dict:
    """Run `step_<step>(**arguments)` of the bench `module` (e.g. "bench.game") in a fresh
    Django process from the project root; the JSON it returned."""
    done = subprocess.run(
        [sys.executable, "-m", module, "--step", step, json.dumps(arguments)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"step {step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_step(steps: dict, step: str, arguments: str) -> None:
    """The step's process: set Django up, run `steps["step_<step>"]` (a bench's globals())
    with the JSON `arguments`, print its result as JSON for `django_step`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    print(json.dumps(steps[f"step_{step}"](**json.loads(arguments)), default=str))
