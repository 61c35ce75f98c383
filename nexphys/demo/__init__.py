"""Demo studios for development (`flask demo seed`, run by `make run`): never in production."""

from nexphys.domains import Domain

domain = Domain(name="demo", cli=("nexphys.demo.cli:demo_cli",))
