"""--check: the code against a committed database snapshot, without a database (pre-commit).
The kinds and their reading are enumwatch's (docs/drift-kinds.md); the shared cases in
tests/fixtures/diff_cases.json hold this and the C++ diff to the same answers."""

from __future__ import annotations

import json
import re

from .model import DEFAULT_SCHEMA, EnumType, InputError


def load_snapshot(path: str) -> dict:
    """{(schema, name): values} of an enumwatch snapshot file (TOML, or JSON by extension)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise InputError(f"{path}: cannot read the snapshot: {e.strerror}") from e
    try:
        if path.endswith(".json"):
            doc = json.loads(data)
        else:
            try:
                import tomllib
            except ImportError as e:
                raise InputError(
                    f"{path}: reading TOML needs Python 3.11 or later; commit the snapshot as "
                    "JSON instead (enumwatch snapshot --format json)"
                ) from e
            doc = tomllib.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not a valid snapshot: {e}") from e
    out = {}
    for e in doc.get("enum", []):
        if not isinstance(e, dict) or "name" not in e or not isinstance(e.get("values"), list):
            raise InputError(f"{path}: every [[enum]] needs a name and values")
        out[(e.get("schema", DEFAULT_SCHEMA), e["name"])] = list(e["values"])
    for c in doc.get("check", []):
        if not isinstance(c, dict) or "table" not in c or "column" not in c or not isinstance(c.get("values"), list):
            raise InputError(f"{path}: every [[check]] needs a table, a column and values")
        out[("check", c.get("schema", DEFAULT_SCHEMA), c["table"], c["column"])] = list(c["values"])
    return out


# Simple one-to-one case folding for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
# capitals: exactly what common/src/diff/diff.cpp does, so that both find the same case_mismatch.
# Other scripts, and multi-letter foldings (German "STRASSE" vs "straße"), compare exactly.
def fold_case(cp: int) -> int:
    if 0x41 <= cp <= 0x5A or (0xC0 <= cp <= 0xDE and cp != 0xD7):
        return cp + 32
    if (0x100 <= cp <= 0x137 and cp != 0x130 and cp % 2 == 0) or (0x14A <= cp <= 0x177 and cp % 2 == 0):
        return cp + 1
    if (0x139 <= cp <= 0x148 or 0x179 <= cp <= 0x17E) and cp % 2 == 1:
        return cp + 1
    if cp == 0x178:
        return 0xFF
    if (0x391 <= cp <= 0x3A9 and cp != 0x3A2) or 0x410 <= cp <= 0x42F:
        return cp + 32
    if 0x400 <= cp <= 0x40F:
        return cp + 80
    return cp


def folded(value: str) -> str:
    """"PendingPayment", "pending-payment" and "pending payment" all fold to "pendingpayment"."""
    return "".join(chr(fold_case(ord(c))) for c in re.sub(r"[_\- ]", "", value))


def value_differences(want: list, have: list) -> tuple[list, list, list]:
    """(missing, unexpected, pairs): a missing value pairs with the first unexpected one of the
    same folded spelling, and the pair leaves both lists."""
    missing = [v for v in want if v not in have]
    unexpected = [v for v in have if v not in want]
    pairs = []
    for v in list(missing):
        twin = next((u for u in unexpected if folded(u) == folded(v)), None)
        if twin is not None:
            pairs.append((v, twin))
            missing.remove(v)
            unexpected.remove(twin)
    return missing, unexpected, pairs


def value_drift(name: str, missing: list, unexpected: list, pairs: list) -> list[tuple[str, str, str]]:
    drift = [(name, "case_mismatch", f"the code writes {v!r}, the database has {twin!r}") for v, twin in pairs]
    drift += [(name, "missing_value", f"{v!r} is in the code, not in the database") for v in missing]
    drift += [(name, "unexpected_value", f"{v!r} is in the database, not in the code") for v in unexpected]
    return drift


def compare_checks(code: list, database: dict) -> list[tuple[str, str, str]]:
    """The value-level kinds for CHECK-constraint enums: sets, so never order_mismatch."""
    drift = []
    code_checks = {("check", c.schema, c.table, c.column): c for c in code}
    for key in sorted(code_checks):
        name = f"{key[1]}.{key[2]}.{key[3]}"
        want = code_checks[key].values
        if key not in database:
            drift.append((name, "missing_type", "the code uses it, the database has no such CHECK"))
            continue
        missing, unexpected, pairs = value_differences(want, database[key])
        drift += value_drift(name, missing, unexpected, pairs)
    for key in sorted(k for k in database if k[0] == "check" and k not in code_checks):
        drift.append((f"{key[1]}.{key[2]}.{key[3]}", "unexpected_type", "in the database, not in the code"))
    return drift


def compare(code: list[EnumType], database: dict, checks: list = ()) -> list[tuple[str, str, str]]:
    """(schema.enum, kind, message) for every difference, in the C++ diff's reading: a missing
    value pairs with the first unexpected one of the same folded spelling (case_mismatch), and
    order_mismatch compares the order of the values both sides have once the pairs are renamed,
    whatever else differs."""
    drift = []
    code_types = {(e.schema, e.name): e for e in code}
    for key in sorted(code_types):
        name = f"{key[0]}.{key[1]}"
        want = code_types[key].values
        if key not in database:
            drift.append((name, "missing_type", "the code uses it, the database has no such type"))
            continue
        have = database[key]
        if want == have:
            continue
        missing, unexpected, pairs = value_differences(want, have)
        renamed = [next((s for s, d in pairs if d == v), v) for v in have]
        order_differs = [v for v in want if v in renamed] != [v for v in renamed if v in want]
        drift += value_drift(name, missing, unexpected, pairs)
        if order_differs:
            drift.append((name, "order_mismatch", f"the code has {want}, the database {have}"))
    for key in sorted(k for k in set(database) - set(code_types) if k[0] != "check" or len(k) == 2):
        drift.append((f"{key[0]}.{key[1]}", "unexpected_type", "in the database, not in the code"))
    return drift + compare_checks(list(checks), database)
