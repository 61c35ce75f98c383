"""Security pieces every domain uses: password hashing and encryption of sensitive columns."""

from nexphys.domains import Domain

domain = Domain(name="security", cli=("nexphys.security.cli:keys_cli",))
