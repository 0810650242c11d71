#!/usr/bin/env bash
# Cost of signal_history at 100 million rows (issue 15): a throwaway PostgreSQL 15, the partitioned schema of migration
# 0011 (daily range partitions on ts, a DEFAULT partition, the unique (vin, signal, ts) index), filled with
# INSERT ... SELECT generate_series over 7 past days, then timed: the API's range query (one signal of one car over an
# hour and over a day, random, p50/p99 with pgbench), table and index size per partition, the writer's COPY into an
# empty table, into today's partition of the full table and into a full day's partition, and dropping one day's
# partition against DELETE of another day's rows (plus the VACUUM a DELETE needs afterwards).
#
# Usage: deploy/measure/history-100m.sh start|fill|measure|migrate|stop [cars=1000]
#   start    initdb and start the server in $DIR (default /tmp/dt-history-100m)
#   fill     create the schema and 7 days of 1,440 samples x 10 signals x cars (cars=1000: 100.8 million rows)
#   measure  print the figures (destructive at the end: one day deleted, one dropped)
#   migrate  time migration 0011 on a table of the old shape holding ROWS rows (default 14.4 million)
#   stop     stop the server and delete $DIR
# Server settings: PostgreSQL's durability defaults (fsync, synchronous_commit on) and wal_level=minimal, so that a
# partition created and filled in one transaction skips WAL (only the fill is faster for it; a DELETE is logged
# either way); max_wal_size=4GB so the fill is not dominated by checkpoints; maintenance_work_mem=1GB for index builds.
set -euo pipefail
DIR=${DIR:-/tmp/dt-history-100m}
PORT=${PORT:-55815}
BIN=/usr/lib/postgresql/15/bin
CARS=${2:-1000}
DAYS=7
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
sql() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

case "${1:-}" in
start)
  mkdir -p "$DIR"; [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  as_pg "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR \
    -c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=4GB -c maintenance_work_mem=1GB \
    -c shared_preload_libraries=pg_stat_statements" start >/dev/null
  echo "started on port $PORT in $DIR"
  ;;
fill)
  # The schema as migration 0011 leaves it, without the migrated partition.
  sql <<SQL
CREATE TABLE signal_history
(
    vin text NOT NULL, signal text NOT NULL, ts timestamptz NOT NULL,
    value_num double precision NULL, value_bool boolean NULL, value_text text NULL,
    CONSTRAINT signal_history_one_value CHECK (num_nonnulls(value_num, value_bool, value_text) = 1)
) PARTITION BY RANGE (ts);
CREATE UNIQUE INDEX signal_history_vin_signal_ts ON signal_history (vin, signal, ts);
CREATE TABLE signal_history_default PARTITION OF signal_history DEFAULT;
SQL
  today=$(sql -At -c "SELECT to_char(date_trunc('day', now() AT TIME ZONE 'UTC'), 'YYYY-MM-DD')")
  per_day=$((CARS * 10 * 1440))
  fill_day() {
    local d=$1 name=$2 started=$SECONDS
    # Time order, as cars send it: every minute, every car, every signal. A car's samples sit at its own second.
    # Built as a plain table (no WAL at wal_level=minimal, index sorted once), then attached: ATTACH finds the
    # CHECK that implies the partition bound and skips its own scan.
    sql <<SQL
BEGIN;
CREATE TABLE $name (LIKE signal_history INCLUDING CONSTRAINTS);
INSERT INTO $name (vin, signal, ts, value_num)
SELECT 'WDT' || lpad(((i / 10) % $CARS)::text, 14, '0'),
       'signal_' || (i % 10),
       timestamptz '$d 00:00:00+00' + (i / ($CARS * 10)) * interval '1 minute' + ((i / 10) % $CARS % 60) * interval '1 second',
       random() * 100
FROM generate_series(0::bigint, $per_day - 1) i;
CREATE UNIQUE INDEX ${name}_vin_signal_ts ON $name (vin, signal, ts);
ALTER TABLE $name ADD CONSTRAINT ${name}_bound CHECK (ts >= '$d 00:00:00+00' AND ts < timestamptz '$d 00:00:00+00' + interval '1 day');
COMMIT;
SQL
    echo "filled $name ($per_day rows) in $((SECONDS - started)) s, load $(load)"
  }
  started=$SECONDS
  for k in $(seq $DAYS -1 1); do
    d=$(date -u -d "$today - $k day" +%F)
    fill_day "$d" "signal_history_p$(date -u -d "$d" +%Y%m%d)" &
    # Two at a time: the machine has two cores.
    if (( k % 2 == 0 )); then wait; fi
  done
  wait
  for k in $(seq $DAYS -1 1); do
    d=$(date -u -d "$today - $k day" +%F); name="signal_history_p$(date -u -d "$d" +%Y%m%d)"
    sql -c "ALTER TABLE signal_history ATTACH PARTITION $name FOR VALUES FROM ('$d 00:00:00+00') TO ('$(date -u -d "$d + 1 day" +%F) 00:00:00+00')"
    sql -c "ALTER TABLE $name DROP CONSTRAINT ${name}_bound"
  done
  # Today and three days ahead, empty, as the partition manager keeps them.
  for k in 0 1 2 3; do
    d=$(date -u -d "$today + $k day" +%F)
    sql -c "CREATE TABLE signal_history_p$(date -u -d "$d" +%Y%m%d) PARTITION OF signal_history FOR VALUES FROM ('$d 00:00:00+00') TO ('$(date -u -d "$d + 1 day" +%F) 00:00:00+00')"
  done
  sql -c "VACUUM (ANALYZE) signal_history"
  echo "fill done: $((DAYS * per_day)) rows in $((SECONDS - started)) s, load $(load)"
  ;;
