import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from dti_portal.tenancy.models import Province
from indicators.models import Framework
from indicators.resources import IndicatorResource
from indicators.services import meta_values
from indicators.tables import render_csv, render_xlsx


class Command(BaseCommand):
    help = "Xuất một bộ chỉ số ra .xlsx hoặc .csv."

    def add_arguments(self, parser):
        parser.add_argument("province")
        parser.add_argument("framework", type=int, help="mã số bộ chỉ số (xem trang Bộ chỉ số)")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("-o", "--output", default="", help="tệp ra (mặc định: stdout)")

    def handle(self, *args, **options):
        province = Province.objects.filter(slug=options["province"]).first()
        if province is None:
            raise CommandError(f"Không có tỉnh “{options['province']}”.")
        with scope(province=province):
            framework = Framework.objects.filter(pk=options["framework"]).first()
            if framework is None:
                raise CommandError(f"Tỉnh {province.name} không có bộ chỉ số mã {options['framework']}.")
            dataset = IndicatorResource(framework).export()
            content = render_csv(dataset) if options["format"] == "csv" else render_xlsx(dataset, meta_values(framework))
        if options["output"]:
            Path(options["output"]).write_bytes(content)
        else:
            sys.stdout.buffer.write(content)
