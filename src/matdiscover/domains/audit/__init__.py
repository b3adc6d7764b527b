"""Audit domain: owns the append-only audit log (``audit_log``) of every write request
and authentication event, recorded by the other domains and the API and listed to
administrators (``GET /audit``). Uses no other domain."""
