#!/usr/bin/env bash
# Restore a backup made by ops/backup.sh into an EMPTY database and an empty stored-files folder.
#   DATABASE_URL=postgres://…/dti_new MEDIA_ROOT=/srv/dti/media-new ops/restore.sh /backups/dti-2026-11-23
set -euo pipefail
src="${1:?usage: ops/restore.sh BACKUP_DIR}"
: "${DATABASE_URL:?DATABASE_URL must name the (empty) PostgreSQL database to restore into}"
: "${MEDIA_ROOT:?MEDIA_ROOT must name the (empty) folder to restore the stored files into}"
(cd "$src" && sha256sum --check --quiet SHA256SUMS)
pg_restore --no-owner --exit-on-error --dbname "$DATABASE_URL" "$src/db.dump"
mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -xf "$src/media.tar"
echo "Đã khôi phục từ $src."
