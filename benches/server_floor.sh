#!/usr/bin/env bash
# The psql floor of the server benches (benches/server.rs): the same work as kartlegg's, done
# in psql against the same server data, each timed by hyperfine as a whole psql process.
# A psql process that runs a file of N repetitions, less one that runs an empty file, over N,
# is the time of one repetition without psql's start and connection.
#   - save:     one answer's UPDATE and its history row's INSERT in one transaction (N 1000)
#   - overview: the three SELECTs of the overview of one round over the 357 services (N 100)
#   - compare:  the comparison of two rounds as one query (compare_floor.sql for PG, N 100)
#   - import:   `\copy` into an empty database (the same schema) of the rows the national
#               import writes, one transaction (3 runs)
# Needs target/bench-data/pg, made by `cargo bench --bench server` (and no bench running on
# it), and hyperfine.
#   bash benches/server_floor.sh                  # all four
#   bash benches/server_floor.sh overview compare  # some
set -euo pipefail
cd "$(dirname "$0")/.."

folder=$(realpath target/bench-data/pg)
[ -f "$folder/data/PG_VERSION" ] || {
    echo "no bench server data in $folder: run cargo bench --bench server first" >&2
    exit 1
}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_server_user() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
port=54329
work=$(mktemp -d "$folder/floor.XXXX")
chmod 755 "$work"
# The server as the bench runs it: PostgreSQL's durable defaults (fsync, synchronous_commit
# and full_page_writes on), its socket only.
as_server_user "$bin/pg_ctl" -D "$folder/data" -l "$folder/log" -w \
    -o "-k $folder -c listen_addresses='' -p $port" start >/dev/null
stop() {
    as_server_user "$bin/pg_ctl" -D "$folder/data" -m fast stop >/dev/null || true
    rm -rf "$work"
}
trap stop EXIT

export PGHOST=$folder PGPORT=$port PGUSER=kartlegg
parts=${*:-save overview compare import}
want() { [[ " $parts " == *" $1 "* ]]; }
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

per_op() { # name, N, database, file
    local name=$1 n=$2 db=$3 file=$4
    hyperfine -N --warmup 1 --runs 5 --export-json "$work/$name.json" \
        "psql -X -q -v ON_ERROR_STOP=1 -d $db -f $file" >/dev/null
    hyperfine -N --warmup 1 --runs 5 --export-json "$work/$name-empty.json" \
        "psql -X -q -v ON_ERROR_STOP=1 -d $db -f /dev/null" >/dev/null
    python3 - "$name" "$n" "$work/$name.json" "$work/$name-empty.json" <<'EOF'
import json, sys
name, n, full, empty = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
f = json.load(open(full))["results"][0]
e = json.load(open(empty))["results"][0]
print(f"{name}: {(f['median'] - e['median']) / n * 1000:.3f} ms a repetition "
      f"(median of 5: {f['median']:.3f} s for {n}, psql alone {e['median'] * 1000:.1f} ms; "
      f"min {f['min']:.3f} s, max {f['max']:.3f} s)")
EOF
}

# ---- save: on a copy, as the bench's save ----
if want save; then
q -d postgres -c "DROP DATABASE IF EXISTS floor_writes" -c "CREATE DATABASE floor_writes TEMPLATE national"
read -r answer respondent < <(q -d floor_writes -At -F' ' \
    -c "SELECT id, respondent_id FROM answer ORDER BY rowid LIMIT 1")
python3 - "$answer" "$respondent" >"$work/save.sql" <<'EOF'
import sys
answer, respondent = sys.argv[1], sys.argv[2]
value = 2
for i in range(1000):
    old, value = value, 6 - value
    at = f"2027-06-01T12:00:{i % 60:02}.{i:06}Z"
    print("BEGIN;")
    print(f"UPDATE answer SET value = {value}, missing = NULL, updated_at = '{at}' WHERE id = '{answer}';")
    print("INSERT INTO answer_history (answer_id, respondent_id, old_value, old_missing, old_comment, "
          "new_value, new_missing, new_comment, changed_at) "
          f"VALUES ('{answer}', '{respondent}', {old}, NULL, '', {value}, NULL, '', '{at}');")
    print("COMMIT;")
EOF
per_op save 1000 floor_writes "$work/save.sql"
q -d postgres -c "DROP DATABASE floor_writes"
fi