measure)
  today=$(sql -At -c "SELECT to_char(date_trunc('day', now() AT TIME ZONE 'UTC'), 'YYYY-MM-DD')")
  first=$(date -u -d "$today - $DAYS day" +%F)
  echo "== $(date -u +%FT%TZ) rows: $(sql -At -c "SELECT count(*) FROM signal_history"), load $(load)"
  echo "== size per partition"
  sql -c "SELECT c.relname AS partition, c.reltuples::bigint AS rows,
                 pg_size_pretty(pg_relation_size(c.oid)) AS heap, pg_size_pretty(pg_indexes_size(c.oid)) AS indexes,
                 pg_size_pretty(pg_total_relation_size(c.oid)) AS total
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'signal_history'::regclass ORDER BY c.relname"
  sql -At -c "SELECT 'all partitions: ' || pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'signal_history'::regclass"
  work=$(mktemp -d)
  for span in 3600 86400; do
    # The reader's query, as Npgsql sends it (extended protocol, unnamed statement, so a custom plan with pruning).
    cat >"$work/q.sql" <<SQL
\set car random(0, $((CARS - 1)))
\set sig random(0, 9)
\set start random(0, $((DAYS * 86400 - span)))
SELECT ts, value_num, value_bool, value_text FROM signal_history
WHERE vin = 'WDT' || lpad(:car::text, 14, '0') AND signal = 'signal_' || :sig
  AND ts >= timestamptz '$first 00:00:00+00' + :start * interval '1 second'
  AND ts <= timestamptz '$first 00:00:00+00' + (:start + $span) * interval '1 second'
ORDER BY ts LIMIT 100000;
SQL
    (cd "$work" && "$BIN/pgbench" -n -M extended -h 127.0.0.1 -p "$PORT" -U postgres -f q.sql -t 200 -c 1 -l --log-prefix=span$span postgres >/dev/null)
    echo "== range query over $span s, 200 random queries, load $(load)"
    cat "$work"/span$span.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {printf "p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", a[int(NR*0.5)]/1000, a[int(NR*0.99)]/1000, a[NR]/1000}'
  done
  echo "== plan of one hour query"
  sql -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT ts, value_num, value_bool, value_text FROM signal_history
          WHERE vin = 'WDT00000000000042' AND signal = 'signal_3' AND ts >= '$first 10:00:00+00' AND ts <= '$first 11:00:00+00' ORDER BY ts LIMIT 100000"
  echo "== plan of one day query across a partition boundary"
  sql -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT ts, value_num, value_bool, value_text FROM signal_history
          WHERE vin = 'WDT00000000000042' AND signal = 'signal_3' AND ts >= '$first 12:00:00+00' AND ts <= timestamptz '$first 12:00:00+00' + interval '1 day' ORDER BY ts LIMIT 100000"
  # COPY, server side from a binary file (the writer's format, without the client's share of the work): 1 million rows
  # of today's samples into an empty table, into today's empty partition of the full table, and into a full day's
  # partition (14 million rows in its index already, as today's has by evening).
  chmod 777 "$work"
  sql -c "COPY (SELECT 'WDT' || lpad(((i / 10) % $CARS)::text, 14, '0'), 'signal_' || (i % 10),
                       timestamptz '$today 00:00:00+00' + (i / ($CARS * 10)) * interval '1 second' + interval '0.5 s', random() * 100, NULL::boolean, NULL::text
                FROM generate_series(0, 999999) i) TO '$work/today.bin' (FORMAT binary)"
  sql -c "COPY (SELECT 'WDT' || lpad(((i / 10) % $CARS)::text, 14, '0'), 'signal_' || (i % 10),
                       timestamptz '$(date -u -d "$today - 1 day" +%F) 00:00:00+00' + (i / ($CARS * 10)) * interval '1 second' + interval '0.5 s', random() * 100, NULL::boolean, NULL::text
                FROM generate_series(0, 999999) i) TO '$work/full.bin' (FORMAT binary)"
  sql -c "CREATE TABLE empty_history (LIKE signal_history INCLUDING ALL) PARTITION BY RANGE (ts);
          CREATE TABLE empty_history_today PARTITION OF empty_history FOR VALUES FROM ('$today 00:00:00+00') TO ('$(date -u -d "$today + 1 day" +%F) 00:00:00+00');
          CREATE TABLE empty_history_default PARTITION OF empty_history DEFAULT;"
  for target in "empty_history today.bin" "signal_history today.bin" "signal_history full.bin"; do
    set -- $target
    s=$(date +%s.%N); sql -c "COPY $1 FROM '$work/$2' (FORMAT binary)"; e=$(date +%s.%N)
    echo "== COPY 1,000,000 rows into $1 ($2): $(echo "$e - $s" | bc) s, $(echo "1000000 / ($e - $s)" | bc) rows/s, load $(load)"
  done
  sql -c "DROP TABLE empty_history"
  sql -c "DELETE FROM signal_history WHERE ts >= '$today' AND ts < timestamptz '$today' + interval '1 day'"
  echo "== retention: DELETE of day $first (one statement) then VACUUM, against DROP of the next day's partition"
  wal0=$(sql -At -c "SELECT pg_current_wal_lsn()")
  s=$(date +%s.%N); n=$(sql -At -c "WITH d AS (DELETE FROM signal_history WHERE ts >= '$first 00:00:00+00' AND ts < timestamptz '$first 00:00:00+00' + interval '1 day' RETURNING 1) SELECT count(*) FROM d"); e=$(date +%s.%N)
  wal1=$(sql -At -c "SELECT pg_current_wal_lsn()")
  echo "DELETE $n rows: $(echo "$e - $s" | bc) s, WAL $(sql -At -c "SELECT pg_size_pretty(pg_wal_lsn_diff('$wal1', '$wal0'))"), load $(load)"
  s=$(date +%s.%N); sql -c "VACUUM signal_history_p$(date -u -d "$first" +%Y%m%d)"; e=$(date +%s.%N)
  echo "VACUUM after it: $(echo "$e - $s" | bc) s, load $(load)"
  next=$(date -u -d "$first + 1 day" +%Y%m%d)
  s=$(date +%s.%N); sql -c "DROP TABLE signal_history_p$next"; e=$(date +%s.%N)
  echo "DROP partition signal_history_p$next: $(echo "$e - $s" | bc) s, load $(load)"
  rm -rf "$work"
  ;;
