"""Extension instances only: no I/O and no app here (create_app wires them)."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from nexphys.db import public_metadata
from nexphys.tenancy.binding import TenantBoundSession

db = SQLAlchemy(metadata=public_metadata(), session_options={"class_": TenantBoundSession})
migrate = Migrate()
csrf = CSRFProtect()
