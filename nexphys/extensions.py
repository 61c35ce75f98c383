"""Extension instances only: no I/O, no app, nothing of nexphys but the public metadata (create_app wires them)."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from nexphys.db import public_metadata

# Each transaction of db.session is bound to the tenant bound when it begins (nexphys.tenancy.binding).
db = SQLAlchemy(metadata=public_metadata())
migrate = Migrate()
csrf = CSRFProtect()
# No default limits: each sign-in route states its own (per account and per IP).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()
# "basic", not "strong": Flask-Login's client identifier hashes the client-sent X-Forwarded-For and
# User-Agent, so "strong" signed members out whenever their phone changed network, while a thief could
# forge both. Sessions are bounded instead by their studio, the person's session version (sign out
# everywhere, password and role changes) and the studio's idle and absolute lifetimes (nexphys.auth.sessions).
login_manager.session_protection = "basic"
