"""Background work: the job outbox, RQ queues, the tenant-aware job wrapper, the worker and the scheduler."""

from nexphys.domains import Domain

domain = Domain(
    name="jobs",
    models=("nexphys.jobs.models",),
    cli=("nexphys.jobs.cli:worker_command", "nexphys.jobs.cli:scheduler_command", "nexphys.jobs.cli:outbox_cli"),
)
