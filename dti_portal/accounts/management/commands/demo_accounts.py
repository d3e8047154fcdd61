from django.core.management.base import BaseCommand

from dti_portal.accounts.models import Role
from dti_portal.demo import DEMO_PASSWORD, demo_accounts


class Command(BaseCommand):
    help = "In danh sách tài khoản mẫu."

    def handle(self, *args, **options):
        labels = dict(Role.choices) | {"platform_admin": "Quản trị hệ thống"}
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        for row in demo_accounts():
            where = f" – {row['tenant_name']}" if row["province"] else ""
            if row["tenant"] != row["province"]:  # a role of a merged province, held where it moved
                where += f" (trước đây {row['province_name']})"
            unit = f" – {row['unit']}" if row["unit"] else ""
            self.stdout.write(f"  {row['username']:<18} {labels[row['role']]}{where}{unit}")
