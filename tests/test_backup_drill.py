"""The backup drill (`make backup-drill`): back up a populated portal, restore it, prove nothing was lost.

Runs once per CI run, in the PostgreSQL pass (it needs pg_dump/pg_restore and a PostgreSQL server)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="the drill backs up PostgreSQL: run in the PostgreSQL pass")
def test_a_backup_restores_into_a_fresh_database_and_folder_with_nothing_lost():
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "MEDIA_ROOT")}
    result = subprocess.run([sys.executable, "ops/backup_drill.py"], cwd=ROOT, text=True, capture_output=True,
                            env=env | {"DRILL_PG_SERVER": server}, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "số dòng:" in out and "— khớp" in out
    assert "công bố: 1 bản ghi mã kiểm tra — khớp" in out
    assert "tất cả khớp mã sha256 đã ghi" in out
