"""Projects domain: owns the ``projects`` table, which groups an organisation's materials
(``materials.project_id``) and experimental results. Tables only for now: its service and
API come with the projects-and-measurements issue. Declared to use ``materials`` and
``predictions``."""
