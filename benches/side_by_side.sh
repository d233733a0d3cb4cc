#!/usr/bin/env bash
# The whole-process numbers in BENCHMARKS.md: `kartlegg compare` beside the same comparison
# as one SQL query in the sqlite3 shell and as a pandas script on the CSV export, and the
# peak memory of kartlegg's national operations. Needs sqlite3, hyperfine, GNU time and
# pandas (apt-get install sqlite3 hyperfine time; pip install pandas).
#
#   bash benches/side_by_side.sh            # everything
#   bash benches/side_by_side.sh memory     # only the peak memory
set -euo pipefail
cd "$(dirname "$0")/.."

only=${1:-all}
data=target/bench-data
db=$data/national.db
k=target/release/kartlegg
service='Bjørkedal barneverntjeneste'
from='Før samling 1'
to='Etter samling 3'

cargo build --release --quiet
mkdir -p "$data"
if [ ! -f "$db" ]; then
    # The same database the criterion benches build (seed 2026).
    "$k" demo --scale national --seed 2026 --db "$db"
fi
[ -f "$data/national.csv" ] || "$k" export --db "$db" --format csv --out "$data/national.csv"
[ -f "$data/national.json" ] || "$k" export --db "$db" --format json --identified --out "$data/national.json"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
    "$(free -g | awk '/Mem:/ {print $2}') GiB; load: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$only" = all ]; then
    "$k" compare --db "$db" --service "$service" --from "$from" --to "$to" --format json \
        > "$data/compare.json"
    python3 benches/pandas_compare.py "$data/national.csv" "$service" "$from" "$to" \
        --check "$data/compare.json"

    floor="sqlite3 -readonly $db \".param set :service '$service'\" \".param set :from '$from'\" \".param set :to '$to'\" \".read benches/compare_floor.sql\""
    compare="$k compare --db $db --service '$service' --from '$from' --to '$to' --format json"
    hyperfine -N --warmup 10 --runs 100 --export-markdown "$data/compare.md" \
        -n 'sqlite3 shell, one query' "$floor" \
        -n 'kartlegg compare --format json' "$compare"
    hyperfine --warmup 1 --runs 5 --export-markdown "$data/pandas.md" \
        -n 'pandas on the CSV export' \
        "python3 benches/pandas_compare.py $data/national.csv '$service' '$from' '$to' > /dev/null"
fi

# Peak memory (maximum resident set size) of each operation as a whole process.
peak() {
    local name=$1
    shift
    # Each starts with the disk settled: an export just before leaves hundreds of MB still
    # to be written out, which slowed the import after it by a second.
    sync
    /usr/bin/time -f "%M %e" -o "$data/time.out" "$@" > /dev/null 2>&1
    read -r kib seconds < "$data/time.out"
    printf '| %s | %d MiB | %s s |\n' "$name" $(( (kib + 1023) / 1024 )) "$seconds"
}

# The overview in the full-screen program: the largest cluster (Innlandet, 46 services,
# 82 rows down the services list), then the next round; the keys go through a pty.
overview() {
    local keys
    keys=$(printf 'j%.0s' $(seq 82))
    (sleep 1; printf '%s' "$keys"; sleep 1; printf 'o'; sleep 2; printf '\033[C'; sleep 2; printf 'q') |
        script -qfec "stty rows 40 cols 120; $k --db $db" /dev/null
}
export -f overview
export k db

echo '| operation | peak memory | time |'
echo '| --- | --- | --- |'
peak 'compare (one service, two rounds)' \
    "$k" compare --db "$db" --service "$service" --from "$from" --to "$to" --format json
peak 'cluster overview in the program (46 services, two rounds)' bash -c overview
peak 'export, JSON' "$k" export --db "$db" --format json --identified --out "$data/export-again.json"
peak 'export, CSV' "$k" export --db "$db" --format csv --out "$data/export-again.csv"
rm -f "$data/import.db" "$data/import.db-wal" "$data/import.db-shm"
peak 'import into an empty database' "$k" import --db "$data/import.db" "$data/national.json"
rm -f "$data/import.db" "$data/import.db-wal" "$data/import.db-shm" "$data"/export-again.*
peak 'pandas on the CSV export' \
    python3 benches/pandas_compare.py "$data/national.csv" "$service" "$from" "$to"
