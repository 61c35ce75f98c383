"""The tenancy core: resolving, binding, provisioning and migrating tenants. It imports no domain."""

from nexphys.domains import Domain, PeriodicJob

domain = Domain(
    name="tenancy",
    models=("nexphys.tenancy.models",),
    jobs=(
        PeriodicJob("nexphys.tenancy.jobs.requeue_stuck_provisioning", "high", 300),
        PeriodicJob("nexphys.tenancy.jobs.refill_schema_pool", "low", 60),
    ),
)
