"""Import mode: the application's SQLAlchemy MetaData says which enum types it would create."""

from __future__ import annotations

import importlib
import os
import sys

from .model import DEFAULT_SCHEMA, CheckEnum, EnumType, InputError, Report


def from_metadata(spec: str, paths: list[str], report: Report) -> tuple[list[EnumType], list[CheckEnum]]:
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise InputError(f"--metadata {spec!r}: write module.path:attribute, e.g. app.models:Base.metadata")
    for p in reversed([os.getcwd()] + (paths or [])):
        if p not in sys.path:
            sys.path.insert(0, p)
    try:
        import sqlalchemy
        from sqlalchemy import create_mock_engine
        from sqlalchemy.sql import sqltypes
    except ImportError as e:
        raise InputError(
            "--metadata needs SQLAlchemy importable by this python; use --scan to read the "
            f"source without it ({e})"
        ) from e
    try:
        target = importlib.import_module(module_name)
    except Exception as e:  # the application's import error, whatever it is
        raise InputError(f"--metadata: importing {module_name} failed: {type(e).__name__}: {e}") from e
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError as e:
            raise InputError(f"--metadata: {module_name} has no {attribute}") from e
    if not isinstance(target, sqlalchemy.MetaData):
        raise InputError(f"--metadata: {spec} is a {type(target).__name__}, not a MetaData")

    created = []
    engine = create_mock_engine("postgresql://", lambda sql, *a, **k: created.append(sql))
    target.create_all(engine, checkfirst=False)
    enums = []
    for ddl in created:
        if type(ddl).__name__ != "CreateEnumType":
            continue
        t = ddl.element
        where = f"{module_name}:{t.name}"
        enums.append(EnumType(t.schema or DEFAULT_SCHEMA, t.name, list(t.enums), where))

    def enum_types(column_type):
        inner = getattr(column_type, "item_type", None)  # ARRAY
        if inner is not None:
            yield from enum_types(inner)
        impl = getattr(column_type, "impl", None)  # TypeDecorator
        if impl is not None and not isinstance(impl, type):
            yield from enum_types(impl)
        if isinstance(column_type, sqltypes.Enum):
            yield column_type

    checks = []
    for table in target.sorted_tables:
        for column in table.columns:
            for t in enum_types(column.type):
                where = f"{table.fullname}.{column.name}"
                if not t.native_enum:
                    if getattr(t, "create_constraint", False):
                        checks.append(
                            CheckEnum(table.schema or DEFAULT_SCHEMA, table.name, column.name, list(t.enums), where)
                        )
                    else:
                        report.note(
                            where,
                            f"{t.name}: native_enum=False without create_constraint=True: the "
                            "database does not check the values, skipped",
                        )
                    continue
                cls = getattr(t, "enum_class", None)
                if cls is not None and getattr(t, "values_callable", None) is None:
                    members = list(cls.__members__.values())
                    if any(m.name != m.value for m in members):
                        report.warn(
                            where,
                            f"Enum({cls.__name__}) without values_callable stores member NAMES "
                            f"({', '.join(m.name for m in members)}), not values "
                            f"({', '.join(str(m.value) for m in members)}): the snapshot holds "
                            "the names",
                        )
    return enums, checks
