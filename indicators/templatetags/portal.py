"""Template filters for points and answers."""

from datetime import timedelta
from decimal import Decimal

from django import template

from indicators.scoring import echo_number, format_number

register = template.Library()


@register.filter
def points(value, places=None):
    """41.6000 → "41,6"; with places: 738.08 → "738,08". Empty for None."""
    if value is None or value == "":
        return ""
    return format_number(Decimal(value), int(places) if places not in (None, "") else None)


@register.filter
def echo(value):
    """A typed or stored number as the engine reads it, thousands grouped: "2000,5" → "2.000,5";
    "" if it is not a number. For showing a saved answer back as it was read."""
    return echo_number(value)


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key, "")


@register.filter
def duration(value: timedelta | None) -> str:
    """Time left, in words: "3 ngày 4 giờ", "5 giờ 10 phút", "đã hết hạn"."""
    if value is None:
        return ""
    seconds = int(value.total_seconds())
    if seconds <= 0:
        return "đã hết hạn"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"còn {days} ngày {hours} giờ"
    if hours:
        return f"còn {hours} giờ {minutes} phút"
    return f"còn {minutes} phút"
