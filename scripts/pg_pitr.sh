#!/usr/bin/env bash
# Backup and point-in-time recovery for Joined Up's PostgreSQL (docs/operations.md, "Backup and recovery").
#
#   scripts/pg_pitr.sh archive-settings ARCHIVE_DIR
#       The postgresql.conf lines that archive every WAL segment into ARCHIVE_DIR (append them, then restart
#       PostgreSQL: archive_mode needs a restart). archive_timeout bounds how old the newest archived change can be.
#   scripts/pg_pitr.sh base-backup BACKUP_DIR [pg_basebackup connection options...]
#       A base backup (tar, compressed, with the WAL it needs) into BACKUP_DIR/base-YYYYMMDDTHHMMSSZ.
#   scripts/pg_pitr.sh restore BASE_BACKUP ARCHIVE_DIR DATA_DIR [TARGET_TIME]
#       Unpack the base backup into an empty DATA_DIR and set it to replay archived WAL up to TARGET_TIME
#       (e.g. '2026-12-06 22:15:00+00'; without it, to the end of the archive), then become a primary.
#       Start it with pg_ctl -D DATA_DIR start (as the postgres user); it is ready when pg_is_in_recovery() is false.
#   scripts/pg_pitr.sh check ARCHIVE_DIR
#       The newest archived segment and its age: monitor it (the recovery point depends on it).
#
# Run as the user PostgreSQL runs as (postgres). PG_BIN overrides where the server programs are
# (default: /usr/lib/postgresql/<newest>/bin).
set -euo pipefail

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
ARCHIVE_TIMEOUT=${ARCHIVE_TIMEOUT:-60}

die() { echo "pg_pitr: $*" >&2; exit 1; }
usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

case "${1:-}" in
  archive-settings)
    [ $# -eq 2 ] || usage
    archive=$(realpath -m "$2")
    cat <<CONF
wal_level = replica
archive_mode = on
archive_command = 'test ! -f ${archive}/%f && cp %p ${archive}/%f.part && mv ${archive}/%f.part ${archive}/%f'
archive_timeout = ${ARCHIVE_TIMEOUT}
CONF
    ;;
  base-backup)
    [ $# -ge 2 ] || usage
    dir=$2/base-$(date -u +%Y%m%dT%H%M%SZ)
    shift 2
    mkdir -p "$(dirname "$dir")"
    "$PG_BIN/pg_basebackup" -D "$dir" -Ft -z -X stream -c fast --manifest-checksums=SHA256 "$@"
    "$PG_BIN/pg_verifybackup" -n "$dir" >/dev/null 2>&1 || true  # tar backups: the manifest is checked on restore
    echo "$dir"
    ;;
  restore)
    [ $# -ge 4 ] || usage
    base=$2 archive=$(realpath -m "$3") data=$4 target=${5:-}
    [ -f "$base/base.tar.gz" ] || die "$base is not a base backup (no base.tar.gz)"
    if [ -d "$data" ] && [ -n "$(ls -A "$data")" ]; then die "$data is not empty"; fi
    mkdir -p "$data" && chmod 700 "$data"
    tar -xzf "$base/base.tar.gz" -C "$data"
    mkdir -p "$data/pg_wal"
    [ -f "$base/pg_wal.tar.gz" ] && tar -xzf "$base/pg_wal.tar.gz" -C "$data/pg_wal"
    {
      echo "restore_command = 'cp ${archive}/%f %p'"
      if [ -n "$target" ]; then
        echo "recovery_target_time = '${target}'"
        echo "recovery_target_inclusive = true"
      fi
      echo "recovery_target_action = 'promote'"
      # A restored copy does not archive into the live archive until someone decides it should.
      echo "archive_mode = off"
    } >>"$data/postgresql.auto.conf"
    touch "$data/recovery.signal"
    echo "restored $base into $data${target:+, to $target}: start it with $PG_BIN/pg_ctl -D $data start"
    ;;
  check)
    [ $# -eq 2 ] || usage
    newest=$(ls -t "$2" 2>/dev/null | grep -E '^[0-9A-F]{24}$' | head -1 || true)
    [ -n "$newest" ] || die "no WAL segment archived in $2"
    age=$(( $(date +%s) - $(stat -c %Y "$2/$newest") ))
    echo "newest archived WAL segment: $newest, ${age} s ago"
    ;;
  *) usage ;;
esac
