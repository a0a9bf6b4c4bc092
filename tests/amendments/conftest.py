"""Amendment tests use the lifecycle's test certificates."""

from lifecycle.conftest import certs  # noqa: F401  (a session fixture, shared)
