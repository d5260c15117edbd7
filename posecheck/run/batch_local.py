"""The local engine of `posecheck batch`: a pool of processes on this machine.

Each worker process keeps one pose estimator for all the inputs it scores
(`score_task`) and dies with the batch process, however that ends (the same
set-up as the chunk workers, `chunks.init_worker`). A worker that dies (out of
memory, killed) breaks the whole pool: the inputs not finished then are given
to a new pool, at most `MAX_RESTARTS` times, as Ray retries a lost task; after
that they get error rows, not recorded, so the next run tries them again.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from posecheck.io import chunks
from posecheck.run.batch import Row, Task, error_row, score_task

MAX_RESTARTS = 3


class LocalEngine:
    def __init__(self, workers: int) -> None:
        self.cores = max(1, workers)

    def run(self, tasks: list[Task]) -> Iterator[Row]:
        left = list(tasks)
        for _ in range(MAX_RESTARTS + 1):
            if not left:
                return
            left = yield from self._pool(left)
        for task in left:
            yield error_row(task, f"{task.input}: the worker process scoring it died; run again")

    def _pool(self, tasks: list[Task]) -> Generator[Row, None, list[Task]]:
        """Each task's row from one pool; the tasks left when a worker died are returned."""
        pool = ProcessPoolExecutor(
            max_workers=min(self.cores, len(tasks)),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=chunks.init_worker,
            initargs=(os.getpid(),),
        )
        finished = False
        left: list[Task] = []
        try:
            futures: dict[Future[Row], Task] = {pool.submit(score_task, t): t for t in tasks}
            for future in as_completed(futures):
                try:
                    row = future.result()
                except BrokenProcessPool:
                    left.append(futures[future])
                    continue
                yield row
            finished = True
        finally:
            if finished:
                pool.shutdown(wait=True)
            else:  # Ctrl-C, SIGTERM or an error: end the workers now
                chunks.stop_pool(pool)
        return left
