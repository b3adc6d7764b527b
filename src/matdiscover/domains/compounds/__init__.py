"""Known compounds: one row per reduced formula gathering every shipped reference entry
(values per property and source, polymorphs, structures, citable ids)."""
