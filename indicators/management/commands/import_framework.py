from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from dti_portal.tenancy.models import Province
from dti_portal.tenancy.selectors import find_units_by_name
from indicators.services import framework_import


class Command(BaseCommand):
    help = "Nhập một bộ chỉ số từ tệp .xlsx hoặc .csv (tất cả hoặc không gì cả). Mã thoát khác 0 khi bị từ chối."

    def add_arguments(self, parser):
        parser.add_argument("province", help="mã tỉnh, ví dụ daklak")
        parser.add_argument("file", help="tệp .xlsx hoặc .csv")
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không lưu")
        parser.add_argument("--name", default="")
        parser.add_argument("--year", default="")
        parser.add_argument("--kind", default="", help="mã loại đơn vị áp dụng (so, huyen, xa, tinh...)")
        parser.add_argument("--decision", default="", help="số quyết định")
        parser.add_argument("--decision-date", default="", help="dd/mm/yyyy")
        parser.add_argument("--issuer", default="")
        parser.add_argument("--bands", default="", help="Tốt:800|Khá:650|Trung bình:500|Yếu:0")
        parser.add_argument("--non-reporting", default="", choices=["", "last", "unranked"],
                            help="đơn vị không báo cáo: last = xếp sau các đơn vị có báo cáo (mặc định), unranked = không xếp hạng")
        parser.add_argument("--result-unit", default="", help="ghi cột điểm đạt được làm kết quả của đơn vị này")

    def handle(self, *args, **options):
        province = Province.objects.filter(slug=options["province"]).first()
        if province is None:
            raise CommandError(f"Không có tỉnh “{options['province']}”.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}.")
        meta = {
            "name": options["name"], "year": options["year"], "unit_kind": options["kind"],
            "decision_number": options["decision"], "decision_date": options["decision_date"],
            "issuer": options["issuer"], "bands": options["bands"], "non_reporting": options["non_reporting"],
        }
        with scope(province=province):
            unit = None
            if options["result_unit"]:
                units = find_units_by_name(province, options["result_unit"])
                if len(units) != 1:
                    raise CommandError(f"Không xác định được đơn vị “{options['result_unit']}”.")
                unit = units[0]
            report = framework_import(
                actor=None, province=province, filename=path.name, content=path.read_bytes(), meta=meta,
                dry_run=options["dry_run"], result_unit=unit,
            )
        for note in report.notes:
            self.stdout.write(f"Lưu ý: {note}")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"Từ chối nhập {path.name}: {len(report.problems)} lỗi, không có gì được lưu.")
        if report.dry_run:
            self.stdout.write(self.style.SUCCESS(f"Tệp hợp lệ: {len(report.rows)} chỉ tiêu (chạy thử, chưa lưu)."))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Đã nhập “{report.framework.name}” (mã {report.framework.pk}): {len(report.rows)} chỉ tiêu."
            ))
