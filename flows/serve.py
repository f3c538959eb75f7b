"""Serve the annual report: a yearly schedule and a rerun trigger on `jixiao.ledger.updated`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flows.domain.schedule import Schedule

TRIGGER_NAME = "jixiao-ledger-updated"
DEPLOYMENT_NAME = "annual-report"


def serve_annual_report(data_dir: Path, out_dir: Path, schedule: Schedule, ready: Callable[[], None] = lambda: None) -> None:
    """Register the deployment and its trigger, call `ready`, then block serving it; on exit
    delete its automations so no orphan trigger remains.

    `ready` runs only once the trigger exists: an event sent after "ready" is printed is never lost.
    """
    import asyncio

    from prefect.deployments.runner import EntrypointType
    from prefect.events import DeploymentEventTrigger
    from prefect.runner import Runner
    from prefect.schedules import Cron

    from flows.annual_report import annual_report

    trigger = DeploymentEventTrigger(
        name=TRIGGER_NAME,
        expect={schedule.event},
        match={"prefect.resource.id": "jixiao.ledger.*"},
        parameters={"year": "{{ event.payload.year }}", "units": "{{ event.payload.units }}",
                    "pdf": "{{ event.payload.pdf }}",
                    "data_dir": str(data_dir), "out_dir": str(out_dir), "await_review": True},
    )
    runner = Runner(name=DEPLOYMENT_NAME)
    try:
        runner.add_flow(
            annual_report,
            name=DEPLOYMENT_NAME,
            schedules=[Cron(schedule.cron, timezone=schedule.timezone)],
            triggers=[trigger],
            # New drafts wait in the UI for the reviewer's decision (config/review.yaml).
            parameters={"data_dir": str(data_dir), "out_dir": str(out_dir), "await_review": True},
            concurrency_limit=1,                  # one report run at a time
            entrypoint_type=EntrypointType.MODULE_PATH,
        )
        ready()
        asyncio.run(runner.start())
    finally:
        remove_automations()


def remove_automations() -> int:
    """Delete the automations the served deployment owns (Prefect leaves them behind otherwise)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(f"annual-report/{DEPLOYMENT_NAME}")
        owned = [a for a in client.read_automations() if a.name == TRIGGER_NAME]
        client.delete_resource_owned_automations(f"prefect.deployment.{deployment.id}")
        return len(owned)
