"""What ACME's network policies share."""

from emrlint.rulekit import is_unknown


def subnets_outside(value, allowed):
    """The subnets of ``value`` (a list, or one subnet) that are certainly not in ``allowed``,
    and whether some could not be evaluated."""
    items = value if isinstance(value, list) else [value]
    outside = [s for s in items if isinstance(s, str) and s not in allowed]
    unknown = any(is_unknown(s) or not isinstance(s, str) for s in items)
    return outside, unknown
