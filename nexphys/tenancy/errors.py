"""Tenant-resolution answers, as HTTP exceptions the error handlers render as HTML or problem+json."""

from werkzeug.exceptions import Forbidden, NotFound, ServiceUnavailable


class TenantNotFound(NotFound):
    problem_type = "tenant-not-found"
    description = "No studio is served at this address."


class TenantSuspended(Forbidden):
    problem_type = "tenant-suspended"
    description = "This studio's account is suspended. Please contact the studio."


class TenantProvisioning(ServiceUnavailable):
    problem_type = "tenant-provisioning"
    description = "This studio is being set up. Please try again in a few seconds."

    def __init__(self) -> None:
        super().__init__(retry_after=5)


class TenantUnavailable(ServiceUnavailable):
    problem_type = "tenant-unavailable"
    description = "This studio is temporarily unavailable."


class WrongHost(NotFound):
    """A platform page asked for on a studio host, or a studio page on the platform host."""

    problem_type = "not-found"
