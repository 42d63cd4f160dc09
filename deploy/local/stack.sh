#!/usr/bin/env bash
# Frontdesk local stack: real Apache Kafka 4.x (single KRaft node), PostgreSQL 15 and
# Redis 7 on 127.0.0.1, without Docker.
#
#   deploy/local/stack.sh start    start whatever is not running (installs what is missing)
#   deploy/local/stack.sh stop     stop everything this script started
#   deploy/local/stack.sh status   print each component up/down (exit 0 only if all are up)
#   deploy/local/stack.sh env      print `export FRONTDESK_...` lines:  eval "$(deploy/local/stack.sh env)"
#   deploy/local/stack.sh haproxy-install
#                                  install Debian's haproxy if missing (optional: only the
#                                  two-gateway failover test and haproxy-start need it)
#   deploy/local/stack.sh chromium-install
#                                  install Debian's chromium if missing (the staff console's
#                                  browser tests drive it through Playwright)
#   deploy/local/stack.sh deploy-checks-install
#                                  what tests/test_deploy_files.py checks deploy files with, from
#                                  the Go module proxy (needs go): kubeconform built into
#                                  $FRONTDESK_LOCAL_DIR/bin, the compose-spec JSON schema (from
#                                  compose-go) copied to $FRONTDESK_LOCAL_DIR/schemas
#   deploy/local/stack.sh prometheus-install
#                                  install Debian's prometheus (and promtool) if missing
#                                  (the alert-rule tests and prometheus-start need it)
#   deploy/local/stack.sh prometheus-start PORT OPS_HOST:PORT...
#                                  Prometheus on 127.0.0.1:PORT scraping those ops listeners
#                                  every second, with deploy/observability/alerts.yml loaded
#   deploy/local/stack.sh prometheus-stop PORT
#   deploy/local/stack.sh coturn-install
#                                  install Debian's coturn (turnserver) if missing (the call tests
#                                  and coturn-start need it)
#   deploy/local/stack.sh coturn-start PORT
#                                  a TURN server on 127.0.0.1:PORT (UDP and TCP), relaying on ports
#                                  PORT+1..PORT+49, with the TURN REST API's shared secret
#                                  $FRONTDESK_TURN_SECRET (default: the development one)
#   deploy/local/stack.sh coturn-stop PORT
#   deploy/local/stack.sh haproxy-start PORT GATEWAY_URL...
#   deploy/local/stack.sh haproxy-stop PORT
#                                  a load balancer on 127.0.0.1:PORT in front of running gateways
#                                  (config: deploy/local/src/frontdesk_local/balancer.py)
#   deploy/local/stack.sh kafka-run CLASS [ARGS...]
#                                  run a Kafka CLI class with the broker's jars, e.g.
#                                  org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:19092 --list
#
# Everything lives under $FRONTDESK_LOCAL_DIR (default <repo>/.local); a restart keeps the data.
# Environment overrides: FRONTDESK_PG_PORT (15432), FRONTDESK_REDIS_PORT (16379),
# FRONTDESK_KAFKA_PORT (19092), FRONTDESK_KAFKA_CONTROLLER_PORT (19093) — all below 32768, outside
# the range Linux hands out to outgoing connections, so a leftover client never blocks them;
# KAFKA_HEAP ("-Xms256m -Xmx768m"), KAFKA_JVM_OPTS, FRONTDESK_KAFKA_START_TIMEOUT (90 s).
#
# Kafka jars come from Maven Central through deploy/local/kafka/pom.xml (mvn + JDK 17 needed);
# PostgreSQL 15 and redis-server come from apt when missing.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)