migrate)
  # Migration 0011 on a table in the old shape (0002 + 0010) holding ROWS rows of yesterday (default 14.4 million,
  # one day of the fleet above) and 1,000 samples stamped next week: the time the migration holds its lock.
  rows=${ROWS:-14400000}
  root=$(cd "$(dirname "$0")/../.." && pwd)
  sql -c "DROP DATABASE IF EXISTS migrate_cost" -c "CREATE DATABASE migrate_cost"
  msql() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d migrate_cost "$@"; }
  msql -f "$root/src/Persistence/Migrations/Sql/0002_signal_history.sql"
  msql -1 -f "$root/src/Persistence/Migrations/Sql/0010_signal_history_unique_samples.sql"
  yesterday=$(date -u -d "$(date -u +%F) - 1 day" +%F)
  s=$(date +%s)
  msql -c "INSERT INTO signal_history (vin, signal, ts, value_num)
           SELECT 'WDT' || lpad(((i / 10) % $CARS)::text, 14, '0'), 'signal_' || (i % 10),
                  timestamptz '$yesterday 00:00:00+00' + (i / ($CARS * 10)) * (interval '1 day' / ($rows / ($CARS * 10))), random() * 100
           FROM generate_series(0::bigint, $rows - 1) i"
  msql -c "INSERT INTO signal_history (vin, signal, ts, value_num)
           SELECT 'WDTFUTURE' || lpad(i::text, 8, '0'), 'signal_0', now() + interval '7 days', 1 FROM generate_series(1, 1000) i"
  msql -c "VACUUM ANALYZE signal_history"
  echo "old-shape table: $(msql -At -c "SELECT count(*) FROM signal_history") rows, $(msql -At -c "SELECT pg_size_pretty(pg_total_relation_size('signal_history'))") with indexes, filled in $(( $(date +%s) - s )) s, load $(load)"
  s=$(date +%s.%N); msql -1 -f "$root/src/Persistence/Migrations/Sql/0011_signal_history_partitions.sql"; e=$(date +%s.%N)
  echo "migration 0011: $(echo "$e - $s" | bc) s, load $(load)"
  msql -c "SELECT tableoid::regclass AS partition, count(*) FROM signal_history GROUP BY 1"
  sql -c "DROP DATABASE migrate_cost"
  ;;
stop)
  as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null || true
  rm -rf "$DIR"
  echo "stopped, $DIR deleted"
  ;;
*) echo "usage: $0 start|fill|measure|migrate|stop [cars]"; exit 2 ;;
esac
