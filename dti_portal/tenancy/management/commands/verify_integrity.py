import sys

from django.core.management.base import BaseCommand

from dti_portal.integrity import check, stored_files


class Command(BaseCommand):
    help = ("Kiểm tra mọi tệp tài liệu kiểm chứng và tệp công bố với mã sha256 đã ghi khi lưu; "
            "thoát với mã khác 0 nếu có tệp thiếu hoặc bị thay đổi.")

    def handle(self, *args, **options):
        counted = []

        def counting():
            for stored in stored_files():
                counted.append(stored)
                yield stored

        problems = list(check(counting()))
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            self.stderr.write(f"Có {len(problems)} / {len(counted)} tệp không khớp.")
            sys.exit(1)
        self.stdout.write(f"Đã kiểm tra {len(counted)} tệp: tất cả khớp mã sha256 đã ghi.")
