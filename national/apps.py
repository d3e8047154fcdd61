from django.apps import AppConfig


class NationalConfig(AppConfig):
    name = "national"
    verbose_name = "Chỉ số DTI cấp tỉnh (Bộ đánh giá) và kế hoạch nâng cao"
