"""What a run sets up on the Dask workers it sends units to."""

from __future__ import annotations

from distributed import profile
from distributed.diagnostics.plugin import WorkerPlugin


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
