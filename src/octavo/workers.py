"""Work spread over forked worker processes, for the stages that do the same thing many times."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor


def fork_map(function: Callable, *arguments: Sequence, jobs: int) -> list:
    """``function`` over the zipped ``arguments``, in up to ``jobs`` forked processes (here, when
    ``jobs`` is 1 or there is one call); results in order, and the exception of the first call in
    order that raised one."""
    calls = len(arguments[0]) if arguments else 0
    workers = min(jobs, calls)
    if workers <= 1:
        return list(map(function, *arguments))
    # Fork: the workers inherit the loaded modules and fonts instead of importing them again.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(function, *arguments, chunksize=max(1, calls // (4 * workers))))
