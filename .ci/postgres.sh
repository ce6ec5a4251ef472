# Start a throw-away PostgreSQL server on 127.0.0.1 for the test suite; sourced by .ci/run.
# Installs Debian's postgresql package when it is missing. Exports SERVICETUI_TEST_PG_URL.

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

start_pg() {
  if ! pg_bindir >/dev/null; then
    echo "ci: installing PostgreSQL from the system packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql >/dev/null
  fi
  local bin; bin="$(pg_bindir)"
  PG_RUN_AS=""
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    PG_RUN_AS="postgres"
  fi
  PG_DIR="$(mktemp -d /tmp/servicetui-pg.XXXXXX)"
  [ -n "$PG_RUN_AS" ] && chown "$PG_RUN_AS" "$PG_DIR"
  PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  _pg() { if [ -n "$PG_RUN_AS" ]; then runuser -u "$PG_RUN_AS" -- "$@"; else "$@"; fi; }
  _pg "$bin/initdb" -D "$PG_DIR/data" -U servicetui --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  _pg "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 \
      -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  export SERVICETUI_TEST_PG_URL="postgresql://servicetui@127.0.0.1:$PG_PORT/postgres"
  PG_BIN="$bin"
  echo "ci: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
}

stop_pg() {
  [ -n "${PG_DIR:-}" ] || return 0
  _pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
