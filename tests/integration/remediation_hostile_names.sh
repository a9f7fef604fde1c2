#!/usr/bin/env bash
# Property test: names and values from a hostile alphabet (newlines, quotes, backslashes, $$, --,
# /*, terminal escapes, line separators, non-ASCII, the 63-byte limit) for schemas, types, values,
# tables and columns. For each generated case the drifting database is fixed by piping
# `enumwatch diff --format sql` into psql; afterwards only the intended objects changed: the enum
# matches the snapshot (diff exits 0), every row is intact, and a sentinel table survives.
# Text output never carries a raw control character. Seeded: a failure names its seed.
source "$(dirname "$0")/lib.sh"
pg_start
PY=${SYSTEM_PYTHON:-python3}
CASES=${HOSTILE_CASES:-25}
SEED=${HOSTILE_SEED:-$RANDOM}
echo "seed $SEED, $CASES cases"
"$PY" - "$ENUMWATCH" "$SEED" "$CASES" "$WORK" <<'PY' || fail "hostile names (seed $SEED); rerun with HOSTILE_SEED=$SEED"
import concurrent.futures, json, os, random, subprocess, sys
enumwatch, seed, cases, work = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = random.Random(seed)
PIECES = ["\n", "\r\n", "'", '"', "\\", "$$", "--", "/*", "*/", ";", " ", "\t", "\x1b[31m", "\u2028",
          "\u009b", "DROP TABLE sentinel; --", "é", "ß", "Ω", "😀", "Ж", "a", "B", "_", "%s", "{}", "$1"]

def name(limit=63):
    out = ""
    while True:
        piece = rng.choice(PIECES)
        if len((out + piece).encode()) > limit:
            break
        out += piece
        if rng.random() < 0.25:
            break
    return out or "x"

def long_name():  # right at the 63-byte limit, multi-byte at the end
    base = "n" * 61
    return base + "é"

def ident(s): return '"' + s.replace('"', '""') + '"'
def lit(s): return "'" + s.replace("'", "''") + "'"

def psql(sql, db="postgres", check=True):
    done = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db], input=sql,
                          text=True, capture_output=True)
    if check and done.returncode != 0:
        sys.exit(f"psql failed on {db}: {done.stderr.strip()}\n{sql}")
    return done

def make_case(n):  # draws from the seeded generator: call in order
    schema, type_name = name(), (long_name() if n % 5 == 0 else name())
    table, column = name(), name()
    while table == type_name:  # a table's row type would take the enum's name
        table = name()
    values = []
    while len(values) < rng.randint(3, 6):
        v = name()
        if v not in values:
            values.append(v)
    held = rng.sample(values, rng.randint(1, len(values) - 1))
    dropped = [v for v in values if v not in held]
    added = []
    while len(added) < rng.randint(0, 3):
        v = name()
        if v not in values and v not in added:
            added.append(v)
    snapshot_values = held + added
    rng.shuffle(snapshot_values)
    return schema, type_name, table, column, values, held, snapshot_values

def run_case(n, schema, type_name, table, column, values, held, snapshot_values):
    db = f"hostile{n}"
    psql(f"CREATE DATABASE {db}")
    q_type = ident(schema) + "." + ident(type_name)
    setup = [f"CREATE SCHEMA {ident(schema)};",
             f"CREATE TYPE {q_type} AS ENUM ({', '.join(lit(v) for v in values)});",
             f"CREATE TABLE {ident(schema)}.{ident(table)} (id serial, {ident(column)} {q_type}, "
             f"list {q_type}[]);",
             "CREATE TABLE public.sentinel (x int); INSERT INTO public.sentinel VALUES (42);"]
    for i, v in enumerate(held * 3):
        setup.append(f"INSERT INTO {ident(schema)}.{ident(table)} ({ident(column)}, list) VALUES "
                     f"({lit(v)}, ARRAY[{lit(v)}]::{q_type}[]);")
    psql("\n".join(setup), db)
    rows_before = psql(f"SELECT {ident(column)}::text, list::text FROM {ident(schema)}.{ident(table)} ORDER BY id", db).stdout
    snap = {"snapshot": {"revision": f"case-{n}"},
            "enum": [{"schema": schema, "name": type_name, "values": snapshot_values}]}
    path = os.path.join(work, f"case{n}.json")
    with open(path, "w") as f:
        json.dump(snap, f)
    dsn = f"host=127.0.0.1 port={os.environ['PGPORT']} dbname={db} user=postgres password={os.environ['PGPASSWORD']}"
    text = subprocess.run([enumwatch, "diff", "--snapshot", path, "--dsn", dsn, "--schema", schema],
                          capture_output=True, text=True)
    bad = [c for c in text.stdout + text.stderr if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029"]
    sql = subprocess.run([enumwatch, "diff", "--snapshot", path, "--dsn", dsn, "--schema", schema,
                          "--format", "sql"], capture_output=True, text=True)
    with open(os.path.join(work, f"case{n}.sql"), "w") as f:
        f.write(sql.stdout)
    applied = psql(sql.stdout, db, check=False)
    after = subprocess.run([enumwatch, "diff", "--snapshot", path, "--dsn", dsn, "--schema", schema],
                           capture_output=True, text=True)
    sentinel = subprocess.run(["psql", "-X", "-At", "-d", db, "-c", "SELECT x FROM public.sentinel"],
                              capture_output=True, text=True).stdout.strip()
    rows_after = psql(f"SELECT {ident(column)}::text, list::text FROM {ident(schema)}.{ident(table)} ORDER BY id", db, check=False).stdout
    problems = []
    if bad: problems.append(f"raw control characters in text output: {bad[:5]!r}")
    if applied.returncode != 0: problems.append(f"the SQL failed: {applied.stderr.strip()[:300]}")
    if after.returncode != 0: problems.append(f"drift left after the fix (exit {after.returncode}): {after.stdout[:300]}")
    if sentinel != "42": problems.append("the sentinel table was touched")
    if rows_after != rows_before: problems.append("rows changed")
    if problems:
        return (f"case {n} (schema {schema!r}, type {type_name!r}, db values {values!r}, "
                f"snapshot {snapshot_values!r}): " + "; ".join(problems))
    return None

# The cases are drawn in order (the seed reproduces them), then run three at a time: each has a
# database of its own, and a case spends its time waiting on psql and enumwatch, not on the CPU.
specs = [make_case(n) for n in range(cases)]
with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
    results = list(pool.map(lambda n: run_case(n, *specs[n]), range(cases)))
failures = [r for r in results if r]
for f in failures:
    print(f, file=sys.stderr)
print(f"{cases - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
PY
pass "$CASES hostile cases (seed $SEED)"
