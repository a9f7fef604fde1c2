"""Static mode, models: Python enum classes and sa.Enum / postgresql.ENUM columns, read with
`ast` (nothing is imported), and --map from enum classes to database type names."""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass

from .model import InputError, Report

SA_ENUM_CALLS = {
    "sqlalchemy.Enum",
    "sqlalchemy.types.Enum",
    "sqlalchemy.sql.sqltypes.Enum",
    "sqlalchemy.dialects.postgresql.ENUM",
    "sqlalchemy.dialects.postgresql.Enum",
    "sqlalchemy.dialects.postgresql.base.ENUM",
    "sqlalchemy.dialects.postgresql.named_types.ENUM",
}
PY_ENUM_BASES = {
    "enum.Enum": "enum",
    "enum.StrEnum": "strenum",
    "enum.IntEnum": "int",
    "enum.Flag": "int",
    "enum.IntFlag": "int",
}


def parse_mapping(text: str, where: str) -> tuple[str, str | None, str | None]:
    """'Class=schema.type' (or 'Class=type', or 'Class=-' for "not a database type")."""
    if "=" not in text:
        raise InputError(f"{where}: {text!r}: write Class=schema.type (or Class=- to skip it)")
    cls, target = (part.strip() for part in text.split("=", 1))
    if not cls or not target:
        raise InputError(f"{where}: {text!r}: write Class=schema.type (or Class=- to skip it)")
    if target == "-":
        return cls, None, None
    schema, _, name = target.rpartition(".")
    return cls, schema or None, name


def load_mappings(options) -> dict:
    mappings = {}
    for path in options.map_file or []:
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError as e:
            raise InputError(f"{path}: cannot read the mapping file: {e.strerror}") from e
        for number, line in enumerate(lines, 1):
            line = line.split("#", 1)[0].strip()
            if line:
                cls, schema, name = parse_mapping(line, f"{path}:{number}")
                mappings[cls] = (schema, name)
    for text in options.map or []:
        cls, schema, name = parse_mapping(text, "--map")
        mappings[cls] = (schema, name)
    return mappings


@dataclass
class PyEnum:
    name: str
    qualname: str  # module.Class
    kind: str  # enum | strenum | int | unknown
    members: list  # [(name, value or None, node)]
    where: str
    used: bool = False


@dataclass
class SaEnum:
    schema: str | None
    name: str | None
    values: list | None
    where: str
    native: bool = True
    inherit_schema: bool = False
    create_constraint: bool = False
    length: int | None = None
    table: str | None = None  # native_enum=False: the column it types, for [[check]]
    column: str | None = None


