# Sourced by test.sh: makes a PostgreSQL server answer on 127.0.0.1:$PGPORT. Uses the one
# already running; otherwise initialises and starts a private cluster as the `postgres`
# user (PostgreSQL refuses to run as root), installing the server with apt if missing.
set -euo pipefail
PGHOST=127.0.0.1
PGPORT=${PGPORT:-5432}

pg_answers() { (exec 3<>"/dev/tcp/$PGHOST/$PGPORT") 2>/dev/null; }

if ! pg_answers; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bindir" ]; then
    echo "==> installing PostgreSQL with apt"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  pgdata=${ROLLGATE_PGDATA:-/tmp/rollgate-pgdata}
  as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi; }
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    echo "==> initialising a PostgreSQL cluster in $pgdata"
    mkdir -p "$pgdata"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$pgdata"
    as_pg "$bindir/initdb -D '$pgdata' -U postgres --auth=trust >/dev/null"
  fi
  echo "==> starting PostgreSQL on $PGHOST:$PGPORT"
  as_pg "$bindir/pg_ctl -D '$pgdata' -l '$pgdata/server.log' -w -o \"-p $PGPORT -c listen_addresses=$PGHOST -k /tmp\" start >/dev/null"
fi

PG_ADMIN_URL="postgres://postgres@$PGHOST:$PGPORT/postgres"
export PG_ADMIN_URL
