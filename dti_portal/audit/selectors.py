"""Reading the province's audit log: newest first, filtered by area, person, period and days."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Entry

# The areas of the log page's filter: code → (label, the action prefixes it covers).
AREAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "tinh": ("Tỉnh và đơn vị", ("province.", "unit_kind.", "unit.", "units.")),
    "nguoi": ("Người dùng và vai trò", ("membership.", "invitation.")),
    "bo-chi-so": ("Bộ chỉ số", ("framework.", "indicator.")),
    "ky": ("Kỳ đánh giá và phân công", ("period.", "assignment.")),
    "danh-gia": ("Tự đánh giá và thẩm định", ("assessment.", "answer.", "answers.", "evidence.")),
    "cong-bo": ("Nhập kết quả và công bố", ("results.", "publication.")),
    "dti-tinh": ("DTI cấp tỉnh và kế hoạch nâng cao", ("national.", "plan.", "task.", "targets.", "report.")),
}


def province_log(province, *, area: str = "", actor=None, period=None, since: date | None = None,
                 until: date | None = None) -> QuerySet:
    """The province's entries, newest first (by id: the order they were written), with their actor and
    indicator. Pages are read by id (`log_page`), never by OFFSET, so the 500th page costs the first's.
    A tenant that received merged provinces reads their entries too: their log is part of its history."""
    ids = province.lineage_ids
    entries = Entry.objects.filter(province_id__in=ids) if len(ids) > 1 else Entry.objects.filter(province=province)
    if area:
        match = Q()
        for prefix in AREAS[area][1]:
            match |= Q(action__startswith=prefix)
        entries = entries.filter(match)
    if actor is not None:
        entries = entries.filter(actor=actor)
    if period is not None:
        entries = entries.filter(period=period)
    if since:
        entries = entries.filter(created_at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    if until:
        entries = entries.filter(created_at__lt=timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min)))
    return entries.select_related("actor", "indicator").order_by("-pk")


def newest(entries: QuerySet, province_ids: list[int], limit: int, *, oldest_first: bool = False) -> list:
    """The first `limit` of `entries` by id (newest first, or oldest first), read per province: each is a
    range of the (province, id) index, so a tenant holding merged provinces reads as fast as one that does
    not (one query per province), where one `province IN (…) ORDER BY id` would sort every entry first."""
    order = "pk" if oldest_first else "-pk"
    if len(province_ids) == 1:
        return list(entries.order_by(order)[:limit])
    rows = [row for pk in province_ids for row in entries.filter(province_id=pk).order_by(order)[:limit]]
    rows.sort(key=lambda row: row.pk, reverse=not oldest_first)
    return rows[:limit]


def log_page(entries: QuerySet, *, province_ids: list[int], older_than: int | None = None,
             newer_than: int | None = None, size: int = 100) -> tuple[list, bool, bool]:
    """One page of `entries` (newest first) after a cursor: (rows, has newer, has older). One query per
    province of the tenant, plus one to know whether newer entries exist when reading towards the newest."""
    if newer_than is not None:
        rows = newest(entries.filter(pk__gt=newer_than), province_ids, size + 1, oldest_first=True)
        has_newer = len(rows) > size
        rows = rows[:size][::-1]
        return rows, has_newer, True
    if older_than is not None:
        entries = entries.filter(pk__lt=older_than)
    rows = newest(entries, province_ids, size + 1)
    return rows[:size], older_than is not None, len(rows) > size