def dotted(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


class Module:
    """One parsed source file and what its imports make of names."""

    def __init__(self, path: str):
        self.path = path
        self.rel = os.path.relpath(path)
        if self.rel.startswith(".."):
            self.rel = os.path.abspath(path)
        try:
            with open(path, encoding="utf-8") as f:
                self.text = f.read()
            self.tree = ast.parse(self.text, filename=path)
        except OSError as e:
            raise InputError(f"{path}: cannot read: {e.strerror}") from e
        except (SyntaxError, ValueError) as e:
            line = getattr(e, "lineno", None)
            raise InputError(f"{path}:{line or 0}: cannot parse: {getattr(e, 'msg', e)}") from e
        self.module = module_name(path)
        self.aliases = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    self.aliases[a.asname or a.name.split(".")[0]] = (
                        a.name if a.asname else a.name.split(".")[0]
                    )
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        self.assignments = {}
        for node in self.tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                if isinstance(node.targets[0], ast.Name):
                    self.assignments[node.targets[0].id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                if node.value is not None:
                    self.assignments[node.target.id] = node.value  # revision: str = "..."
        self.functions = {n.name: n for n in self.tree.body if isinstance(n, ast.FunctionDef)}

    def where(self, node) -> str:
        return f"{self.rel}:{getattr(node, 'lineno', 0)}"

    def resolve(self, node) -> str | None:
        """The fully qualified name a Name/Attribute refers to, through the imports."""
        name = dotted(node)
        if not name:
            return None
        head, _, rest = name.partition(".")
        if head in self.aliases:
            return self.aliases[head] + ("." + rest if rest else "")
        return name

    def constant(self, node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name) and node.id in self.assignments:
            value = self.assignments[node.id]
            return value.value if isinstance(value, ast.Constant) else None
        return None

    def is_migration(self) -> bool:
        return "revision" in self.assignments and "down_revision" in self.assignments


def module_name(path: str) -> str:
    """The dotted name Python would import the file as: up through the package directories."""
    directory, file = os.path.split(os.path.abspath(path))
    parts = [os.path.splitext(file)[0]]
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        directory, package = os.path.split(directory)
        parts.insert(0, package)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def python_files(paths: list[str]) -> list[str]:
    files = []
    for path in paths:
        if os.path.isfile(path):
            files.append(path)
        elif os.path.isdir(path):
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(
                    d for d in dirnames if not d.startswith(".") and d != "__pycache__"
                )
                for name in sorted(filenames):
                    if name.endswith(".py"):
                        files.append(os.path.join(dirpath, name))
        else:
            raise InputError(f"{path}: no such file or directory")
    return files


class Scanner:
    def __init__(self, report: Report, mappings: dict):
        self.report = report
        self.mappings = mappings
        self.classes: dict[str, PyEnum] = {}  # by qualname and by bare name
        self.functions: dict[str, ast.FunctionDef] = {}  # by qualname, for values_callable
        self.model_enums: list[SaEnum] = []
        self.migrations: list[tuple[Module, object]] = []

    # -- Python enum classes ----------------------------------------------------------------

    def collect_classes(self, modules: list[Module]) -> None:
        pending = []
        for m in modules:
            for name, node in m.functions.items():
                self.functions[f"{m.module}.{name}"] = node
            for node in ast.walk(m.tree):
                if isinstance(node, ast.ClassDef):
                    pending.append((m, node))
        # Subclasses of enum bases defined in the scanned code count too: iterate to a fixpoint.
        changed = True
        while changed:
            changed = False
            for m, node in list(pending):
                kind = self.enum_kind(m, node)
                if kind:
                    e = PyEnum(node.name, f"{m.module}.{node.name}", kind, [], m.where(node))
                    e.members = self.members(m, node, kind)
                    self.classes[e.qualname] = e
                    if node.name in self.classes and self.classes[node.name] is not e:
                        self.classes[node.name] = None  # ambiguous bare name
                    else:
                        self.classes[node.name] = e
                    pending.remove((m, node))
                    changed = True

    def enum_kind(self, m: Module, node: ast.ClassDef) -> str | None:
        has_str = False
        kind = None
        for base in node.bases:
            name = m.resolve(base)
            if name == "str":
                has_str = True
            elif name in PY_ENUM_BASES:
                kind = PY_ENUM_BASES[name]
            elif name:
                parent = self.classes.get(name) or self.classes.get(name.rsplit(".", 1)[-1])
                if parent and not parent.members:  # Enum subclasses cannot extend ones with members
                    kind = parent.kind
        if kind == "enum" and has_str:
            return "strenum"
        return kind

    def members(self, m: Module, node: ast.ClassDef, kind: str) -> list:
        out = []
        for stmt in node.body:
            if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
                continue
            target = stmt.targets[0]
            if not isinstance(target, ast.Name) or target.id.startswith("_"):
                continue
            value = stmt.value
            where = m.where(stmt)
            if isinstance(value, ast.Call) and m.resolve(value.func) in ("enum.auto", "auto"):
                if kind == "strenum":
                    # StrEnum and (str, Enum) with _generate_next_value_ differ; StrEnum lowercases.
                    self.report.warn(
                        where,
                        f"{node.name}.{target.id} = auto(): assuming {target.id.lower()!r}; "
                        "write the value out so code and database cannot disagree",
                    )
                    out.append((target.id, target.id.lower(), stmt))
                else:
                    self.report.warn(
                        where, f"{node.name}.{target.id} = auto() is not a string value"
                    )
                    out.append((target.id, None, stmt))
                continue
            constant = m.constant(value)
            if isinstance(constant, str):
                out.append((target.id, constant, stmt))
            else:
                if kind != "int":
                    self.report.warn(
                        where,
                        f"{node.name}.{target.id} has a non-string value "
                        f"({ast.unparse(value)}): it cannot be a PostgreSQL enum label",
                    )
                out.append((target.id, None, stmt))
        return out

    def find_class(self, m: Module, node) -> PyEnum | None:
        name = m.resolve(node)
        if not name:
            return None
        found = self.classes.get(name) or self.classes.get(name.rsplit(".", 1)[-1])
        return found or None

    # -- sa.Enum(...) calls -----------------------------------------------------------------

    def values_callable_kind(self, m: Module, node) -> str | None:
        """'value' or 'name' for the usual values_callable spellings; None if unknown."""
        func = node
        if isinstance(node, ast.Name):
            func = (
                m.functions.get(node.id)
                or m.assignments.get(node.id)
                or self.functions.get(m.resolve(node) or "")
                or node
            )
        body = None
        if isinstance(func, ast.Lambda):
            body = func.body
        elif isinstance(func, ast.FunctionDef) and func.body:
            last = func.body[-1]
            body = last.value if isinstance(last, ast.Return) else None
        if isinstance(body, ast.ListComp):
            elt = body.elt
            if isinstance(elt, ast.Call) and dotted(elt.func) == "str" and elt.args:
                elt = elt.args[0]
            if isinstance(elt, ast.Attribute) and elt.attr in ("value", "name"):
                return elt.attr
        return None

    def sa_enum(self, m: Module, call: ast.Call) -> SaEnum:
        where = m.where(call)
        e = SaEnum(None, None, [], where)
        py = None
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                values = self.comprehension_values(m, arg.value)
                if values is None:
                    self.report.warn(where, f"cannot read the values of {ast.unparse(arg)}")
                    e.values = None
                elif e.values is not None:
                    e.values += values
                continue
            constant = m.constant(arg)
            if isinstance(constant, str):
                if e.values is not None:
                    e.values.append(constant)
                continue
            found = self.find_class(m, arg)
            if found:
                py = found
                continue
            self.report.warn(
                where, f"cannot map {ast.unparse(arg)} to an enum class: pass --scan on its module"
            )
            e.values = None
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        if "name" in keywords:
            e.name = m.constant(keywords["name"])
            if not isinstance(e.name, str):
                self.report.warn(where, f"name={ast.unparse(keywords['name'])} is not a constant")
                e.name = None
        if "schema" in keywords:
            e.schema = m.constant(keywords["schema"])
        if "native_enum" in keywords and m.constant(keywords["native_enum"]) is False:
            e.native = False
        if "inherit_schema" in keywords and m.constant(keywords["inherit_schema"]) is True:
            e.inherit_schema = True
        if "create_constraint" in keywords and m.constant(keywords["create_constraint"]) is True:
            e.create_constraint = True
        if "length" in keywords and isinstance(m.constant(keywords["length"]), int):
            e.length = m.constant(keywords["length"])
        if py:
            py.used = True
            use = "name"
            if "values_callable" in keywords:
                use = self.values_callable_kind(m, keywords["values_callable"])
                if use is None:
                    self.report.warn(
                        where,
                        f"cannot interpret values_callable={ast.unparse(keywords['values_callable'])}"
                        f"; assuming it returns the members' values (use --metadata for exactness)",
                    )
                    use = "value"
            elif any(v is not None and v != n for n, v, _ in py.members):
                self.report.warn(
                    where,
                    f"sa.Enum({py.name}) without values_callable stores member NAMES "
                    f"({', '.join(n for n, _, _ in py.members)}), not values "
                    f"({', '.join(str(v) for _, v, _ in py.members)}): the snapshot holds the "
                    f"names; add values_callable=lambda e: [m.value for m in e] if the database "
                    f"should hold the values",
                )
            if use == "value":
                vals = [v for _, v, _ in py.members]
                e.values = None if any(v is None for v in vals) else vals
            else:
                e.values = [n for n, _, _ in py.members]
            if e.name is None:
                mapped = self.mappings.get(py.name) or self.mappings.get(py.qualname)
                if mapped and mapped[1]:
                    e.schema = e.schema or mapped[0]
                    e.name = mapped[1]
                else:
                    # SQLAlchemy's own default: the class name, lowercased.
                    e.name = py.name.lower()
                    self.report.note(where, f"no name=: SQLAlchemy names the type {e.name!r}")
        return e

    def comprehension_values(self, m: Module, node) -> list | None:
        """[e.value for e in Class] and friends, as written in migrations."""
        if not isinstance(node, (ast.ListComp, ast.GeneratorExp)) or len(node.generators) != 1:
            return None
        py = self.find_class(m, node.generators[0].iter)
        elt = node.elt
        if not py or not isinstance(elt, ast.Attribute) or elt.attr not in ("value", "name"):
            return None
        py.used = True
        if elt.attr == "name":
            return [n for n, _, _ in py.members]
        values = [v for _, v, _ in py.members]
        return None if any(v is None for v in values) else values

    def sa_calls(self, m: Module, root) -> list:
        out = []
        for node in ast.walk(root):
            if isinstance(node, ast.Call) and m.resolve(node.func) in SA_ENUM_CALLS:
                out.append(node)
        return sorted(out, key=lambda n: (n.lineno, n.col_offset))

    def table_schema(self, m: Module, call: ast.Call) -> str | None:
        """The schema of the table a column's enum sits in (for inherit_schema=True)."""
        for node in ast.walk(m.tree):
            if isinstance(node, ast.ClassDef) and any(n is call for n in ast.walk(node)):
                for stmt in node.body:
                    if (
                        isinstance(stmt, ast.Assign)
                        and isinstance(stmt.targets[0], ast.Name)
                        and stmt.targets[0].id == "__table_args__"
                    ):
                        for d in ast.walk(stmt.value):
                            if isinstance(d, ast.Dict):
                                for k, v in zip(d.keys, d.values):
                                    if m.constant(k) == "schema":
                                        return m.constant(v)
            if isinstance(node, ast.Call) and any(n is call for n in ast.walk(node)):
                for k in node.keywords:
                    if k.arg == "schema" and m.resolve(node.func) in (
                        "sqlalchemy.Table",
                        "alembic.op.create_table",
                        "op.create_table",
                    ):
                        return m.constant(k.value)
        return None

    def column_of(self, m: Module, call: ast.Call) -> tuple[str | None, str | None]:
        """(table, column) of the Column/mapped_column an Enum(...) call types, as declared by
        __tablename__ or Table("name", ...), and the column's name argument or attribute."""
        parents = {}
        for node in ast.walk(m.tree):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
        column = table = None
        node = call
        while node in parents:
            parent = parents[node]
            if isinstance(parent, ast.Call):
                func = m.resolve(parent.func) or ""
                if column is None and func.rsplit(".", 1)[-1] in ("Column", "mapped_column"):
                    first = m.constant(parent.args[0]) if parent.args else None
                    if isinstance(first, str):
                        column = first
                    elif isinstance(parents.get(parent), (ast.Assign, ast.AnnAssign)):
                        target = parents[parent]
                        target = target.targets[0] if isinstance(target, ast.Assign) else target.target
                        column = target.id if isinstance(target, ast.Name) else None
                elif func.rsplit(".", 1)[-1] in ("Table", "create_table") and parent.args:
                    first = m.constant(parent.args[0])
                    table = first if isinstance(first, str) else table
            if isinstance(parent, ast.ClassDef):
                for stmt in parent.body:
                    if (
                        isinstance(stmt, ast.Assign)
                        and isinstance(stmt.targets[0], ast.Name)
                        and stmt.targets[0].id == "__tablename__"
                    ):
                        table = m.constant(stmt.value)
                break
            node = parent
        return table, column

    def scan_models(self, m: Module) -> None:
        for call in self.sa_calls(m, m.tree):
            e = self.sa_enum(m, call)
            if (e.inherit_schema or not e.native) and e.schema is None:
                e.schema = self.table_schema(m, call)
            if not e.native:
                e.table, e.column = self.column_of(m, call)
            self.model_enums.append(e)
