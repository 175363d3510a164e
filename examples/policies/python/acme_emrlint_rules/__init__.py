"""ACME's EMR platform policies as emrlint rules: one module per rule (``acme005_...``),
helpers in modules whose names start with ``_``."""
