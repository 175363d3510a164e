"""Which rates price a resource: the region, and the price table (with a user's price file).

The region of a resource is, in this order: the config's ``region`` or ``--region`` (the
command line wins over the config), a ``provider "aws"`` block's ``region`` in the
Terraform root module the resource belongs to (the default provider, or the aliased one the
resource names with ``provider = aws.NAME``), else us-east-1, which the figure then says.
A region given in the config or on the command line that the price table does not have is
a usage error listing the table's regions; a provider's region the table lacks makes the
resource's figures unknown, with the same list.

Rates come from :mod:`emrlint.data` only (``prices(region, user)``), never from here.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from emrlint.discovery import UsageError
from emrlint.record import dataclass

DEFAULT_REGION = "us-east-1"
HOURS_PER_MONTH = 730


@dataclass
class PriceSettings:
    """What the config and the command line say about prices (plain data: it travels to
    worker processes and into cache keys)."""

    region: Optional[str] = None  # config ``region`` / ``--region``, checked against the table
    region_source: str = ""  # where it was set: "--region", ".emrlint.yaml"
    price_file: Any = None  # a loaded emrlint.data.userprices.PriceFile, or None

    def key(self) -> Dict[str, Any]:
        """What results depend on, for cache keys."""
        user = self.price_file
        return {"region": self.region,
                "prices": None if user is None else {"path": user.path, "mode": user.mode, "date": user.date,
                                                     "discounts": user.discounts, "regions": user.regions}}


def checked_region(region: str, source: str, user: Any = None) -> str:
    """A region from the config or the command line, normalised; a :class:`UsageError`
    listing the price table's regions when the table (with ``user``'s file) has no rates there."""
    from emrlint.data import price_regions

    key = region.strip().lower() if isinstance(region, str) else ""
    regions = price_regions(user)
    if key not in regions:
        raise UsageError(f"{source}: region {region!r} is not in the price table; its regions are "
                         f"{', '.join(regions)} (add rates for another region with a price file: prices: FILE)")
    return key


class Pricing:
    """Rates for the resources of one model."""

    def __init__(self, settings: Optional[PriceSettings] = None, model: Any = None):
        self.settings = settings or PriceSettings()
        self.model = model
        self._rates: Dict[str, Any] = {}

    @property
    def user(self) -> Any:
        return self.settings.price_file

    def region_for(self, res: Any) -> Tuple[str, str, bool]:
        """(region, how it was chosen, whether it was chosen at all rather than defaulted)."""
        s = self.settings
        if s.region:
            return s.region, f"region {s.region} ({s.region_source})", True
        regions = getattr(self.model, "provider_regions", None) or {}
        found = regions.get(getattr(res, "root", ""))
        if found:
            alias = _provider_alias(res)
            entry = found.get(alias) or (found.get("") if alias is None else None)
            if entry is not None:
                region, where = entry
                return region, f"region {region} (the provider block at {where})", True
        return DEFAULT_REGION, (f"region {DEFAULT_REGION}, emrlint's default: no region is set (config region, "
                                "--region, or a provider block)"), False

    def rates(self, region: str) -> Any:
        """The rates in effect in a region (None when no rate of that region is known)."""
        if region not in self._rates:
            from emrlint.data import prices

            self._rates[region] = prices(region, self.user)
        return self._rates[region]

    def describe(self, rates: Any) -> str:
        """Where the rates come from, for reports: the shipped table and its date, or the
        user's price file (with its date and source) over it or instead of it."""
        if rates is None:
            return "no rates for this region"
        user = self.user
        shipped = f"emrlint's price table of {rates.date}"
        if user is None:
            return shipped
        from emrlint.report import relpath

        own = f"{relpath(user.path)}" + (f" of {user.date}" if user.date else "") + (
            f" ({user.source})" if user.source else "")
        return f"rates from {own}" if user.mode == "replace" else f"{shipped}, with rates from {own}"

    def regions(self) -> Tuple[str, ...]:
        from emrlint.data import price_regions

        return price_regions(self.user)


def _provider_alias(res: Any) -> Optional[str]:
    """The provider alias a Terraform resource names (``provider = aws.west``): "west"; None
    when it names none (the default provider)."""
    try:
        f = res.body.field("provider")
    except Exception:  # a section that cannot answer: the default provider
        return None
    if not f.present:
        return None
    from emrlint.values import refs_of

    for ref in sorted(refs_of(f.value)):
        if ref.startswith("aws."):
            return ref.split(".", 1)[1]
    value = f.value
    if isinstance(value, str) and value.startswith("aws."):
        return value.split(".", 1)[1]
    return ""
