#!/usr/bin/env bash
# The status page (docs/status-page.md) in a real browser (Debian's headless chromium): a down target with
# its error, a drifting target's items and SQL, a catalog name holding <script> shown as text,
# sorting from the keyboard, filtering, a phone's width, who made a change (the trigger's log) and
# the changelog, and a change committed to the database showing in the open page without a reload
# (SSE). Screenshots, light and dark, land in $WORK (or
# in docs/screenshots with UPDATE_SCREENSHOTS=1). Without JavaScript, the targets table is there.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
pg_start
psql_q -c "CREATE DATABASE shop"
psql_q -d shop -c "CREATE TYPE order_status AS ENUM ('pending', 'paid')" \
  -c 'CREATE TYPE "<script>window.pwned=1</script>" AS ENUM ('"'a'"')' \
  -c "CREATE TABLE orders (status order_status)"
# The event trigger with its log: the page says who made each change (docs/who-changed-it.md).
"$ENUMWATCH" install-trigger --dsn "$(dsn_for shop)" >/dev/null
cat >"$WORK/app.toml" <<'TOML'
[[enum]]
name = "order_status"
values = ["pending", "paid", "refunded"]
TOML
daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "300ms"
naming = "none"
[snapshots.app]
path = "$WORK/app.toml"
[[target]]
name = "shop"
dsn = "$(dsn_for shop)"
snapshots = ["app"]
labels = { team = "payments", env = "prod" }
[[target]]
name = "offline"
dsn = "host=127.0.0.1 port=1 dbname=none user=none connect_timeout=1"
snapshots = ["app"]
TOML
start_daemon "$WORK/enumwatch.toml"
wait_for 10 "both targets polled" bash -c "curl -sf $BASE/api/v1/status | grep -q 'Connection refused'"

# Without JavaScript: the table is in the HTML, every catalog string escaped, and nothing but the
# page's own inline style and script may load.
curl -sfD "$WORK/headers" "$BASE/" >"$WORK/overview.html"
expect_contains "$(cat "$WORK/overview.html")" 'data-target="offline"'
expect_contains "$(cat "$WORK/overview.html")" 'Connection refused'
expect_contains "$(cat "$WORK/headers")" "Content-Security-Policy: default-src 'none'"
target_html=$(curl -sf "$BASE/targets/shop")
expect_contains "$target_html" '&lt;script&gt;window.pwned=1&lt;/script&gt;'
expect_not_contains "$target_html" '<script>window.pwned'
[[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/targets/nope") == 404 ]] || fail "an unknown target's page is not 404"
row=$(curl -sf "$BASE/targets/shop/row")
[[ $row == '<tr '*'data-target="shop"'* ]] || fail "/targets/shop/row is not the target's row: $row"
name_cell=${row#*<th }
expect_contains "$(cat "$WORK/overview.html")" "<th ${name_cell%%</th>*}</th>" "the overview"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/targets/nope/row") == 404 ]] || fail "an unknown target's row is not 404"
pass "server-rendered: the targets table without JavaScript, catalog strings escaped, a strict CSP, one row alone for live updates"

SHOTS=$WORK/shots
[[ -n ${UPDATE_SCREENSHOTS:-} ]] && SHOTS=$ROOT/docs/screenshots
mkdir -p "$SHOTS"
python3 "$(dirname "$0")/status_page_browser.py" "$BASE" "$SHOTS" \
  psql -X -q -v ON_ERROR_STOP=1 -d shop
for shot in status-overview-light status-overview-dark status-overview-phone status-target-light status-target-dark; do
  [[ $(head -c 8 "$SHOTS/$shot.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "$shot.png is not a PNG"
  (($(stat -c %s "$SHOTS/$shot.png") > 10000)) || fail "$shot.png is suspiciously small"
done
pass "in chromium: down target, drift with SQL, <script> as text, keyboard sorting, live updates"
