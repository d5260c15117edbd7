"""The local engine of `posecheck batch`: a pool of processes on this machine.

Each worker process keeps one pose estimator for all the inputs it scores
(`score_task`) and dies with the batch process, however that ends (the same
set-up as the chunk workers, `chunks.init_worker`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from posecheck.io import chunks
from posecheck.run.batch import Row, Task, error_row, score_task


class LocalEngine:
    def __init__(self, workers: int) -> None:
        self.cores = max(1, workers)

    def run(self, tasks: list[Task]) -> Iterator[Row]:
        if not tasks:
            return
        pool = ProcessPoolExecutor(
            max_workers=min(self.cores, len(tasks)),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=chunks.init_worker,
            initargs=(os.getpid(),),
        )
        finished = False
        try:
            futures: dict[Future[Row], Task] = {pool.submit(score_task, t): t for t in tasks}
            for future in as_completed(futures):
                task = futures[future]
                try:
                    yield future.result()
                except BrokenProcessPool:
                    # A worker died (out of memory, killed): not recorded, so a re-run retries it.
                    yield error_row(task, f"{task.input}: the worker process died; run again")
            finished = True
        finally:
            if finished:
                pool.shutdown(wait=True)
            else:  # Ctrl-C, SIGTERM or an error: end the workers now
                chunks.stop_pool(pool)
