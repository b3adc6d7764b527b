"""Projects domain: an organisation's projects, the materials they track (uploads and
known compounds) with status, tags and notes, the project table (predictions beside
measurements), parity data, versioned recalibrations and CSV export. Uses
``materials``, ``predictions``, ``compounds``, ``experiments`` and ``audit``."""
