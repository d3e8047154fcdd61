import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from dti_portal.tenancy.models import Province, UnitKind
from rankings.exporters import ranking_rows, render_csv, render_xlsx
from rankings.selectors import ranking_table


class Command(BaseCommand):
    help = "Xuất bảng xếp hạng của một năm: csv (mặc định, ra stdout) hoặc xlsx."

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
        if format == "pdf":
            raise CommandError("Bản PDF chưa có: sẽ có cùng với chức năng công bố báo cáo.")
        with scope(province=tenant):
            kinds = UnitKind.objects.filter(province=tenant, **({"code": kind} if kind else {}))
            tables = [t for t in (ranking_table(tenant, year, k) for k in kinds) if t is not None]
            if not tables:
                raise CommandError(f"{tenant.name} chưa có kết quả năm {year}{' cho ' + kind if kind else ''}.")
            sheets = [(t.kind.name, *ranking_rows(t)) for t in tables]
        if format == "csv":
            content = b"".join(render_csv(header, rows) for _, header, rows in sheets)
        else:
            content = render_xlsx(sheets)
        if output:
            Path(output).write_bytes(content)
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
