"""Organizations domain: owns the tenancy root, organisations, users and memberships
(``organizations``, ``users``, ``org_memberships``), and the local mode's implicit
organisation and user. Uses no other domain."""
