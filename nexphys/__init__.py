"""nexphys: a multi-tenant platform for gyms and studios."""

from nexphys.app import create_app

__all__ = ["create_app"]
__version__ = "0.1.0"
