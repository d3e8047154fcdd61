"""Synthetic provinces at real size for benchmarks and load tests (see assessments/scale.py).

    python manage.py generate_scale_data --provinces 34 --units 150 --indicators 150 --state final --seed 1
"""

from django.core.management.base import BaseCommand, CommandError

from assessments.scale import MAX_INDICATORS, MAX_PROVINCES, MAX_UNITS, STATES, ScaleRefused, build_scale, check_spec, default_workers


class Command(BaseCommand):
    help = (
        "Sinh dữ liệu mẫu ở quy mô thật (tỉnh scale-1, scale-2, …) qua các dịch vụ của cổng, để đo hiệu năng. "
        "Chạy lại với cùng tham số thì không tạo thêm gì."
    )

    def add_arguments(self, parser):
        # Numbers are read as text and checked by check_spec, so that every refusal is in Vietnamese.
        parser.add_argument("--provinces", help=f"số tỉnh, 1–{MAX_PROVINCES}")
        parser.add_argument("--units", help=f"số đơn vị mỗi tỉnh, 1–{MAX_UNITS} (~20 sở, còn lại xã/phường)")
        parser.add_argument("--indicators", help=f"số chỉ tiêu (tiêu chí) mỗi bộ chỉ số, 10–{MAX_INDICATORS}")
        parser.add_argument("--state", default="final", help=f"trạng thái: {', '.join(STATES)} (mặc định final)")
        parser.add_argument("--seed", default="1", help="hạt giống ngẫu nhiên (mặc định 1)")
        parser.add_argument("--workers", default="", help="số tiến trình (mặc định: 2 trên PostgreSQL, 1 trên SQLite)")

    def handle(self, *args, **options):
        try:
            spec = check_spec(options["provinces"], options["units"], options["indicators"], options["state"], options["seed"])
            workers = default_workers(spec.provinces)
            if options["workers"]:
                if not options["workers"].isdigit() or not 1 <= int(options["workers"]) <= 8:
                    raise ScaleRefused(f"--workers phải từ 1 đến 8 (đang là “{options['workers']}”).")
                workers = int(options["workers"])
            build_scale(spec.provinces, spec.units, spec.indicators, spec.state, spec.seed, stdout=self.stdout, workers=workers)
        except ScaleRefused as refusal:
            raise CommandError(refusal.message) from refusal
