"""Benchmark: publishing a province of 150 units × 150 criteria (final results).

The province comes from `assessments.scale.build_scale` (the project's own services; minutes on
SQLite, printed). Each row is a median beside a baseline measured in the same run, and the ratio:

- publish request: the form's POST (check, record, queue) vs a GET of the publications page;
- official report PDF for 150 units vs plain WeasyPrint of a bare HTML table of the same rows;
- one unit's scorecard PDF vs plain WeasyPrint of a bare HTML table of its rows;
- Excel workbook (tables + every criterion of every unit) vs raw openpyxl write-only of the same cells;
- the whole publication made by `manage.py db_worker` processes: 2 workers vs 1 (parallel scorecards).

Renderers are timed in CPU seconds of this process (WeasyPrint and openpyxl are single-threaded
CPU work, and CPU time does not count what other processes on a shared machine take); the request
and the end-to-end runs in wall-clock time.
Run: make bench (or .venv/bin/python bench/publication.py). BENCH_REPEAT (default 3) repeats;
BENCH_WORKERS=0 skips the end-to-end runs (about four minutes for both).
"""

import html
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal

from _django import ROOT, median_ms, setup

os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="dti-bench-media-"))  # the files, thrown away
setup()

import openpyxl  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core import signals  # noqa: E402
from django.db import close_old_connections, connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_scopes import scope  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402
from weasyprint import HTML  # noqa: E402

from assessments.scale import build_scale  # noqa: E402
from dti_portal.accounts.models import User  # noqa: E402
from rankings import publication as service  # noqa: E402
from rankings.models import Publication  # noqa: E402
from rankings.report import render_pdf, render_scorecard, render_workbook, workbook_sheets  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
WORKERS = [int(n) for n in os.environ.get("BENCH_WORKERS", "1,2").split(",") if n.strip() not in ("", "0")]
UNITS, CRITERIA, YEAR = 150, 150, 2025


def median_cpu_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1000)
    return sorted(times)[len(times) // 2]


def bare_pdf(rows) -> bytes:
    """The baseline: the same cells in one unstyled HTML table, through WeasyPrint's defaults."""
    cells = "".join("<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return HTML(string=f"<table>{cells}</table>").write_pdf()


def raw_xlsx(sheets) -> None:
    """The baseline: the same cells appended to write-only sheets, nothing else."""
    book = openpyxl.Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    book.save(tempfile.TemporaryFile())


def plain(sheets):
    """Sheets with their rows materialised and numbers as floats (what the baseline is given)."""
    return [(t, h, [[float(v) if isinstance(v, Decimal) else v for v in row] for row in rows]) for t, h, rows in sheets]


def publish_with_workers(province, admin, workers: int) -> tuple[float, float]:
    """Request a publication, let `workers` db_worker processes make it: (wall seconds until
    published, CPU seconds the workers used)."""
    Publication.objects.filter(province=province).delete()
    DBTaskResult.objects.all().delete()
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "dti_portal.settings.dev"}
    command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2",
               "--verbosity", "0"]
    processes = [subprocess.Popen(command, env=env, cwd=ROOT) for _ in range(workers)]
    time.sleep(3)  # the workers are up and polling before the request: only the work is timed
    start = time.perf_counter()
    publication = service.publication_request(province=province, year=YEAR, decision_number="1/QĐ-UBND",
                                              decision_date=date(2026, 1, 15), signer="Chủ tịch UBND tỉnh", actor=admin)
    while True:
        publication.refresh_from_db()
        if not publication.in_progress:
            break
        time.sleep(0.2)
    elapsed = time.perf_counter() - start
    cpu = 0.0
    for process in processes:
        process.send_signal(signal.SIGTERM)
        _, _, usage = os.wait4(process.pid, 0)
        cpu += usage.ru_utime + usage.ru_stime
    if publication.status != Publication.Status.PUBLISHED:
        raise SystemExit(f"publication failed: {publication.error}")
    return elapsed, cpu


