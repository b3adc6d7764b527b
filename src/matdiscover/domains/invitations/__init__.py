"""Invitations domain: owns invitations to join an organisation (``invitations``), created
by administrators and accepted by the invitee with a one-time token. Uses
``organizations`` (members), ``auth`` (logging the new member in) and ``audit``."""
