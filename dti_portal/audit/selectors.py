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
}


def province_log(province, *, area: str = "", actor=None, period=None, since: date | None = None,
                 until: date | None = None) -> QuerySet:
    """The province's entries, newest first, with their actor and indicator (one query a page)."""
    entries = Entry.objects.filter(province=province)
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
    return entries.select_related("actor", "indicator").order_by("-created_at", "-pk")
