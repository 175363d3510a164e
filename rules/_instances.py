"""EC2 instance families of generation 4 or older, and what to run instead (EMR112).

The table follows AWS's "Previous generation instances" page
(https://aws.amazon.com/ec2/previous-generation/) and the EC2 instance type
documentation, restricted to families that are generation 4 or older *and* have a
current generation (usually also a Graviton) family that does the same work for
less: M1-M4, T1-T2, A1, C1-C4 (CC1, CC2), CR1, R3-R4, X1/X1e, HI1, I2, HS1, D2,
CG1, G2-G3 and P2.

Families of generation 4 or older that AWS still lists as current generation and
that have no cheaper like-for-like successor are left out on purpose: I3/I3en
(still the common choice for NVMe-heavy HBase and shuffle), H1, Z1d, G4dn/G4ad,
P3/P3dn, F1 and Inf1.
"""

from __future__ import annotations

from typing import Any, Optional

# family -> the current generation families suggested instead (Graviton first)
PREVIOUS_GENERATION = {
    # general purpose
    "m1": "m7g (Graviton) or m6i",
    "m3": "m7g (Graviton) or m6i",
    "m4": "m7g (Graviton) or m6i",
    "a1": "m7g (Graviton) or m6i",
    "t1": "t4g (Graviton) or t3",
    "t2": "t4g (Graviton) or t3",
    # high-memory m2 became the r family
    "m2": "r7g (Graviton) or r6i",
    # compute optimized
    "c1": "c7g (Graviton) or c6i",
    "cc1": "c7g (Graviton) or c6i",
    "cc2": "c7g (Graviton) or c6i",
    "c3": "c7g (Graviton) or c6i",
    "c4": "c7g (Graviton) or c6i",
    # memory optimized
    "cr1": "r7g (Graviton) or r6i",
    "r3": "r7g (Graviton) or r6i",
    "r4": "r7g (Graviton) or r6i",
    "x1": "x2gd (Graviton) or x2idn",
    "x1e": "x2gd (Graviton) or x2iedn",
    # storage optimized
    "hi1": "i4g (Graviton) or i4i",
    "i2": "i4g (Graviton) or i4i",
    "hs1": "d3 or d3en",
    "d2": "d3 or d3en",
    # accelerated computing
    "cg1": "g5g (Graviton) or g5",
    "g2": "g5g (Graviton) or g5",
    "g3": "g5g (Graviton) or g5",
    "g3s": "g5g (Graviton) or g5",
    "p2": "g5 or p3",
}


def family(instance_type: Any) -> Optional[str]:
    """``"m4.xlarge"`` -> ``"m4"``; None for anything that is not a known instance type string."""
    if not isinstance(instance_type, str) or "." not in instance_type:
        return None
    return instance_type.strip().split(".", 1)[0].lower() or None


def replacement(instance_type: Any) -> Optional[str]:
    """The suggested current families when ``instance_type`` is of a previous generation, else None."""
    fam = family(instance_type)
    return PREVIOUS_GENERATION.get(fam) if fam else None