def main():
    started = time.perf_counter()
    province = build_scale(1, UNITS, CRITERIA, "final", seed=1)[0]
    built = time.perf_counter() - started
    admin = User.objects.get(username=f"{province.slug}.quantri")
    rows = []

    # As Django's test runner does: keep one connection across the client's requests (queries counted).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    client = Client(SERVER_NAME="localhost")
    client.force_login(admin)
    create = reverse("rankings:publication_create", kwargs={"province": province.slug})
    listing = reverse("rankings:publication_list", kwargs={"province": province.slug})
    form = {"year": str(YEAR), "decision_number": "1/QĐ-UBND", "decision_date": "15/01/2026", "signer": "Chủ tịch UBND tỉnh"}

    def reset():
        with scope(province=province):
            Publication.objects.filter(province=province).delete()
        DBTaskResult.objects.all().delete()

    def post():
        response = client.post(create, form)
        assert response.status_code == 302 and "/cong-bo/2025/" in response["Location"], response

    request_ms = []
    for n in range(REPEAT + 1):  # the first request warms up (templates, URL resolver): not counted
        reset()
        reset_queries()  # the request clears the log when it starts: count from an empty one
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            post()
            request_ms.append((time.perf_counter() - start) * 1000)
    rows.append(("publish request (POST: check, record, queue), wall", sorted(request_ms[1:])[REPEAT // 2],
                 "GET of the publications page, wall", median_ms(lambda: client.get(listing), REPEAT), f"{len(queries)} queries"))

    with scope(province=province):
        publication = Publication.objects.get(province=province)
        service.publication_prepare(publication, publication.attempt)
        snapshot = publication.snapshot
        cards = [{"unit": c.unit_name, "framework": c.framework, "rows": c.rows, "summary": c.summary}
                 for c in publication.scorecards.all()]
    table_rows = [[r["rank"], r["unit"], r["total"], *[r["parts"].get(c["key"]) for c in t["columns"]], r["index"], r["band"]]
                  for t in snapshot["tables"] for r in t["rows"]]
    table_rows += [[r["rank"], r["unit"], r["total"]] for t in snapshot["tables"] for a in t["aggregates"] for r in a["rows"]]
    render_pdf(snapshot)  # WeasyPrint's first document loads its fonts and styles: not timed
    rows.append((f"official report PDF ({len(table_rows)} ranking rows, charts), cpu", median_cpu_ms(lambda: render_pdf(snapshot), REPEAT),
                 "WeasyPrint, bare table, same rows, cpu", median_cpu_ms(lambda: bare_pdf(table_rows), REPEAT), ""))
    card = max(cards, key=lambda c: len(c["rows"]))
    card_rows = [[r["code"], r["name"], r["max"], r["achieved"], r["reason"]] for r in card["rows"]]
    rows.append((f"one unit's scorecard PDF ({len(card_rows)} rows), cpu", median_cpu_ms(lambda: render_scorecard(snapshot["meta"], card), REPEAT),
                 "WeasyPrint, bare table, same rows, cpu", median_cpu_ms(lambda: bare_pdf(card_rows), REPEAT), ""))
    details = [{"unit": c["unit"], "rows": c["rows"]} for c in cards]
    sheets = plain(workbook_sheets(snapshot, details))
    cells = sum(len(row) for _, _, rs in sheets for row in rs)
    rows.append((f"Excel workbook ({cells:,} cells), cpu".replace(",", ".", 1), median_cpu_ms(lambda: render_workbook(snapshot, details), REPEAT),
                 "raw openpyxl write-only, same cells, cpu", median_cpu_ms(lambda: raw_xlsx(sheets), REPEAT), ""))

    if WORKERS:
        with scope(province=province):
            runs = {n: publish_with_workers(province, admin, n) for n in WORKERS}
        fewest, most = min(WORKERS), max(WORKERS)
        rows.append((f"whole publication, {most} db_worker processes, wall", runs[most][0] * 1000,
                     f"the same with {fewest} worker, wall", runs[fewest][0] * 1000,
                     f"{len(cards)} scorecards; workers' cpu {runs[most][1]:.0f} s vs {runs[fewest][1]:.0f} s; "
                     f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"))

    print(f"Publication benchmark: 1 province × {UNITS} units × {CRITERIA} criteria (final), "
          f"built by build_scale in {built:.0f} s; median of {REPEAT} runs; {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    print(f"{'task':<60}{'ms':>10}  {'baseline':<44}{'ms':>10}{'ratio':>8}  note")
    for task, ms, baseline, base_ms, note in rows:
        print(f"{task:<60}{ms:>10.1f}  {baseline:<44}{base_ms:>10.1f}{ms / base_ms:>7.2f}×  {note}")


if __name__ == "__main__":
    main()
