"""emrlint: a config linter and policy checker for Amazon EMR."""

__version__ = "0.3.1"
