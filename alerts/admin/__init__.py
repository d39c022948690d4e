"""The snow alerts' back office (SPEC A-1…A-10), scoped to the manager's organisations."""

from alerts.admin import companies, contacts, contracts, runs  # noqa: F401  (registers them)
