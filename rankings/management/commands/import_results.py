from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from dti_portal.tenancy.models import Province
from rankings.results import results_import


class Command(BaseCommand):
    help = "Nhập kết quả đã công bố (CSV) của một năm; từ chối cả tệp nếu có lỗi."

    def add_arguments(self, parser):
        parser.add_argument("province")
        parser.add_argument("year", type=int)
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, province, year, file, dry_run, **options):
        tenant = Province.objects.filter(slug=province).first()
        if tenant is None:
            raise CommandError(f"Không có tỉnh “{province}”.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}.")
        with scope(province=tenant):
            report = results_import(actor=None, province=tenant, year=year, filename=path.name, content=path.read_bytes(), dry_run=dry_run)
        for note in report.notes:
            self.stdout.write(f"Lưu ý: {note}")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"Từ chối nhập {path.name}: {len(report.problems)} lỗi, không có gì được lưu.")
        self.stdout.write(self.style.SUCCESS(f"{'Tệp hợp lệ' if dry_run else 'Đã nhập'}: {report.imported} đơn vị, năm {year}."))
