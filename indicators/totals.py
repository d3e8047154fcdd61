"""Totals up the tree: pure arithmetic, shared by the data-entry page, appraisal and rankings."""

from decimal import Decimal

from django.utils.text import slugify

ZERO = Decimal(0)


def roll_up(parent_of: dict[str, str], leaf_points: dict[str, Decimal | None]) -> dict[str, Decimal]:
    """Every node's total: a leaf its own points (None counts as 0), a parent the sum of its children.

    `parent_of` maps each code to its parent's code ("" for a top-level node). Totals are
    computed, never typed: a published parent figure is compared with this, not used.
    """
    totals: dict[str, Decimal] = {code: ZERO for code in parent_of}
    for code, points in leaf_points.items():
        if points is None:
            continue
        node = code
        while node:
            totals[node] = totals.get(node, ZERO) + points
            node = parent_of.get(node, "")
    return totals


def grand_total(parent_of: dict[str, str], totals: dict[str, Decimal]) -> Decimal:
    return sum((totals[code] for code, parent in parent_of.items() if not parent), ZERO)


def part_key(name: str) -> str:
    """ "Nhận thức số" → "nhan_thuc_so": how stored totals and result files name a pillar or aggregate."""
    return slugify(name.replace("Đ", "D").replace("đ", "d")).replace("-", "_")
