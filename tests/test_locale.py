from datetime import date, datetime, timezone
from decimal import Decimal

from django import forms
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone as dj_timezone


def render(source: str, **context) -> str:
    return Template("{% load l10n humanize %}" + source).render(Context(context))


def test_the_portal_speaks_vietnamese_in_vietnamese_time():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


def test_dates_are_written_dd_mm_yyyy():
    assert render("{{ d|date:'SHORT_DATE_FORMAT' }}", d=date(2025, 7, 1)) == "01/07/2025"
    assert render("{{ d }}", d=date(2025, 7, 1)) == "01/07/2025"


def test_times_are_shown_in_vietnam_time():
    utc = datetime(2025, 6, 30, 17, 30, tzinfo=timezone.utc)
    with dj_timezone.override("Asia/Ho_Chi_Minh"):
        assert render("{{ t }}", t=utc) == "01/07/2025 00:30"


def test_numbers_use_a_decimal_comma_and_dot_thousands():
    assert render("{{ n }}", n=Decimal("41.6")) == "41,6"
    assert render("{{ n|floatformat:2 }}", n=Decimal("738.08")) == "738,08"
    assert render("{{ n|floatformat:'2g' }}", n=Decimal("1234.5")) == "1.234,50"


def test_date_fields_accept_dd_mm_yyyy():
    field = forms.DateField()
    assert field.clean("01/07/2025") == date(2025, 7, 1)


def test_pages_declare_vietnamese_and_load_bootstrap_from_our_own_static_files(client, db):
    html = client.get("/").content.decode()
    assert '<html lang="vi">' in html
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "cdn" not in html.lower() and "https://" not in html