HOST=127.0.0.1
PG_PORT=${FRONTDESK_PG_PORT:-15432}
REDIS_PORT=${FRONTDESK_REDIS_PORT:-16379}
KAFKA_PORT=${FRONTDESK_KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=${FRONTDESK_KAFKA_CONTROLLER_PORT:-19093}
KAFKA_HEAP=${KAFKA_HEAP:--Xms256m -Xmx768m}
KAFKA_JVM_OPTS=${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}
KAFKA_START_TIMEOUT=${FRONTDESK_KAFKA_START_TIMEOUT:-90}
KAFKA_STOP_TIMEOUT=30
PG_BIN=${FRONTDESK_PG_BIN:-/usr/lib/postgresql/15/bin}
PG_EXT_DIR=/usr/share/postgresql/15/extension

say() { echo "stack: $*"; }
warn() { echo "stack: WARNING: $*" >&2; }
die() { echo "stack: ERROR: $*" >&2; exit 1; }

# Print the last lines of a log file to stderr (used when something fails to start).
log_tail() {
  local file=$1 n=${2:-40}
  if [ -s "$file" ]; then
    echo "stack: ---- last $n lines of $file ----" >&2
    tail -n "$n" "$file" >&2 || true
    echo "stack: ---- end of $file ----" >&2
  else
    echo "stack: (no log at $file)" >&2
  fi
}

# ---------------------------------------------------------------- locations
LOCAL_DIR=${FRONTDESK_LOCAL_DIR:-$ROOT/.local}
case $LOCAL_DIR in /*) ;; *) LOCAL_DIR=$PWD/$LOCAL_DIR ;; esac
LOCAL_DIR=${LOCAL_DIR%/}

KAFKA_DIR=$LOCAL_DIR/kafka
KAFKA_LIBS=$KAFKA_DIR/libs
KAFKA_DATA=$KAFKA_DIR/data
KAFKA_LOGS=$KAFKA_DIR/logs
KAFKA_PROPS=$KAFKA_DIR/server.properties
KAFKA_PID=$KAFKA_DIR/kafka.pid
KAFKA_OUT=$KAFKA_LOGS/kafka.out
KAFKA_LOG4J=$SCRIPT_DIR/kafka/log4j2.properties
KAFKA_POM=$SCRIPT_DIR/kafka/pom.xml

REDIS_DIR=$LOCAL_DIR/redis
REDIS_PID=$REDIS_DIR/redis.pid
REDIS_LOG=$REDIS_DIR/redis.log

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

path_hash() { printf '%s' "$1" | sha1sum | cut -c1-12; }

# PostgreSQL refuses to run as root: as root it runs as the `postgres` OS user, which must be
# able to traverse the path to its data directory. If it cannot (e.g. the repo lives under
# /root), the PG files go to /var/tmp/frontdesk-<hash of the local dir>/pg instead.
PG_BASE=""
PG_FALLBACK=0
pg_locate() {
  [ -n "$PG_BASE" ] && return 0
  PG_BASE=$LOCAL_DIR/pg
  if [ "$IS_ROOT" -eq 1 ] && id -u postgres >/dev/null 2>&1; then
    mkdir -p "$LOCAL_DIR"
    if ! runuser -u postgres -- test -x "$LOCAL_DIR" 2>/dev/null; then
      PG_BASE=/var/tmp/frontdesk-$(path_hash "$LOCAL_DIR")/pg
      PG_FALLBACK=1
    fi
  fi
  PG_DATA=$PG_BASE/data
  PG_LOG=$PG_BASE/log/postgres.log
  PG_RUN=$PG_BASE/run
  # A unix socket path is limited to ~107 bytes.
  if [ $(( ${#PG_RUN} + 20 )) -gt 100 ]; then
    PG_RUN=/tmp/frontdesk-$(path_hash "$LOCAL_DIR")-pg
  fi
}

# Run a command as the OS user that owns the PostgreSQL cluster.
pg_as() {
  if [ "$IS_ROOT" -eq 1 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# ---------------------------------------------------------------- helpers
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" >/dev/null 2>&1
}

# pid_alive PID PATTERN: the process exists and its command line contains PATTERN
# (guards against a stale pid file whose pid was reused by another process).
pid_alive() {
  local pid=$1 pattern=$2 cmd
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  cmd=$( { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) || return 1
  [[ $cmd == *"$pattern"* ]]
}

read_pid() {
  if [ -s "$1" ]; then tr -dc '0-9' <"$1"; fi
  return 0
}

# Pids of processes whose command line contains every given string.
find_pids() {
  local d pid cmd s ok
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [ "$pid" = "$$" ] && continue
    cmd=$( { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null) || continue
    [ -n "$cmd" ] || continue
    ok=1
    for s in "$@"; do [[ $cmd == *"$s"* ]] || { ok=0; break; }; done
    [ "$ok" -eq 1 ] && echo "$pid"
  done
  return 0
}

# wait_gone PID SECONDS: wait until the process has exited.
wait_gone() {
  local pid=$1 deadline=$((SECONDS + $2))
  while [ -d "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ]; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
  return 0
}

# Stop a process: SIGTERM, wait, then SIGKILL.
terminate() {
  local pid=$1 name=$2 grace=$3
  kill -TERM "$pid" 2>/dev/null || return 0
  if ! wait_gone "$pid" "$grace"; then
    warn "$name (pid $pid) did not stop within ${grace}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 10 || die "$name (pid $pid) survived SIGKILL"
  fi
}

# ---------------------------------------------------------------- installs
SUDO=()
APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "missing $*, and apt-get is not available: install it by hand"
  if [ "$IS_ROOT" -ne 1 ]; then
    command -v sudo >/dev/null 2>&1 || die "missing $*: run as root or install sudo (apt-get install -y $*)"
    if [ -t 0 ]; then SUDO=(sudo); else SUDO=(sudo -n); fi
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    say "apt-get update"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      || die "apt-get update failed"
    APT_UPDATED=1
  fi
  say "apt-get install -y $*"
  mkdir -p "$LOCAL_DIR"
  if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$LOCAL_DIR/apt.log" 2>&1; then
    log_tail "$LOCAL_DIR/apt.log"
    die "apt-get install $* failed"
  fi
}

ensure_postgres_installed() {
  if [ ! -x "$PG_BIN/postgres" ] || [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ] \
     || [ ! -f "$PG_EXT_DIR/btree_gist.control" ]; then
    say "PostgreSQL 15 server (or its btree_gist contrib) is missing; installing"
    apt_install postgresql-15 postgresql-contrib
  fi
  if [ ! -x "$PG_BIN/postgres" ] || [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
    die "PostgreSQL 15 binaries not found in $PG_BIN after install"
  fi
  [ -f "$PG_EXT_DIR/btree_gist.control" ] || die "btree_gist extension not found in $PG_EXT_DIR"
  if [ "$IS_ROOT" -eq 1 ]; then
    id -u postgres >/dev/null 2>&1 || die "running as root but the 'postgres' OS user does not exist"
    command -v runuser >/dev/null 2>&1 || die "runuser (util-linux) is required when running as root"
  fi
}

ensure_redis_installed() {
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    say "redis-server is missing; installing"
    apt_install redis-server
  fi
  command -v redis-server >/dev/null 2>&1 || die "redis-server not found after install"
}

ensure_haproxy_installed() {
  if ! command -v haproxy >/dev/null 2>&1; then
    say "haproxy is missing; installing"
    apt_install haproxy
  fi
  command -v haproxy >/dev/null 2>&1 || die "haproxy not found after install"
}

ensure_prometheus_installed() {
  if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
    say "prometheus is missing; installing"
    apt_install prometheus
  fi
  command -v promtool >/dev/null 2>&1 || die "promtool not found after installing prometheus"
}

ensure_coturn_installed() {
  if ! command -v turnserver >/dev/null 2>&1; then
    say "coturn is missing; installing"
    apt_install coturn
  fi
  command -v turnserver >/dev/null 2>&1 || die "turnserver not found after installing coturn"
}

ensure_chromium_installed() {
  if [ ! -x /usr/bin/chromium ]; then
    say "chromium is missing; installing"
    apt_install chromium
  fi
  # Chinese in the console's screenshots needs a CJK font.
  fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || apt_install fonts-wqy-microhei
  [ -x /usr/bin/chromium ] || die "chromium not found after install"
}

KUBECONFORM_VERSION=v0.8.0
COMPOSE_GO_VERSION=v2.16.2  # its schema/compose-spec.json is the one `docker compose` checks with
ensure_deploy_checks_installed() {
  PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null 2>&1 || die "the deploy checks come from the Go module proxy, and go is missing"
  ensure_kubeconform_installed
  local schema="$LOCAL_DIR/schemas/compose-spec.json" dir
  if [ ! -f "$schema" ] || ! grep -q "$COMPOSE_GO_VERSION" "$schema.version" 2>/dev/null; then
    say "fetching the compose-spec schema (compose-go $COMPOSE_GO_VERSION)"
    # A version whose go.mod needs a newer Go than this machine's is refused here, with a reason.
    dir=$(go mod download -json "github.com/compose-spec/compose-go/v2@$COMPOSE_GO_VERSION" \
      | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') || true
    [ -f "$dir/schema/compose-spec.json" ] || die "compose-go $COMPOSE_GO_VERSION has no schema/compose-spec.json"
    mkdir -p "$LOCAL_DIR/schemas"
    cp "$dir/schema/compose-spec.json" "$schema"
    echo "$COMPOSE_GO_VERSION" >"$schema.version"
  fi
}

ensure_kubeconform_installed() {
  local bin="$LOCAL_DIR/bin/kubeconform"
  # `go install` builds report "development" to -v; the binary's module line has the version.
  if [ -x "$bin" ] && go version -m "$bin" | grep -q "mod.*yannh/kubeconform.*$KUBECONFORM_VERSION"; then
    return 0
  fi
  say "kubeconform $KUBECONFORM_VERSION is missing; building it from the Go module proxy"
  mkdir -p "$LOCAL_DIR/bin"
  GOBIN="$LOCAL_DIR/bin" go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" \
    || die "go install kubeconform failed"
  [ -x "$bin" ] || die "kubeconform not found in $LOCAL_DIR/bin after install"
}

ensure_java() {
  command -v java >/dev/null 2>&1 || die "java not found: install a JDK 17+ (apt-get install -y openjdk-17-jdk-headless)"
  local v major
  v=$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
  major=${v%%.*}
  [ "$major" = "1" ] && major=$(echo "$v" | cut -d. -f2)
  [[ $major =~ ^[0-9]+$ ]] || die "cannot parse the java version from: $(java -version 2>&1 | head -1)"
  [ "$major" -ge 17 ] || die "Kafka 4.x needs Java 17+, found java $v"
}

# ---------------------------------------------------------------- PostgreSQL
pg_running() {
  pg_locate
  [ -f "$PG_DATA/PG_VERSION" ] || return 1
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

pg_psql() {
  "$PG_BIN/psql" -X -q -h "$HOST" -p "$PG_PORT" -U postgres -d postgres "$@"
}

start_postgres() {
  ensure_postgres_installed
  pg_locate
  [ "$PG_FALLBACK" -eq 1 ] && say "postgres: $LOCAL_DIR is not traversable by the postgres user; PostgreSQL data is in $PG_BASE"
  if pg_running; then
    say "postgres already running (127.0.0.1:$PG_PORT, data $PG_DATA)"
    return 0
  fi
  port_open "$PG_PORT" && die "port $PG_PORT is already in use by another process (set FRONTDESK_PG_PORT)"

  mkdir -p "$PG_BASE/log" "$PG_RUN"
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    local locale=C
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then locale=C.UTF-8; fi
    rm -rf "$PG_DATA"
    mkdir -p "$PG_DATA"
    chmod 700 "$PG_DATA"
    [ "$IS_ROOT" -eq 1 ] && chown -R postgres:postgres "$PG_BASE" && chown postgres:postgres "$PG_RUN"
    say "postgres: initdb $PG_DATA (locale $locale)"
    if ! pg_as "$PG_BIN/initdb" -D "$PG_DATA" --auth=trust -U postgres --encoding=UTF8 \
         --locale="$locale" >"$PG_BASE/log/initdb.log" 2>&1; then
      log_tail "$PG_BASE/log/initdb.log"
      rm -rf "$PG_DATA"
      die "postgres: initdb failed"
    fi
    echo "include_if_exists = 'frontdesk.conf'" >>"$PG_DATA/postgresql.conf"
  fi
  # Rewritten on every start so that port changes apply; durability settings are left at defaults.
  cat >"$PG_DATA/frontdesk.conf" <<EOF
# written by deploy/local/stack.sh on every start
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '$PG_RUN'
max_connections = 300
shared_buffers = 256MB
# A prepared statement keeps the plan made while its tables were near empty (a seq scan
# of messages for a retried send) until ANALYZE has run on them: look for tables to
# analyze every 5 s, not every minute (make bench: the batch's reads 4.4 -> 0.7 ms).
autovacuum_naptime = 5s
EOF
  if [ "$IS_ROOT" -eq 1 ]; then
    chown postgres:postgres "$PG_BASE" "$PG_BASE/log" "$PG_RUN" "$PG_DATA/frontdesk.conf"
    touch "$PG_LOG" && chown postgres:postgres "$PG_LOG"
  fi
  say "postgres: starting on 127.0.0.1:$PG_PORT"
  if ! pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >"$PG_BASE/log/pg_ctl.log" 2>&1; then
    log_tail "$PG_BASE/log/pg_ctl.log" 10
    log_tail "$PG_LOG"
    die "postgres failed to start"
  fi
  local _
  for _ in $(seq 1 50); do
    pg_psql -Atc 'select 1' >/dev/null 2>&1 && break
    sleep 0.2
  done
  if ! pg_psql -Atc 'select 1' >/dev/null 2>"$PG_BASE/log/psql-check.log"; then
    log_tail "$PG_BASE/log/psql-check.log" 10
    log_tail "$PG_LOG"
    die "postgres started but 'psql -h $HOST -p $PG_PORT -U postgres' does not work"
  fi
  say "postgres up (127.0.0.1:$PG_PORT, user postgres, trust auth, data $PG_DATA)"
}

stop_postgres() {
  pg_locate
  if ! pg_running; then
    say "postgres not running"
    return 0
  fi
  say "postgres: stopping"
  if ! pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null 2>&1; then
    warn "pg_ctl stop -m fast failed; trying -m immediate"
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  pg_running && die "postgres did not stop (see $PG_LOG)"
  say "postgres stopped"
}

# ---------------------------------------------------------------- Redis
redis_pid() {
  local pid
  pid=$(read_pid "$REDIS_PID")
  if pid_alive "$pid" redis-server; then echo "$pid"; return 0; fi
  # pid file lost: look for a redis-server started by us on our port
  pid=$(find_pids redis-server "$HOST:$REDIS_PORT" | head -n1)
  [ -n "$pid" ] && echo "$pid"
  return 0
}

start_redis() {
  ensure_redis_installed
  local pid
  pid=$(redis_pid)
  if [ -n "$pid" ]; then
    say "redis already running (127.0.0.1:$REDIS_PORT, pid $pid)"
    return 0
  fi
  port_open "$REDIS_PORT" && die "port $REDIS_PORT is already in use by another process (set FRONTDESK_REDIS_PORT)"
  mkdir -p "$REDIS_DIR"
  rm -f "$REDIS_PID"
  say "redis: starting on 127.0.0.1:$REDIS_PORT"
  if ! redis-server --port "$REDIS_PORT" --bind "$HOST" --protected-mode yes \
       --dir "$REDIS_DIR" --daemonize yes --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" \
       --appendonly yes --appendfsync everysec --save "" >>"$REDIS_LOG" 2>&1; then
    log_tail "$REDIS_LOG"
    die "redis failed to start"
  fi
  local _
  for _ in $(seq 1 100); do
    [ "$(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null || true)" = "PONG" ] && break
    sleep 0.1
  done
  if [ "$(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null || true)" != "PONG" ]; then
    log_tail "$REDIS_LOG"
    die "redis does not answer PING on 127.0.0.1:$REDIS_PORT"
  fi
  say "redis up (127.0.0.1:$REDIS_PORT, pid $(redis_pid), data $REDIS_DIR)"
}

stop_redis() {
  local pid
  pid=$(redis_pid)
  if [ -z "$pid" ]; then
    say "redis not running"
    rm -f "$REDIS_PID"
    return 0
  fi
  say "redis: stopping (pid $pid)"
  # SIGTERM = graceful SHUTDOWN (the append-only file is flushed).
  terminate "$pid" redis 30
  rm -f "$REDIS_PID"
  say "redis stopped"
}

# ---------------------------------------------------------------- Kafka
# kafka_java LOGNAME CLASS ARGS...: run a class with the Kafka jars (tool logs: stderr + logs/LOGNAME.log)
kafka_java_cmd() {
  KAFKA_JAVA=(java -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$KAFKA_LOG4J" -Dkafka.logs.dir="$KAFKA_LOGS"
    -Dkafka.log.name="$1" -Dkafka.console.target=SYSTEM_ERR -cp "$KAFKA_LIBS/*")
}
kafka_java() {
  kafka_java_cmd "$1"
  shift
  "${KAFKA_JAVA[@]}" "$@"
}

ensure_kafka_libs() {
  local stamp
  stamp=$(sha1sum "$KAFKA_POM" | cut -c1-40)
  if compgen -G "$KAFKA_LIBS/*.jar" >/dev/null && [ "$(cat "$KAFKA_LIBS/.pom.sha1" 2>/dev/null || true)" = "$stamp" ]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: install Maven (apt-get install -y maven) to fetch the Kafka jars"
  say "kafka: resolving jars from Maven Central into $KAFKA_LIBS (first run only)"
  local tmp=$KAFKA_DIR/libs.tmp
  rm -rf "$tmp"
  mkdir -p "$tmp" "$KAFKA_LOGS"
  if ! mvn -q -B -f "$KAFKA_POM" dependency:copy-dependencies -DoutputDirectory="$tmp" \
       -DincludeScope=runtime >"$KAFKA_LOGS/mvn.log" 2>&1; then
    log_tail "$KAFKA_LOGS/mvn.log"
    rm -rf "$tmp"
    die "mvn could not resolve the Kafka jars"
  fi
  compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || die "mvn ran but no kafka_2.13 jar in $tmp"
  echo "$stamp" >"$tmp/.pom.sha1"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  say "kafka: $(find "$KAFKA_LIBS" -maxdepth 1 -name '*.jar' | wc -l) jars in $KAFKA_LIBS"
}

write_kafka_props() {
  cat >"$KAFKA_PROPS" <<EOF
# written by deploy/local/stack.sh on every start
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DATA
num.partitions=6
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.network.threads=3
num.io.threads=4
log.retention.hours=168
log.segment.bytes=104857600
EOF
}

kafka_pid() {
  local pid
  pid=$(read_pid "$KAFKA_PID")
  if pid_alive "$pid" kafka.Kafka; then echo "$pid"; return 0; fi
  # pid file lost: look for our broker by its (unique) properties path
  pid=$(find_pids kafka.Kafka "$KAFKA_PROPS" | head -n1)
  [ -n "$pid" ] && echo "$pid"
  return 0
}

start_kafka() {
  ensure_java
  local pid
  pid=$(kafka_pid)
  if [ -n "$pid" ]; then
    say "kafka already running (127.0.0.1:$KAFKA_PORT, pid $pid)"
    return 0
  fi
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is already in use by another process (set FRONTDESK_KAFKA_PORT)"
  port_open "$KAFKA_CONTROLLER_PORT" \
    && die "port $KAFKA_CONTROLLER_PORT is already in use by another process (set FRONTDESK_KAFKA_CONTROLLER_PORT)"
  [ -f "$KAFKA_LOG4J" ] || die "missing $KAFKA_LOG4J"
  mkdir -p "$KAFKA_DIR" "$KAFKA_DATA" "$KAFKA_LOGS"
  ensure_kafka_libs
  write_kafka_props

  if [ ! -f "$KAFKA_DATA/meta.properties" ]; then
    local cid
    cid=$(cat "$KAFKA_DIR/cluster.id" 2>/dev/null || true)
    if [ -z "$cid" ]; then
      cid=$(kafka_java tools kafka.tools.StorageTool random-uuid 2>>"$KAFKA_LOGS/format.log" | tail -n1) \
        || { log_tail "$KAFKA_LOGS/format.log"; die "kafka: could not generate a cluster id"; }
      echo "$cid" >"$KAFKA_DIR/cluster.id"
    fi
    say "kafka: formatting storage (cluster id $cid)"
    if ! kafka_java tools kafka.tools.StorageTool format -t "$cid" -c "$KAFKA_PROPS" --ignore-formatted \
         >>"$KAFKA_LOGS/format.log" 2>&1; then
      log_tail "$KAFKA_LOGS/format.log"
      die "kafka: storage format failed"
    fi
  fi

  say "kafka: starting on 127.0.0.1:$KAFKA_PORT (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT)"
  : >"$KAFKA_OUT"
  # shellcheck disable=SC2086  # KAFKA_HEAP / KAFKA_JVM_OPTS are word lists on purpose
  # Every partition keeps files open; test runs make many topics: as many as allowed.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  setsid nohup java $KAFKA_HEAP $KAFKA_JVM_OPTS \
    -Dlog4j2.configurationFile="$KAFKA_LOG4J" -Dkafka.logs.dir="$KAFKA_LOGS" -Dkafka.log.name=server \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_PROPS" >>"$KAFKA_OUT" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$KAFKA_PID"

  # Ready = the process is alive, the port accepts connections, the broker logged that it
  # started, and an admin client can list topics.
  local deadline=$((SECONDS + KAFKA_START_TIMEOUT)) started=0 misses=0
  while :; do
    # /proc/<pid>/cmdline reads empty while the process execs (setsid → nohup → java),
    # and setsid forks when it leads its process group: look twice, and look for the
    # broker by its properties path, before calling it dead.
    # A busy machine has been seen to miss a live broker once: call it dead only after
    # three looks a second apart.
    if ! pid_alive "$pid" kafka.Kafka; then
      sleep 0.5
      pid=$(kafka_pid)
      [ -n "$pid" ] && echo "$pid" >"$KAFKA_PID"
    fi
    if pid_alive "$pid" kafka.Kafka; then
      misses=0
    else
      misses=$((misses + 1))
    fi
    if [ "$misses" -ge 3 ]; then
      log_tail "$KAFKA_OUT"
      rm -f "$KAFKA_PID"
      die "kafka exited during startup (full log: $KAFKA_LOGS/server.log)"
    fi
    if [ "$started" -eq 0 ] && port_open "$KAFKA_PORT" && grep -q 'Kafka Server started' "$KAFKA_OUT"; then
      started=1
    fi
    if [ "$started" -eq 1 ] && kafka_java_cmd tools \
       && timeout 30 "${KAFKA_JAVA[@]}" org.apache.kafka.tools.TopicCommand \
            --bootstrap-server "$HOST:$KAFKA_PORT" --list >/dev/null 2>>"$KAFKA_LOGS/readiness.log"; then
      break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log_tail "$KAFKA_OUT"
      log_tail "$KAFKA_LOGS/readiness.log" 10
      say "kafka: not ready after ${KAFKA_START_TIMEOUT}s; stopping it"
      terminate "$pid" kafka 10 || true
      rm -f "$KAFKA_PID"
      die "kafka did not become ready within ${KAFKA_START_TIMEOUT}s"
    fi
    sleep 1
  done
  say "kafka up (127.0.0.1:$KAFKA_PORT, pid $pid, data $KAFKA_DATA)"
}

stop_kafka() {
  local pid
  pid=$(kafka_pid)
  if [ -z "$pid" ]; then
    say "kafka not running"
    rm -f "$KAFKA_PID"
    return 0
  fi
  say "kafka: stopping (pid $pid)"
  terminate "$pid" kafka "$KAFKA_STOP_TIMEOUT"
  rm -f "$KAFKA_PID"
  say "kafka stopped"
}

# ---------------------------------------------------------------- commands
cmd_start() {
  local t0=$SECONDS
  mkdir -p "$LOCAL_DIR"
  say "local dir $LOCAL_DIR"
  start_postgres
  start_redis
  start_kafka
  say "all up in $((SECONDS - t0))s  (eval \"\$($0 env)\" for the FRONTDESK_ variables)"
}

cmd_stop() {
  local rc=0
  # Each stop is attempted even if an earlier one failed.
  ( stop_kafka ) || rc=1
  ( stop_redis ) || rc=1
  ( stop_postgres ) || rc=1
  [ "$rc" -eq 0 ] || die "some components did not stop cleanly"
  say "all stopped"
}

cmd_status() {
  local down=0 pid
  pg_locate
  if pg_running; then
    pid=$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
    say "postgres up    (pid $pid, 127.0.0.1:$PG_PORT, data $PG_DATA)"
  else
    say "postgres down"; down=1
  fi
  pid=$(redis_pid)
  if [ -n "$pid" ]; then
    say "redis    up    (pid $pid, 127.0.0.1:$REDIS_PORT, data $REDIS_DIR)"
  else
    say "redis    down"; down=1
  fi
  pid=$(kafka_pid)
  if [ -n "$pid" ] && port_open "$KAFKA_PORT"; then
    say "kafka    up    (pid $pid, 127.0.0.1:$KAFKA_PORT, data $KAFKA_DATA)"
  elif [ -n "$pid" ]; then
    say "kafka    starting (pid $pid, port $KAFKA_PORT not accepting connections yet)"; down=1
  else
    say "kafka    down"; down=1
  fi
  return "$down"
}

cmd_env() {
  cat <<EOF
export FRONTDESK_DATABASE_HOST=$HOST
export FRONTDESK_DATABASE_PORT=$PG_PORT
export FRONTDESK_DATABASE_USER=postgres
export FRONTDESK_REDIS_URL=redis://$HOST:$REDIS_PORT/0
export FRONTDESK_KAFKA_BOOTSTRAP=$HOST:$KAFKA_PORT
EOF
}

cmd_kafka_run() {
  [ $# -ge 1 ] || die "usage: $0 kafka-run CLASS [ARGS...]"
  ensure_java
  compgen -G "$KAFKA_LIBS/*.jar" >/dev/null || die "no Kafka jars in $KAFKA_LIBS: run '$0 start' first"
  mkdir -p "$KAFKA_LOGS"
  kafka_java tools "$@"
}

haproxy_pidfile() { echo "$LOCAL_DIR/haproxy-$1.pid"; }

cmd_haproxy_start() {
  [ $# -ge 2 ] || die "usage: $0 haproxy-start PORT GATEWAY_URL..."
  local port=$1 pidfile
  pidfile=$(haproxy_pidfile "$port")
  ensure_haproxy_installed
  pid_alive "$(read_pid "$pidfile")" frontdesk_local.balancer \
    && die "a balancer already runs on $port (pid $(read_pid "$pidfile"))"
  mkdir -p "$LOCAL_DIR/logs"
  cd "$ROOT"
  nohup "$ROOT/.venv/bin/python" -m frontdesk_local.balancer "$@" \
    </dev/null >"$LOCAL_DIR/logs/haproxy-$port.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do
    port_open "$port" && { say "haproxy on $HOST:$port"; return 0; }
    sleep 0.1
  done
  log_tail "$LOCAL_DIR/logs/haproxy-$port.log"
  die "haproxy did not start on $port"
}

cmd_haproxy_stop() {
  [ $# -eq 1 ] || die "usage: $0 haproxy-stop PORT"
  local pidfile
  pidfile=$(haproxy_pidfile "$1")
  local pid
  pid=$(read_pid "$pidfile")
  if pid_alive "$pid" frontdesk_local.balancer; then terminate "$pid" haproxy 10; fi
  rm -f "$pidfile"
}

prometheus_dir() { echo "$LOCAL_DIR/prometheus-$1"; }

cmd_prometheus_start() {
  [ $# -ge 2 ] || die "usage: $0 prometheus-start PORT OPS_HOST:PORT..."
  local port=$1 dir target
  shift
  dir=$(prometheus_dir "$port")
  ensure_prometheus_installed
  pid_alive "$(read_pid "$dir/pid")" prometheus && die "prometheus already runs on $port"
  rm -rf "$dir" && mkdir -p "$dir"
  # One-second scrapes and evaluations, so a test's short workload shows up within seconds.
  {
    echo "global: {scrape_interval: 1s, evaluation_interval: 1s}"
    echo "rule_files: [$ROOT/deploy/observability/alerts.yml]"
    echo "scrape_configs:"
    echo "  - job_name: frontdesk"
    echo "    static_configs:"
    echo "      - targets:"
    for target in "$@"; do echo "          - $target"; done
  } >"$dir/prometheus.yml"
  nohup prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --web.listen-address="$HOST:$port" --enable-feature=exemplar-storage \
    </dev/null >"$dir/prometheus.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 1 100); do
    port_open "$port" && { say "prometheus on $HOST:$port"; return 0; }
    sleep 0.1
  done
  log_tail "$dir/prometheus.log"
  die "prometheus did not start on $port"
}

cmd_prometheus_stop() {
  [ $# -eq 1 ] || die "usage: $0 prometheus-stop PORT"
  local dir pid
  dir=$(prometheus_dir "$1")
  pid=$(read_pid "$dir/pid")
  if pid_alive "$pid" prometheus; then terminate "$pid" prometheus 10; fi
  rm -rf "$dir"
}

coturn_dir() { echo "$LOCAL_DIR/coturn-$1"; }

cmd_coturn_start() {
  [ $# -eq 1 ] || die "usage: $0 coturn-start PORT"
  local port=$1 dir
  dir=$(coturn_dir "$port")
  ensure_coturn_installed
  pid_alive "$(read_pid "$dir/pid")" turnserver && die "coturn already runs on $port"
  rm -rf "$dir" && mkdir -p "$dir"
  # use-auth-secret: credentials are the TURN REST API's (username "<expiry>:<user>",
  # password base64(HMAC-SHA1(secret, username))), minted by the gateway per call.
  # Everything is on loopback here, so loopback peers must be allowed (coturn refuses them
  # by default); no CLI, no TLS, no database.
  {
    echo "listening-ip=$HOST"
    echo "relay-ip=$HOST"
    echo "listening-port=$port"
    echo "min-port=$((port + 1))"
    echo "max-port=$((port + 49))"
    echo "realm=frontdesk.local"
    echo "use-auth-secret"
    echo "static-auth-secret=${FRONTDESK_TURN_SECRET:-frontdesk-dev-turn-secret}"
    echo "allow-loopback-peers"
    echo "fingerprint"
    echo "no-cli"
    echo "no-tls"
    echo "no-dtls"
    echo "no-multicast-peers"
    echo "userdb=$dir/turndb"
    echo "pidfile=$dir/turnserver.pid"
    echo "log-file=stdout"
    echo "simple-log"
  } >"$dir/turnserver.conf"
  nohup turnserver -c "$dir/turnserver.conf" </dev/null >"$dir/turnserver.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 1 100); do
    port_open "$port" && { say "coturn on $HOST:$port"; return 0; }
    sleep 0.1
  done
  log_tail "$dir/turnserver.log"
  die "coturn did not start on $port"
}

cmd_coturn_stop() {
  [ $# -eq 1 ] || die "usage: $0 coturn-stop PORT"
  local dir pid
  dir=$(coturn_dir "$1")
  pid=$(read_pid "$dir/pid")
  if pid_alive "$pid" turnserver; then terminate "$pid" coturn 10; fi
  rm -rf "$dir"
}

usage() {
  echo "usage: $0 {start|stop|status|env|haproxy-install|chromium-install|deploy-checks-install|prometheus-install|prometheus-start PORT TARGET...|prometheus-stop PORT|coturn-install|coturn-start PORT|coturn-stop PORT|haproxy-start PORT URL...|haproxy-stop PORT|kafka-run CLASS [ARGS...]}" >&2
  exit 2
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  kafka-run) cmd_kafka_run "$@" ;;
  haproxy-install) ensure_haproxy_installed ;;
  chromium-install) ensure_chromium_installed ;;
  deploy-checks-install) ensure_deploy_checks_installed ;;
  prometheus-install) ensure_prometheus_installed ;;
  prometheus-start) cmd_prometheus_start "$@" ;;
  prometheus-stop) cmd_prometheus_stop "$@" ;;
  coturn-install) ensure_coturn_installed ;;
  coturn-start) cmd_coturn_start "$@" ;;
  coturn-stop) cmd_coturn_stop "$@" ;;
  haproxy-start) cmd_haproxy_start "$@" ;;
  haproxy-stop) cmd_haproxy_stop "$@" ;;
  -h | --help | help) usage ;;
  *) echo "stack: unknown command '$cmd'" >&2; usage ;;
esac
