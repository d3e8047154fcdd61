"""The bar chart writes each total as the ranking tables do: two decimals, thousands grouped."""

from decimal import Decimal
from types import SimpleNamespace

from rankings.charts import bar_chart


def test_the_chart_writes_totals_as_the_tables_do():
    svg = bar_chart([SimpleNamespace(unit="Sở Y tế", total=Decimal("701.3")),
                     SimpleNamespace(unit="Sở Tài chính", total=Decimal("1234.5")),
                     SimpleNamespace(unit="Sở Nội vụ", total=None)], maximum=Decimal(1500))
    assert ">701,30</text>" in svg and ">1.234,50</text>" in svg and ">701,3</text>" not in svg
    assert ">-</text>" in svg  # did not report: no bar, a dash
