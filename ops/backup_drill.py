"""Backup drill: back up a populated portal, restore it into a fresh database and folder, prove nothing was lost.

    make backup-drill          (or: .venv/bin/python ops/backup_drill.py [--keep])

1. Builds a source portal on PostgreSQL (`dti_drill_source`, stored files in a temporary folder):
   a generated province with final results and evidence files (`generate_scale_data`), and its
   year published by the background worker (report PDF, workbook, scorecards, bundle).
2. Backs it up with `ops/backup.sh` (pg_dump + tar of MEDIA_ROOT) and restores that backup with
   `ops/restore.sh` into an empty database (`dti_drill_restored`) and an empty folder.
3. Proves nothing was lost: the row count of every table, every evidence file's sha256 and every
   publication's checksums are the same in both; `manage.py verify_integrity` re-hashes every
   restored file against the restored records. Exits non-zero on any difference.

The server is `DRILL_PG_SERVER` (default postgres://postgres@127.0.0.1:5432); both databases are
dropped at the end unless --keep.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SERVER = os.environ.get("DRILL_PG_SERVER", "postgres://postgres@127.0.0.1:5432").rstrip("/")
SOURCE, RESTORED = "dti_drill_source", "dti_drill_restored"

PUBLISH = """
from datetime import date
from django_scopes import scope
from assessments.models import Period
from dti_portal.accounts.models import User
from dti_portal.tenancy.models import Province
from rankings.publication import publication_request
province = Province.objects.get(slug="scale-1")
with scope(province=province):
    year = Period.objects.filter(province=province).latest("year").year
    publication_request(province=province, year=year, decision_number="1/QĐ-UBND (diễn tập sao lưu)",
                        decision_date=date(year + 1, 3, 1), signer="Chủ tịch UBND tỉnh",
                        actor=User.objects.get(username="scale-1.quantri"))
"""

CHECKSUMS = {
    "tài liệu kiểm chứng": "SELECT id, file, sha256, size FROM assessments_evidence ORDER BY id",
    "công bố": "SELECT id, status, pdf, pdf_sha256, xlsx, xlsx_sha256, bundle, bundle_sha256 FROM rankings_publication ORDER BY id",
    "phiếu điểm": "SELECT id, pdf, pdf_sha256 FROM rankings_scorecard ORDER BY id",
}


def run(*args, env: dict, quiet: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=ROOT, env=env, text=True, capture_output=quiet)
    if result.returncode:
        print(result.stdout or "", result.stderr or "", sep="\n")
        raise SystemExit(f"Bước thất bại: {' '.join(map(str, args))}")
    return result


def recreate(name: str) -> None:
    connection = psycopg2.connect(f"{SERVER}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def drop(name: str) -> None:
    connection = psycopg2.connect(f"{SERVER}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


def facts(name: str) -> tuple[dict, dict]:
    """Row count of every table, and the checksum rows, of one database."""
    connection = psycopg2.connect(f"{SERVER}/{name}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        counts = {}
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        sums = {}
        for label, sql in CHECKSUMS.items():
            cursor.execute(sql)
            sums[label] = cursor.fetchall()
    connection.close()
    return counts, sums


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", action="store_true", help="giữ hai cơ sở dữ liệu và thư mục tạm để xem lại")
    args = parser.parse_args()
    for tool in ("pg_dump", "pg_restore", "tar", "sha256sum"):
        if not shutil.which(tool):
            raise SystemExit(f"Thiếu công cụ {tool} (gói postgresql-client / coreutils).")
    work = Path(tempfile.mkdtemp(prefix="dti-drill-"))
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "dti_portal.settings.dev", "PYTHONUNBUFFERED": "1"}
    source = base | {"DATABASE_URL": f"{SERVER}/{SOURCE}", "MEDIA_ROOT": str(work / "source-media")}
    restored = base | {"DATABASE_URL": f"{SERVER}/{RESTORED}", "MEDIA_ROOT": str(work / "restored-media")}
    try:
        print("1. Dữ liệu nguồn: 1 tỉnh × 8 đơn vị × 20 chỉ tiêu đã chốt, có tài liệu kiểm chứng, đã công bố …")
        recreate(SOURCE)
        recreate(RESTORED)
        run(PY, "manage.py", "migrate", "--noinput", "-v", "0", env=source)
        run(PY, "manage.py", "generate_scale_data", "--provinces", "1", "--units", "8", "--indicators", "20",
            "--state", "final", "--seed", "7", "--workers", "1", env=source)
        run(PY, "manage.py", "shell", "-c", PUBLISH, env=source)
        run(PY, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay", "-v", "0", env=source)
        run(PY, "manage.py", "verify_integrity", env=source)

        print("2. Sao lưu (ops/backup.sh) rồi khôi phục (ops/restore.sh) vào cơ sở dữ liệu và thư mục trống …")
        run("bash", "ops/backup.sh", str(work / "backup"), env=source)
        run("bash", "ops/restore.sh", str(work / "backup"), env=restored)

        print("3. So sánh:")
        (counts_a, sums_a), (counts_b, sums_b) = facts(SOURCE), facts(RESTORED)
        failures = []
        differ = sorted(t for t in counts_a.keys() | counts_b.keys() if counts_a.get(t) != counts_b.get(t))
        rows = sum(counts_a.values())
        print(f"   số dòng: {len(counts_a)} bảng, {rows} dòng — {'khớp' if not differ else 'KHÁC: ' + ', '.join(differ)}")
        failures += differ
        for label in CHECKSUMS:
            same = sums_a[label] == sums_b[label]
            print(f"   {label}: {len(sums_a[label])} bản ghi mã kiểm tra — {'khớp' if same else 'KHÁC'}")
            if not same:
                failures.append(label)
        published = [row for row in sums_a["công bố"] if row[1] == "published"]
        if not published or not sums_a["tài liệu kiểm chứng"]:
            failures.append("dữ liệu nguồn thiếu tệp công bố hoặc tài liệu kiểm chứng")
        check = subprocess.run([PY, "manage.py", "verify_integrity"], cwd=ROOT, env=restored, text=True, capture_output=True)
        print(f"   tệp khôi phục: {(check.stdout + check.stderr).strip()}")
        if check.returncode:
            failures.append("verify_integrity")
        if failures:
            print(f"Diễn tập THẤT BẠI: {', '.join(failures)}")
            return 1
        print("Diễn tập sao lưu – khôi phục thành công: không mất dữ liệu nào.")
        return 0
    finally:
        if args.keep:
            print(f"Giữ lại: {SOURCE}, {RESTORED}, {work}")
        else:
            drop(SOURCE)
            drop(RESTORED)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
