#!/usr/bin/env bash
# Back up the portal: the PostgreSQL database (custom-format dump) and the stored files (evidence,
# publications) under MEDIA_ROOT, with a checksum manifest of both.
#   DATABASE_URL=postgres://… MEDIA_ROOT=/srv/dti/media ops/backup.sh /backups/dti-2026-11-23
set -euo pipefail
dest="${1:?usage: ops/backup.sh DEST_DIR}"
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database}"
: "${MEDIA_ROOT:?MEDIA_ROOT must name the stored files folder}"
mkdir -p "$dest"
pg_dump --format=custom --no-owner --file "$dest/db.dump" "$DATABASE_URL"
tar -C "$MEDIA_ROOT" -cf "$dest/media.tar" .
(cd "$dest" && sha256sum db.dump media.tar > SHA256SUMS)
echo "Đã sao lưu vào $dest: $(du -sh "$dest" | cut -f1)"
