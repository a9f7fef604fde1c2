"""Static mode, migrations: Alembic revisions replayed in down_revision order, so that the
head's enum types are known without a database."""

from __future__ import annotations

import ast
import re

from .model import DEFAULT_SCHEMA, EnumType, InputError, Report
from .static_models import SA_ENUM_CALLS, Module, Scanner

SQL_CREATE = re.compile(
    r"CREATE\s+TYPE\s+(?P<type>[\w.\"]+)\s+AS\s+ENUM\s*\((?P<values>.*?)\)\s*;?\s*$",
    re.I | re.S,
)
SQL_ADD = re.compile(
    r"ALTER\s+TYPE\s+(?P<type>[\w.\"]+)\s+ADD\s+VALUE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?P<value>'(?:[^']|'')*')(?:\s+(?P<where>BEFORE|AFTER)\s+(?P<other>'(?:[^']|'')*'))?",
    re.I,
)
SQL_RENAME_VALUE = re.compile(
    r"ALTER\s+TYPE\s+(?P<type>[\w.\"]+)\s+RENAME\s+VALUE\s+(?P<old>'(?:[^']|'')*')\s+TO\s+"
    r"(?P<new>'(?:[^']|'')*')",
    re.I,
)
SQL_RENAME_TYPE = re.compile(
    r"ALTER\s+TYPE\s+(?P<type>[\w.\"]+)\s+RENAME\s+TO\s+(?P<new>[\w\"]+)", re.I
)
SQL_DROP = re.compile(r"DROP\s+TYPE\s+(?:IF\s+EXISTS\s+)?(?P<type>[\w.\"]+)", re.I)
SQL_LITERAL = re.compile(r"'((?:[^']|'')*)'")


def sql_type_name(text: str) -> tuple[str, str]:
    parts = [p.strip('"') for p in re.findall(r'"[^"]*"|[^.]+', text)]
    if len(parts) == 1:
        return DEFAULT_SCHEMA, parts[0] if text.startswith('"') else parts[0].lower()
    return parts[0], parts[1]


def sql_literal(text: str) -> str:
    return text[1:-1].replace("''", "'")


class Replay:
    """The enum types a chain of migrations leaves behind."""

    def __init__(self, report: Report):
        self.report = report
        self.types: dict[tuple, EnumType] = {}

    def create(self, schema, name, values, where) -> None:
        self.types[(schema, name)] = EnumType(schema, name, list(values), where)

    def get(self, key, where, statement):
        if key not in self.types:
            self.report.warn(where, f"{statement}: type {key[0]}.{key[1]} not created before")
        return self.types.get(key)

    def sql(self, text: str, where: str) -> None:
        for statement in (s.strip() for s in text.split(";")):
            if match := SQL_CREATE.match(statement):
                schema, name = sql_type_name(match["type"])
                values = [sql_literal(v.group(0)) for v in SQL_LITERAL.finditer(match["values"])]
                self.create(schema, name, values, where)
            elif match := SQL_ADD.match(statement):
                t = self.get(sql_type_name(match["type"]), where, "ADD VALUE")
                value = sql_literal(match["value"])
                if not t or value in t.values:
                    continue
                if match["where"]:
                    other = sql_literal(match["other"])
                    at = t.values.index(other) if other in t.values else len(t.values)
                    t.values.insert(at + (match["where"].upper() == "AFTER"), value)
                else:
                    t.values.append(value)
            elif match := SQL_RENAME_VALUE.match(statement):
                t = self.get(sql_type_name(match["type"]), where, "RENAME VALUE")
                old, new = sql_literal(match["old"]), sql_literal(match["new"])
                if t and old in t.values:
                    t.values[t.values.index(old)] = new
            elif match := SQL_RENAME_TYPE.match(statement):
                key = sql_type_name(match["type"])
                t = self.get(key, where, "RENAME TO")
                if t:
                    del self.types[key]
                    t.name = match["new"].strip('"')
                    self.types[(t.schema, t.name)] = t
            elif match := SQL_DROP.match(statement):
                self.types.pop(sql_type_name(match["type"]), None)


def migration_order(migrations: list[Module], report: Report) -> tuple[list[Module], str | None]:
    by_revision = {}
    for m in migrations:
        revision = m.constant(m.assignments["revision"])
        down = m.assignments["down_revision"]
        down_revisions = (
            [m.constant(x) for x in down.elts]
            if isinstance(down, (ast.Tuple, ast.List))
            else [m.constant(down)]
        )
        by_revision[revision] = (m, [d for d in down_revisions if d])
    ordered, done = [], set()

    def visit(revision, stack=()):
        if revision in done:
            return
        if revision in stack:
            raise InputError(f"{by_revision[revision][0].rel}: migration cycle at {revision!r}")
        if revision not in by_revision:
            raise InputError(f"migration {revision!r} is named as a down_revision but not found")
        for down in by_revision[revision][1]:
            visit(down, stack + (revision,))
        done.add(revision)
        ordered.append(by_revision[revision][0])

    for revision in sorted(by_revision, key=str):
        visit(revision)
    referenced = {d for _, downs in by_revision.values() for d in downs}
    heads = sorted(r for r in by_revision if r not in referenced)
    if len(heads) > 1:
        report.warn(ordered[-1].rel, f"several migration heads: {', '.join(heads)}")
    # Alembic joins several heads the same way enumwatch reads alembic_version.
    return ordered, ",".join(heads) if heads else None


def replay_migration(scanner: Scanner, replay: Replay, m: Module) -> None:
    upgrade = next(
        (n for n in m.tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None
    )
    if upgrade is None:
        return
    # Statements in source order: creations through sa.Enum / ENUM (.create(), create_table,
    # add_column) and SQL through op.execute.
    events = []
    for node in ast.walk(upgrade):
        if not isinstance(node, ast.Call):
            continue
        func = m.resolve(node.func) or ""
        if func in SA_ENUM_CALLS:
            events.append((node.lineno, node.col_offset, "enum", node))
        elif func.endswith("op.execute") or func == "execute":
            if node.args:
                text = node.args[0]
                if isinstance(text, ast.Call) and text.args:  # sa.text("...")
                    text = text.args[0]
                sql = m.constant(text)
                if isinstance(sql, str):
                    events.append((node.lineno, node.col_offset, "sql", (node, sql)))
                else:
                    scanner.report.warn(m.where(node), "op.execute with SQL that is not a constant")
    for _, _, kind, item in sorted(events, key=lambda e: (e[0], e[1])):
        if kind == "sql":
            replay.sql(item[1], m.where(item[0]))
            continue
        where = m.where(item)
        e = scanner.sa_enum(m, item)
        if e.inherit_schema and e.schema is None:
            e.schema = scanner.table_schema(m, item)
        if not e.native or not e.name or e.values is None:
            continue
        if not e.values:
            continue  # a reference (ENUM(name=..., create_type=False)) to a type made elsewhere
        replay.create(e.schema or DEFAULT_SCHEMA, e.name, e.values, where)
