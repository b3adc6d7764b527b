"""Model registry: an organisation's model versions (candidate / active / retired), the
shipped models as read-only versions, promotion and one-call rollback."""
