"""Background work: RQ queues, the tenant-aware job wrapper, the worker and the scheduler."""

from nexphys.domains import Domain

domain = Domain(
    name="jobs",
    cli=("nexphys.jobs.cli:worker_command", "nexphys.jobs.cli:scheduler_command"),
)
