"""The status page in Debian's headless Chromium (tests/support/cdp.py), as an on-call engineer
sees it: called by status_page_browser.sh with the daemon's URL, a psql command line for the
watched database, and where to write the screenshots."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
import cdp  # noqa: E402

base, shots = sys.argv[1], sys.argv[2]
psql = sys.argv[3:]


def check(ok, what):
    if not ok:
        raise AssertionError(what)
    print(f"ok: {what}")


def text(browser, selector):
    return browser.evaluate(f"(document.querySelector({selector!r}) || {{}}).textContent || ''")


browser = cdp.Browser()
try:
    browser.emulate(1280, 900)
    browser.open(base + "/")
    browser.wait_until('document.getElementById("live").textContent === "live"', 10, "the page goes live")
    down = browser.evaluate(
        "Array.from(document.querySelectorAll('#targets tbody tr')).filter(r => r.dataset.target === 'offline')"
        ".map(r => r.className + '|' + r.querySelector('td.state').textContent)[0]")
    check(down.startswith("down|down") and "Connection refused" in down,
          "the unreachable target is marked down with its error: " + down)
    critical = browser.evaluate(
        "Array.from(document.querySelectorAll('#targets tbody tr')).filter(r => r.dataset.target === 'shop')"
        "[0].querySelector('td[data-severity=critical]').textContent")
    check(critical == "1", "the drifting target shows its critical item")

    # Sorting from the keyboard: focus a header's button and press Enter.
    browser.evaluate("document.querySelector('#targets th[data-key=name] button').focus()")
    enter = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13}
    browser.call("Input.dispatchKeyEvent", {"type": "keyDown", "text": "\r", **enter}, session=True)
    browser.call("Input.dispatchKeyEvent", {"type": "keyUp", **enter}, session=True)
    browser.wait_until("document.querySelector('#targets th[data-key=name]').getAttribute('aria-sort') === 'ascending'",
                       5, "Enter on a header sorts the table")
    order = browser.evaluate("Array.from(document.querySelectorAll('#targets tbody tr')).map(r => r.dataset.target)")
    check(order == sorted(order), f"sorted by name: {order}")
    browser.evaluate("{ const f = document.getElementById('filter'); f.value = 'offline';"
                     "f.dispatchEvent(new Event('input')) }")
    visible = browser.evaluate("Array.from(document.querySelectorAll('#targets tbody tr')).filter(r => !r.hidden).map(r => r.dataset.target)")
    check(visible == ["offline"], f"the filter keeps matching rows only: {visible}")
    browser.evaluate("{ const f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input')) }")
    browser.screenshot(os.path.join(shots, "status-overview-light.png"))
    browser.emulate(1280, 900, dark=True)
    browser.screenshot(os.path.join(shots, "status-overview-dark.png"))
    browser.emulate(390, 844, mobile=True)
    browser.screenshot(os.path.join(shots, "status-overview-phone.png"))
    width = browser.evaluate("document.documentElement.scrollWidth")
    check(width <= 390, f"the overview fits a phone's width ({width}px)")

    # A change committed to the database shows in the open page, without a reload.
    browser.emulate(1280, 900)
    browser.evaluate("window.notReloaded = 42")
    subprocess.run(psql + ["-c", "CREATE TYPE surprise AS ENUM ('x')"], check=True)
    browser.wait_until(
        "Array.from(document.querySelectorAll('#targets tbody tr')).filter(r => r.dataset.target === 'shop')"
        "[0].querySelector('td[data-severity=info]').textContent === '2'", 15,
        "the overview row counts the new unexpected type")
    check(browser.evaluate("window.notReloaded") == 42, "the overview updated live, not by a reload")
    labels = browser.evaluate(
        "Array.from(document.querySelectorAll('#targets tbody tr')).filter(r => r.dataset.target === 'shop')"
        "[0].querySelector('td.labels').textContent")
    check("team=payments" in labels, "the swapped-in row is the daemon's whole row, labels too: " + labels)

    browser.open(base + "/targets/shop")
    browser.wait_until('document.getElementById("live").textContent === "live"', 10, "the target page goes live")
    page = browser.evaluate("document.getElementById('drift').textContent")
    check("missing_value" in page and "refunded" in page, "the drifting item is listed with its message")
    sql = browser.evaluate("Array.from(document.querySelectorAll('pre code')).map(c => c.textContent).join('\\n')")
    check("ADD VALUE IF NOT EXISTS 'refunded'" in sql, "its remediation SQL is on the page")
    check(browser.evaluate("document.querySelectorAll('button.copy').length") >= 1, "with a copy button")
    who = browser.evaluate("Array.from(document.querySelectorAll('dd.changed-by')).map(d => d.textContent).join('\\n')")
    check('"CREATE TYPE surprise AS ENUM (\'x\')" by role postgres (application_name psql) from 127.0.0.1 at '
          in who, "the new type's item says who created it: " + who)
    check("<script>window.pwned=1</script>" in page, "a catalog name holding <script> is shown as text")
    check(browser.evaluate("typeof window.pwned") == "undefined", "and never runs")
    browser.screenshot(os.path.join(shots, "status-target-light.png"))
    browser.emulate(1280, 900, dark=True)
    browser.screenshot(os.path.join(shots, "status-target-dark.png"))
    browser.emulate(1280, 900)

    browser.evaluate("window.notReloaded = 43")
    subprocess.run(psql + ["-c", "ALTER TYPE order_status ADD VALUE 'refunded'"], check=True)
    browser.wait_until("!document.getElementById('drift').textContent.includes('missing_value')", 15,
                       "the fixed item leaves the open target page")
    check(browser.evaluate("window.notReloaded") == 43, "the target page updated live, not by a reload")
    check(text(browser, "#drift-count") == "2", "the count follows: " + text(browser, "#drift-count"))
    changes = browser.evaluate("document.querySelector('ol.changes').textContent")
    check(changes.index("ADD VALUE 'refunded'") < changes.index("CREATE TYPE surprise"),
          "the changelog shows the new change first, live: " + changes)
finally:
    browser.close()
