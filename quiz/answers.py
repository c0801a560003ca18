"""A daphne process writes its players' answers in batches, on a database thread of its own.

During a question thousands of answers arrive within seconds. Written one by one on the
one thread Channels gives a process for database work, they queued for tens of seconds
behind each other and in front of the host's lock and reveal (docs/BENCHMARKS.md). Here
the answers that arrive while a batch is being written wait for the next batch, and the
first answer after a pause waits LINGER for others, so a burst writes a few hundred per
transaction (`scoring.submit_answers`: four queries a batch) and a quiet game writes each
answer within LINGER. Each phone is acknowledged when its batch is committed.
"""

import asyncio
import logging
import weakref
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections, connections

from quiz import scoring

log = logging.getLogger(__name__)

MAX_BATCH = 500
# The first answers of a question arrive while the question is still reaching the other
# phones; written one to three at a time they cost daphne as much CPU as the delivery
# itself. Waiting this long gathers them: about a quarter less daphne CPU while a question
# travels to 10,000 phones, acks no slower (docs/BENCHMARKS.md, "The last step to 1.7×").
LINGER = 0.025

# One thread for the process (with its own database connection): batches are written one
# after another, and never wait behind the host's commands on Channels' database thread.
_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quiz-answers")


class Writer:
    """This event loop's queue of answers waiting for the next batch."""

    def __init__(self):
        self.waiting: list[tuple[scoring.Submission, asyncio.Future]] = []
        self.task: asyncio.Task | None = None
        self.batches = 0  # for tests and benchmarks

    async def submit(self, submission: scoring.Submission) -> tuple:
        """The stored answer and whether it is new, once committed; GameRefused if refused."""
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((submission, future))
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(LINGER)
        while self.waiting:
            batch, self.waiting = self.waiting[:MAX_BATCH], self.waiting[MAX_BATCH:]
            try:
                outcomes = await loop.run_in_executor(_thread, _write, [s for s, _f in batch])
            except Exception as error:  # the database is away: each phone is told to resend
                log.exception("a batch of %d answers could not be stored", len(batch))
                outcomes = [error] * len(batch)
            self.batches += 1
            for (_submission, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():  # the phone went away; it resends after reconnecting
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)


def _write(submissions: list[scoring.Submission]) -> list:
    close_old_connections()  # as Channels does around its own database calls
    try:
        return scoring.submit_answers(submissions)
    finally:
        close_old_connections()


def close_connections() -> None:
    """Close the answer thread's database connection, if it has one (tests, before their
    database goes)."""
    if _thread._threads:  # started by a first batch
        _thread.submit(connections.close_all).result()


_writers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Writer]" = (
    weakref.WeakKeyDictionary()
)


def writer() -> Writer:
    """This event loop's answer writer (a daphne process runs one loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _writers:
        _writers[loop] = Writer()
    return _writers[loop]
