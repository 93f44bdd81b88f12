# gilsim's concurrent.futures.process: a placeholder until gilsim has a process mode.
# A process pool will reuse _base (Future, wait, as_completed, Executor.map) as the thread pool
# does; only the executor itself is missing.
from concurrent.futures import _base


class BrokenProcessPool(_base.BrokenExecutor):
    """
    Raised when a process in a ProcessPoolExecutor terminated abruptly
    while a future was in the running state.
    """


class ProcessPoolExecutor(_base.Executor):
    def __init__(
        self,
        max_workers=None,
        mp_context=None,
        initializer=None,
        initargs=(),
        *,
        max_tasks_per_child=None,
    ):
        raise NotImplementedError("ProcessPoolExecutor: process mode is not implemented yet")
