"""emrlint's built-in rule pack: one module per rule.

Each module's docstring is the rule's documentation, its constants (``ID``,
``NAME``, ``SEVERITY``, ``KIND``, ``PARAMS``) are its metadata and ``check()``
yields its problems.  Its fixtures live in ``fixtures/<ID>/`` at the top of the
repository.  See ``emrlint/rulekit.py`` for the API.
"""
