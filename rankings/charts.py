"""Charts drawn on the server as SVG: the same markup on the page and (later) in the PDF."""

from decimal import Decimal
from html import escape

from indicators.scoring import format_number


def bar_chart(rows, *, maximum: Decimal | None = None, width: int = 760, bar: int = 18, label_width: int = 300) -> str:
    """Horizontal bars, best first; a unit that did not report is drawn as "-" without a bar."""
    values = [r.total for r in rows if r.total is not None]
    top = maximum or (max(values) if values else Decimal(1)) or Decimal(1)
    height = len(rows) * (bar + 6) + 10
    scale = (width - label_width - 70) / float(top)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="Biểu đồ xếp hạng" font-family="DejaVu Sans, sans-serif" font-size="12">']
    for n, row in enumerate(rows):
        y = 5 + n * (bar + 6)
        parts.append(f'<text x="{label_width - 6}" y="{y + bar - 5}" text-anchor="end">{escape(row.unit)}</text>')
        if row.total is None:
            parts.append(f'<text x="{label_width + 4}" y="{y + bar - 5}">-</text>')
            continue
        length = max(1.0, float(row.total) * scale)
        parts.append(f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" fill="#0d6efd"/>')
        parts.append(f'<text x="{label_width + length + 4:.1f}" y="{y + bar - 5}">{format_number(row.total, 2)}</text>')  # as the tables write it: "701,30"
    parts.append("</svg>")
    return "".join(parts)
