"""What a run sets up on the Dask cluster it sends units to: its workers and its scheduler."""

from __future__ import annotations

import logging
from collections import deque

from distributed import profile
from distributed.diagnostics.plugin import SchedulerPlugin, WorkerPlugin

logger = logging.getLogger("jixiao")


class NoProfileHistory(WorkerPlugin):
    """Stops a worker's statistical profiler and drops the call trees it has kept.

    By default every Dask worker samples the stack of its running task every 10 ms
    (`Worker.trigger_profile`, `distributed.worker.profile.interval`) and, each second, moves the
    tree of sampled stacks into two histories of the last 1,000 seconds (`Worker.cycle_profile`
    into `profile_history` and `profile_keys_history`, deques of
    `distributed.admin.low-level-log-length` entries). A unit's stacks run deep through the
    Prefect engine, Great Expectations, pandas and matplotlib, so a busy second adds about a
    thousand tree nodes: a worker grew by about 1.5 MiB per unit until 1,000 busy seconds were
    kept (2,000 units: 1.2 → 3.1 GiB per worker), while a local process pool, which keeps no
    such trees, stayed flat. Only the dashboard's Profile page reads them.

    The callbacks are taken out of `periodic_callbacks`, not only stopped: a worker that joins
    later runs its plugins before `start_periodic_callbacks`, which would start them again.
    """

    name = "jixiao-no-profile-history"
    idempotent = True

    def setup(self, worker) -> None:
        for name in ("profile", "profile-cycle"):
            callback = worker.periodic_callbacks.pop(name, None)
            if callback is not None:
                callback.stop()
        worker.profile_history.clear()
        worker.profile_keys_history.clear()
        worker.profile_keys.clear()
        worker.profile_recent = profile.create()


def keep_no_profile_history(client) -> None:
    """On every worker of `client`'s cluster, now and joining later (the scheduler hands
    registered plugins to new workers)."""
    client.register_plugin(NoProfileHistory())


def keep_no_sent_messages(batched_send) -> None:
    """Stops a `distributed.batched.BatchedSend` from keeping the batches it has sent.

    Each BatchedSend appends every batch it writes (unless it was over 1 MB on the wire) to
    `recent_message_log`, a deque of the last `distributed.admin.low-level-log-length` (1,000)
    batches, for developers to look at. The scheduler's stream to a worker sends each unit's
    `compute-task` message, whose `run_spec` is the live task with its arguments: the unit's
    parsed sources, about 0.2 MB pickled and 1.5 MiB as Python objects. With about two batches
    per unit, the scheduler thus kept the sources of the last ~500 units it sent to each worker,
    long after their tasks were forgotten (200 units on two workers: 220 → 455 MiB; about
    0.75 GiB per worker at the cap). Likewise the client's stream to the
    scheduler keeps the pickled graph of each unit it submitted. A deque of length 0 keeps
    nothing; nothing but that debugging log reads it.
    """
    batched_send.recent_message_log = deque(maxlen=0)


class NoSentMessageLog(SchedulerPlugin):
    """The scheduler keeps no log of the messages it sent to its workers (see
    `keep_no_sent_messages`), for the workers connected now and those joining later."""

    name = "jixiao-no-sent-message-log"
    idempotent = True

    async def start(self, scheduler) -> None:
        for batched_send in scheduler.stream_comms.values():
            keep_no_sent_messages(batched_send)

    def add_worker(self, scheduler, worker: str) -> None:
        # Scheduler.add_worker creates the worker's stream before it calls its plugins.
        batched_send = scheduler.stream_comms.get(worker)
        if batched_send is not None:
            keep_no_sent_messages(batched_send)


def keep_no_sent_message_logs(client) -> None:
    """Neither `client` nor the scheduler of its cluster keeps the messages it sent."""
    if client.scheduler_comm is not None:
        keep_no_sent_messages(client.scheduler_comm)
    try:
        client.register_plugin(NoSentMessageLog())
    except Exception as error:  # noqa: BLE001 - a scheduler without jixiao installed cannot load the plugin
        # The run does not need it: the scheduler then keeps its last batches sent per worker
        # (bounded by distributed itself), which costs memory, not correctness.
        logger.warning("Dask 调度器未能加载 jixiao 的插件（%s: %s）：调度器会保留最近发给各 worker 的消息，"
                       "内存随单位数增长直至上限；请在调度器的环境中也安装 jixiao", type(error).__name__, error)
