"""The Ray engine of `posecheck batch`: one Ray task per input, on a local Ray
started for the batch or on an existing cluster (``address``: "auto", or
"ray://host:10001"). The only module that imports Ray, an optional extra
(``pip install 'posecheck-stretch[cluster]'``).

Ray keeps each worker process alive between tasks, so `score_task` loads the
model once per worker. A task whose worker or node is lost is run again by Ray,
at most `MAX_RETRIES` times; after that its input gets an error row (not
recorded, so the next run tries it again).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
from collections.abc import Iterator
from typing import Any

from posecheck.errors import PosecheckError
from posecheck.run.batch import Row, Task, error_row, score_task

MAX_RETRIES = 3
INSTALL_HINT = (
    "--engine ray needs Ray, which is not installed: "
    "pip install 'posecheck-stretch[cluster]' (or use --engine local)"
)


class ClusterError(PosecheckError):
    """Ray is missing, or the cluster cannot be reached or started: a set-up problem."""


def available() -> bool:
    return importlib.util.find_spec("ray") is not None


class RayEngine:
    def __init__(self, address: str | None, workers: int) -> None:
        if not available():
            raise ClusterError(INSTALL_HINT)
        import ray

        self._ray: Any = ray
        # Ray's start-up notices would stand between the command's own lines;
        # its errors still raise.
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        try:
            self._init(address, workers)
        except Exception as error:  # Ray raises ConnectionError, RuntimeError, ValueError ...
            raise ClusterError(
                f"cannot use {where} ({type(error).__name__}: {str(error).strip()[:200]}); "
                "check --address, or start the cluster with `ray start --head`"
            ) from None
        resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
        self.cores = int(resources.get("CPU", 1))

    def _init(self, address: str | None, workers: int) -> None:
        ray = self._ray
        with contextlib.redirect_stderr(io.StringIO()):
            if address:
                ray.init(address=address, log_to_driver=False, configure_logging=False)
            else:
                ray.init(
                    num_cpus=max(1, workers),
                    include_dashboard=False,
                    log_to_driver=False,
                    configure_logging=False,
                )

    def run(self, tasks: list[Task]) -> Iterator[Row]:
        ray = self._ray
        remote = ray.remote(num_cpus=1, max_retries=MAX_RETRIES)(score_task)
        pending: dict[Any, Task] = {remote.remote(task): task for task in tasks}
        try:
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    task = pending.pop(ref)
                    try:
                        yield ray.get(ref)
                    except ray.exceptions.RayError as error:
                        reason = type(error).__name__
                        yield error_row(
                            task,
                            f"{task.input}: lost on the cluster after retries ({reason}); "
                            "run again",
                        )
        finally:  # stopped early (Ctrl-C, an error): what has not run is not wanted
            for ref in pending:
                ray.cancel(ref)

    def close(self) -> None:
        self._ray.shutdown()
