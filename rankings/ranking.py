"""Ranking arithmetic: pure functions over plain rows (no ORM), all in Decimal.

Ties share a rank (1, 2, 2, 4) and are listed in Vietnamese alphabetical order; units that did
not report are shown as "-", left out of averages and ranked after every unit that did (or not
ranked at all: the framework's `non_reporting` setting).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dti_portal.tenancy.names import vn_sort_key

ZERO = Decimal(0)


@dataclass
class Row:
    unit: str
    total: Decimal | None  # None: did not report
    parts: dict[str, Decimal | None] = field(default_factory=dict)
    index: Decimal | None = None
    band: str = ""
    rank: int | None = None
    change: Decimal | None = None
    notes: list[str] = field(default_factory=list)
    unit_id: int | None = None  # which unit, when names could repeat

    @property
    def reported(self) -> bool:
        """A unit reported when it has a total, or an index where only indexes were published."""
        return self.total is not None or self.index is not None


def rank(rows: list[Row], *, key=lambda row: row.total, rank_non_reporting: bool = True) -> list[Row]:
    """Sort best first and number them; equal values share a rank, the next rank skips (1, 2, 2, 4).

    Rows without a value come last, ranked one after the last unit that has one, or left unranked
    (rank None) when `rank_non_reporting` is False. Within a tie, and among those without a value,
    units are in Vietnamese alphabetical order (which changes no rank).
    """
    reported = sorted((r for r in rows if key(r) is not None), key=lambda r: (-key(r), vn_sort_key(r.unit)))
    missing = sorted((r for r in rows if key(r) is None), key=lambda r: vn_sort_key(r.unit))
    previous, previous_rank = None, 0
    for position, row in enumerate(reported, start=1):
        value = key(row)
        row.rank = previous_rank if value == previous else position
        previous, previous_rank = value, row.rank
    for row in missing:
        row.rank = len(reported) + 1 if rank_non_reporting else None
    return reported + missing


def band_for(value: Decimal | None, bands: list[tuple[str, Decimal]]) -> str:
    """The label of the highest band whose lower bound `value` reaches ("" when none)."""
    if value is None:
        return ""
    for label, lower in sorted(bands, key=lambda b: b[1], reverse=True):
        if value >= lower:
            return label
    return ""


def average(values) -> Decimal | None:
    """The mean over values that exist (non-reporting units are left out)."""
    present = [v for v in values if v is not None]
    return sum(present, ZERO) / len(present) if present else None


def rounded(value: Decimal | None, places: int = 2) -> Decimal | None:
    return None if value is None else value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def index_of(total: Decimal | None, maximum: Decimal | None) -> Decimal | None:
    if total is None or not maximum:
        return None
    return total / maximum


def sum_parts(parts: dict[str, Decimal | None], names) -> Decimal | None:
    """The sum of the named parts, None if any of them is missing."""
    values = [parts.get(name) for name in names]
    return None if any(v is None for v in values) else sum(values, ZERO)


def changes(rows: list[Row], previous: dict[str, Decimal]) -> None:
    """Fill each row's change against last year's total of the same unit (by unit key)."""
    for row in rows:
        before = previous.get(row.unit)
        row.change = None if row.total is None or before is None else row.total - before
