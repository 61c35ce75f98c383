"""The sample domain's periodic job."""

from nexphys.jobs.wrapper import tenant_job


@tenant_job(platform=True)
def remind_all() -> int:
    return 0
