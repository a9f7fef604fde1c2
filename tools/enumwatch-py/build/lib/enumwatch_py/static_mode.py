"""Static mode as a whole: the models' enums, the migrations' head, and --map, merged."""

from __future__ import annotations

from .migration_replay import Replay, migration_order, replay_migration
from .django_models import DjangoScanner
from .model import DEFAULT_SCHEMA, CheckEnum, EnumType, InputError, Report
from .static_models import Module, Scanner, python_files


def non_native_check(e, report: Report) -> CheckEnum | None:
    """sa.Enum(native_enum=False, create_constraint=True): a VARCHAR column with a CHECK."""
    label = e.name or "enum"
    if not e.create_constraint:
        report.note(
            e.where,
            f"{label}: native_enum=False without create_constraint=True: the database does not "
            "check the values, skipped",
        )
        return None
    if e.values is None:
        return None  # already warned
    if not e.table or not e.column:
        report.warn(e.where, f"{label}: native_enum=False, but its table and column are not plain names: skipped")
        return None
    if e.length is not None and any(len(v) > e.length for v in e.values):
        report.warn(
            e.where,
            f"{label}: length={e.length} is shorter than the value "
            f"{max(e.values, key=len)!r}: VARCHAR({e.length}) cannot hold it",
        )
    return CheckEnum(e.schema or DEFAULT_SCHEMA, e.table, e.column, list(e.values), e.where)


def scan(paths: list[str], report: Report, mappings: dict) -> tuple[list[EnumType], list[CheckEnum], str | None]:
    modules = [Module(path) for path in python_files(paths)]
    scanner = Scanner(report, mappings)
    scanner.collect_classes(modules)
    django = DjangoScanner(report)
    django.collect_choices(modules)
    migrations = [m for m in modules if m.is_migration()]
    for m in modules:
        if not m.is_migration():
            scanner.scan_models(m)
            django.scan_models(m)

    checks: dict[tuple, CheckEnum] = {}
    for c in django.checks:
        checks.setdefault((c.schema, c.table, c.column), c)
    result: dict[tuple, EnumType] = {}
    for e in scanner.model_enums:
        if not e.native:
            check = non_native_check(e, report)
            if check:
                checks.setdefault((check.schema, check.table, check.column), check)
            continue
        if not e.name:
            report.warn(e.where, "an enum without name= and without an enum class: skipped")
            continue
        if e.values is None:
            continue  # already warned
        if not e.values:
            continue  # a reference to a type created elsewhere, e.g. ENUM(name=..., create_type=False)
        key = (e.schema or DEFAULT_SCHEMA, e.name)
        if key in result and result[key].values != e.values:
            report.warn(
                e.where,
                f"{key[0]}.{key[1]} is defined with other values at {result[key].origin}: "
                f"{result[key].values} vs {e.values}; keeping the first",
            )
            continue
        result.setdefault(key, EnumType(key[0], key[1], e.values, e.where))

    head = None
    if migrations:
        ordered, head = migration_order(migrations, report)
        replay = Replay(report)
        for m in ordered:
            replay_migration(scanner, replay, m)
        for key, t in replay.types.items():
            if key not in result:
                result[key] = t
            elif result[key].values != t.values:
                report.warn(
                    result[key].origin,
                    f"the models and the migrations disagree on {key[0]}.{key[1]}: models "
                    f"{result[key].values}, migrations at head {t.values}; the snapshot follows "
                    "the models",
                )

    for cls, (schema, name) in sorted(mappings.items()):
        if name is None:
            continue
        py = scanner.classes.get(cls)
        if not py:
            raise InputError(f"--map {cls}=...: no enum class {cls} in the scanned code")
        py.used = True
        key = (schema or DEFAULT_SCHEMA, name)
        values = [v for _, v, _ in py.members]
        if any(v is None for v in values):
            raise InputError(f"{py.where}: --map {cls}: its values are not all strings")
        if key not in result:
            result[key] = EnumType(key[0], key[1], values, py.where)
    for key, py in sorted((k, v) for k, v in scanner.classes.items() if v and "." in k):
        if not py.used and py.kind != "int" and py.name not in mappings and key not in mappings:
            report.warn(
                py.where,
                f"enum class {py.name} maps to no database type: pass --map "
                f"{py.name}=schema.type, or --map {py.name}=- if PostgreSQL does not store it",
            )
    return list(result.values()), list(checks.values()), head
