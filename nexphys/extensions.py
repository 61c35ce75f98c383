"""Extension instances only: no I/O and no app here (create_app wires them)."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from nexphys.db import public_metadata
from nexphys.tenancy.binding import TenantBoundSession

db = SQLAlchemy(metadata=public_metadata(), session_options={"class_": TenantBoundSession})
migrate = Migrate()
csrf = CSRFProtect()
# No default limits: each sign-in route states its own (per account and per IP).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
