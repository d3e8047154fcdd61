"""The province's audit log page (admin and leadership): who did what, when, from what to what."""

import csv

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render

from assessments.history import entry_rows
from assessments.models import Period
from dti_portal.accounts.access import province_view
from dti_portal.accounts.models import Role
from dti_portal.exports import csv_cell

from .forms import LogFilterForm
from .selectors import province_log

PAGE_SIZE = 100
CSV_HEADER = ["Thời gian", "Người thực hiện", "Việc", "Đối tượng", "Chỉ tiêu", "Thay đổi", "Lý do / ghi chú"]


@province_view(Role.PROVINCE_ADMIN, Role.LEADERSHIP)
def province_log_page(request):
    form = LogFilterForm(request.GET, province=request.province, periods=Period.objects.all())
    entries = province_log(request.province, **form.filters())
    if request.GET.get("tai-ve") == "csv":
        return _csv(entries, request.province.slug)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    return render(request, "audit/log.html", {
        "form": form, "page": page, "rows": entry_rows(page.object_list), "query": query.urlencode()})


def _csv(entries, slug: str) -> StreamingHttpResponse:
    """Every filtered entry, read and written a thousand at a time (a province's year is ~10⁵ entries)."""

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff" + writer.writerow(CSV_HEADER)
        chunk = []
        for entry in entries.iterator(chunk_size=1000):
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
