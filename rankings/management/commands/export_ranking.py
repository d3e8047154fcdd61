import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from dti_portal.tenancy.models import Province, UnitKind
from rankings.exporters import ranking_sheets, render_csv, render_xlsx, results_file
from rankings.publication import snapshot_of
from rankings.report import render_pdf
from rankings.selectors import ranking_table


class Command(BaseCommand):
    help = ("Xuất bảng xếp hạng của một năm: csv (mặc định, ra stdout: một bảng, cột kind cho loại đơn vị, "
            "nhập lại được bằng import_results), xlsx (như trang xếp hạng) hoặc pdf (bản xem trước báo cáo).")

    def add_arguments(self, parser):
        parser.add_argument("province")
        parser.add_argument("year", type=int)
        parser.add_argument("--kind", default="", help="mã loại đơn vị (mặc định: mọi loại có kết quả)")
        parser.add_argument("--format", choices=["csv", "xlsx", "pdf"], default="csv")
        parser.add_argument("-o", "--output", default="")

    def handle(self, *args, province, year, kind, format, output, **options):
        tenant = Province.objects.filter(slug=province).first()
        if tenant is None:
            raise CommandError(f"Không có tỉnh “{province}”.")
        with scope(province=tenant):
            kinds = UnitKind.objects.filter(province=tenant, **({"code": kind} if kind else {})).order_by("order", "pk")
            tables = [snapshot_of(t) for t in (ranking_table(tenant, year, k) for k in kinds) if t is not None]
        if not tables:
            raise CommandError(f"{tenant.name} chưa có kết quả năm {year}{' cho ' + kind if kind else ''}.")
        if format == "csv":
            content = render_csv(*results_file(tables))
        elif format == "xlsx":
            content = render_xlsx([sheet for t in tables
                                   for sheet in ranking_sheets(t, title=t["kind"], suffix=f" ({t['kind_code']})")])
        else:  # a preview of the report: not the published one (that is frozen at publication)
            meta = {"province": tenant.name, "agency": tenant.coordinating_agency, "year": year,
                    "decision_number": "(bản xem trước, chưa công bố)", "decision_date": "", "signer": ""}
            content = render_pdf({"meta": meta, "tables": tables, "appendix": []})
        if output:
            Path(output).write_bytes(content)
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
