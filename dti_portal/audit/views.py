"""The province's audit log page (admin and leadership): who did what, when, from what to what."""

import csv

from django.http import StreamingHttpResponse
from django.shortcuts import render

from assessments.history import entry_rows
from assessments.models import Period
from dti_portal.accounts.access import province_view
from dti_portal.accounts.models import Role
from dti_portal.exports import csv_cell
from dti_portal.tenancy.selectors import former_province_short, lineage_provinces
from indicators.display import url_maker

from .forms import LogFilterForm
from .selectors import log_page, newest, province_log

PAGE_SIZE = 100
CSV_LIMIT = 5000
CSV_HEADER = ["Thời gian", "Người thực hiện", "Việc", "Đối tượng", "Chỉ tiêu", "Thay đổi", "Lý do / ghi chú"]


def _province_names(province) -> dict[int, str]:
    """Province id → the label of its entries: "" when the tenant received no merged province (no column,
    no query), else its name, "Tỉnh Đắk Nông (cũ)" for a merged one."""
    provinces = lineage_provinces(province)
    if len(provinces) == 1:
        return {}
    return {pk: p.name if pk == province.pk else former_province_short(p) for pk, p in provinces.items()}


@province_view(Role.PROVINCE_ADMIN, Role.LEADERSHIP)
def province_log_page(request):
    names = _province_names(request.province)

    def period_label(period) -> str:
        return f"{period.name} — {names[period.province_id]}" if period.province_id != request.province.pk else period.name

    # the scope holds the tenant's provinces: the periods of the merged ones too
    form = LogFilterForm(request.GET, province=request.province, periods=Period.objects.all(),
                         period_label=period_label if names else None)
    entries = province_log(request.province, **form.filters())
    if request.GET.get("tai-ve") == "csv":
        older_than = _cursor(request.GET.get("truoc"))
        rows = newest(entries.filter(pk__lt=older_than) if older_than else entries, request.province.lineage_ids, CSV_LIMIT)
        return _csv(rows, request.province.slug, names)
    entries_page, has_newer, has_older = log_page(entries, province_ids=request.province.lineage_ids,
                                                  older_than=_cursor(request.GET.get("truoc")),
                                                  newer_than=_cursor(request.GET.get("sau")), size=PAGE_SIZE)
    query = request.GET.copy()
    for key in ("truoc", "sau"):
        query.pop(key, None)
    rows = entry_rows(entries_page)
    history = url_maker("assessments:history", {"province": request.province.slug}, "assessment_id")
    for row, entry in zip(rows, entries_page, strict=True):
        row["url"] = history(row["assessment_id"]) if row["assessment_id"] else ""
        row["province"] = names.get(entry.province_id, "")
    return render(request, "audit/log.html", {
        "form": form, "rows": rows, "with_province": bool(names), "merged": request.province.predecessors, "query": query.urlencode(), "page_size": PAGE_SIZE, "csv_limit": f"{CSV_LIMIT:,}".replace(",", "."),
        "csv_before": entries_page[0].pk + 1 if entries_page else "",
        "newer": entries_page[0].pk if has_newer and entries_page else None,
        "older": entries_page[-1].pk if has_older and entries_page else None})


def _cursor(value) -> int | None:
    """A page cursor of the URL (an entry id); anything else is the newest page."""
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _csv(entries: list, slug: str, names: dict[int, str]) -> StreamingHttpResponse:
    """The newest CSV_LIMIT filtered entries from the page's position on (read by `newest`), written a
    thousand at a time: about half a second. A province's year is ~10⁵ entries (8 s): older parts are
    downloaded from an older page or a narrower filter, as the page says."""

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff" + writer.writerow((["Tỉnh"] if names else []) + CSV_HEADER)
        for start in range(0, len(entries), 1000):
            yield from _csv_lines(writer, entries[start:start + 1000], names)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-{slug}.csv"'
    return response


def _csv_lines(writer, entries, names: dict[int, str]):
    """The CSV rows of `entries`; with `names` (a tenant that received merged provinces) each entry's province first."""
    for row, entry in zip(entry_rows(entries), entries, strict=True):
        province = [names[entry.province_id]] if names else []
        yield writer.writerow([csv_cell(v) for v in (*province, row["at"], row["actor"], row["label"], row["target"],
                                                      row["code"], "\n".join(row["changes"]), row["reason"])])
