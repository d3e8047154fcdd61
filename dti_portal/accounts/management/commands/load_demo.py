from django.core.management.base import BaseCommand

from dti_portal.demo import load_demo


class Command(BaseCommand):
    help = ("Nạp dữ liệu mẫu: tỉnh Đắk Lắk, Đắk Nông (hợp nhất vào Lâm Đồng từ 01/07/2025) và Lâm Đồng, đơn vị thật, "
            "một tài khoản cho mỗi vai trò.")

    def handle(self, *args, **options):
        counts = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp dữ liệu mẫu: {counts['provinces']} tỉnh, {counts['units']} đơn vị, {counts['accounts']} tài khoản, "
                f"{counts['frameworks']} bộ chỉ số mới."
            )
        )
        for line in counts["merged"]:
            self.stdout.write(line)
