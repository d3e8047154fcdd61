"""The province's audit log page (admin and leadership): who did what, when, from what to what."""

import csv

from django.http import StreamingHttpResponse
from django.shortcuts import render

from assessments.history import entry_rows
from assessments.models import Period
from dti_portal.accounts.access import province_view
from dti_portal.accounts.models import Role
from dti_portal.exports import csv_cell
from indicators.display import url_maker

from .forms import LogFilterForm
from .selectors import log_page, province_log

PAGE_SIZE = 100
CSV_LIMIT = 5000
CSV_HEADER = ["Thời gian", "Người thực hiện", "Việc", "Đối tượng", "Chỉ tiêu", "Thay đổi", "Lý do / ghi chú"]


@province_view(Role.PROVINCE_ADMIN, Role.LEADERSHIP)
def province_log_page(request):
    form = LogFilterForm(request.GET, province=request.province, periods=Period.objects.all())
    entries = province_log(request.province, **form.filters())
    if request.GET.get("tai-ve") == "csv":
        older_than = _cursor(request.GET.get("truoc"))
        return _csv(entries.filter(pk__lt=older_than) if older_than else entries, request.province.slug)
    entries_page, has_newer, has_older = log_page(entries, older_than=_cursor(request.GET.get("truoc")),
                                                  newer_than=_cursor(request.GET.get("sau")), size=PAGE_SIZE)
    query = request.GET.copy()
    for key in ("truoc", "sau"):
        query.pop(key, None)
    rows = entry_rows(entries_page)
    history = url_maker("assessments:history", {"province": request.province.slug}, "assessment_id")
    for row in rows:
        row["url"] = history(row["assessment_id"]) if row["assessment_id"] else ""
    return render(request, "audit/log.html", {
        "form": form, "rows": rows, "query": query.urlencode(), "page_size": PAGE_SIZE, "csv_limit": f"{CSV_LIMIT:,}".replace(",", "."),
        "csv_before": entries_page[0].pk + 1 if entries_page else "",
        "newer": entries_page[0].pk if has_newer and entries_page else None,
        "older": entries_page[-1].pk if has_older and entries_page else None})


def _cursor(value) -> int | None:
    """A page cursor of the URL (an entry id); anything else is the newest page."""
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _csv(entries, slug: str) -> StreamingHttpResponse:
    """The newest CSV_LIMIT filtered entries from the page's position on, read and written a thousand
    at a time: about half a second. A province's year is ~10⁵ entries (8 s): older parts are
    downloaded from an older page or a narrower filter, as the page says."""

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff" + writer.writerow(CSV_HEADER)
        chunk = []
        for entry in entries[:CSV_LIMIT].iterator(chunk_size=1000):
            chunk.append(entry)
            if len(chunk) == 1000:
                yield from _csv_lines(writer, chunk)
                chunk = []
        yield from _csv_lines(writer, chunk)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-{slug}.csv"'
    return response


def _csv_lines(writer, entries):
    for row in entry_rows(entries):
        yield writer.writerow([csv_cell(v) for v in (row["at"], row["actor"], row["label"], row["target"], row["code"],
                                                      "\n".join(row["changes"]), row["reason"])])