# ---- overview: the round_scores SELECTs of PgStore over the 357 first rounds ----
if want overview; then
ids=$(q -d national -At -c "SELECT '{' || string_agg(id, ',') || '}' FROM round WHERE label = 'Før samling 1'")
in_n="(NOT EXISTS (SELECT 1 FROM invite i WHERE i.respondent_id = p.id)
     OR (NOT EXISTS (SELECT 1 FROM invite o WHERE o.round_id = p.round_id AND o.withdrawn_at IS NULL)
         AND (SELECT count(*) FROM invite i WHERE i.round_id = p.round_id
              AND i.respondent_id IS NOT NULL) >= 3))"
counted="(NOT EXISTS (SELECT 1 FROM invite i WHERE i.respondent_id = p.id)
     OR (NOT EXISTS (SELECT 1 FROM invite o WHERE o.round_id = p.round_id AND o.withdrawn_at IS NULL)
         AND (SELECT count(*) FROM invite i JOIN respondent_score c ON c.respondent_id = i.respondent_id
              WHERE i.round_id = p.round_id AND c.subdomain_key = s.subdomain_key
                AND c.scored > 0) >= 3))"
for _ in $(seq 100); do
    cat <<EOF
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT j.id, r.kind, p.role, count(*)
FROM unnest('$ids'::text[]) AS j(id) JOIN round r ON r.id = j.id
JOIN respondent p ON p.round_id = j.id AND $in_n
GROUP BY j.id, r.kind, p.role;
SELECT s.round_id, s.subdomain_key, s.scored, s.fraction_sum, s.dont_know, s.not_applicable
FROM unnest('$ids'::text[]) AS j(id)
CROSS JOIN LATERAL (SELECT * FROM round_score s WHERE s.round_id = j.id OFFSET 0) s;
SELECT p.round_id, s.subdomain_key, s.scored, s.fraction_sum, s.dont_know, s.not_applicable
FROM respondent p
CROSS JOIN LATERAL (SELECT * FROM respondent_score s WHERE s.respondent_id = p.id OFFSET 0) s
WHERE p.round_id = ANY('$ids'::text[]) AND p.role = 'consultant' AND $counted;
COMMIT;
EOF
done >"$work/overview.sql"
per_op overview 100 national "$work/overview.sql"
fi

# ---- compare: benches/compare_floor.sql in PostgreSQL's words ----
if want compare; then
{
    echo "\\set service 'Bjørkedal barneverntjeneste'"
    echo "\\set from 'Før samling 1'"
    echo "\\set to 'Etter samling 3'"
    for _ in $(seq 100); do cat benches/compare_floor_pg.sql; done
} >"$work/compare.sql"
per_op compare 100 national "$work/compare.sql"
fi

# ---- import: \copy of the rows the national import wrote, into an empty database ----
want import || exit 0
# Parents before children, as the tables' references need; only tables the import filled.
order="cluster gathering service round respondent answer answer_history plan_item goal
       goal_status round_stage consensus change_log respondent_score round_score erased
       invite own_area need expectations service_facts position attendance"
: >"$work/copy_in.sql"
rows=0
for table in $order; do
    n=$(q -d national -At -c "SELECT count(*) FROM \"$table\"")
    [ "$n" -gt 0 ] || continue
    rows=$((rows + n))
    q -d national -c "\\copy \"$table\" TO '$work/$table.copy'"
    echo "\\copy \"$table\" FROM '$work/$table.copy'" >>"$work/copy_in.sql"
done
pg_dump -h "$folder" -p "$port" -U kartlegg -s national >"$work/schema.sql"
echo "import floor: $rows rows in $(grep -c copy "$work/copy_in.sql") tables ($(du -sh "$work" | cut -f1) of copy files)"
hyperfine -N --runs 3 --export-json "$work/import.json" \
    --prepare "bash -c 'psql -X -q -d postgres -c \"DROP DATABASE IF EXISTS floor_import\" -c \"CREATE DATABASE floor_import\" && psql -X -q -v ON_ERROR_STOP=1 -d floor_import -f $work/schema.sql >/dev/null'" \
    "psql -X -q -v ON_ERROR_STOP=1 -1 -d floor_import -f $work/copy_in.sql" >/dev/null
python3 - "$work/import.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"import (\\copy): median {r['median']:.2f} s of 3 (min {r['min']:.2f}, max {r['max']:.2f})")
EOF
q -d postgres -c "DROP DATABASE floor_import"
