from django.core.management.base import BaseCommand

from dti_portal.demo import load_demo


class Command(BaseCommand):
    help = ("Nạp dữ liệu mẫu: tỉnh Đắk Lắk, Đắk Nông (hợp nhất vào Lâm Đồng từ 01/07/2025) và Lâm Đồng, đơn vị thật, "
            "một tài khoản cho mỗi vai trò.")

    def add_arguments(self, parser):
        parser.add_argument("--no-mergers", dest="mergers", action="store_false",
                            help="Không hợp nhất Đắk Nông vào Lâm Đồng (dữ liệu như trước 01/07/2025; dùng cho kiểm thử).")

    def handle(self, *args, **options):
        counts = load_demo(mergers=options["mergers"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp dữ liệu mẫu: {counts['provinces']} tỉnh, {counts['units']} đơn vị, {counts['accounts']} tài khoản, "
                f"{counts['frameworks']} bộ chỉ số mới."
            )
        )
        for line in counts["merged"]:
            self.stdout.write(line)
