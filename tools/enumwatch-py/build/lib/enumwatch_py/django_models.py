"""Django models, read statically (`ast`, nothing imported) or imported (--django): a CharField
or TextField whose model declares CheckConstraint(check=Q(field__in=[...])) is a CHECK-constraint
enum, enumwatch's [[check]]. Choices alone (TextChoices) are not enforced by the database, so they
make no entry; where both exist and disagree, a warning says so."""

from __future__ import annotations

import ast
import os
import sys

from .model import DEFAULT_SCHEMA, CheckEnum, InputError, Report

MODEL_BASES = {"django.db.models.Model", "django.db.models.base.Model"}
CHOICES_BASES = {
    "django.db.models.TextChoices",
    "django.db.models.enums.TextChoices",
    "django.db.models.Choices",
}
CHECK_CONSTRAINTS = {"django.db.models.CheckConstraint", "django.db.models.constraints.CheckConstraint"}
Q_CALLS = {"django.db.models.Q", "django.db.models.query_utils.Q"}


def app_label(path: str) -> str:
    """Django's default label: the app's directory, the one holding models.py or models/."""
    directory, file = os.path.split(os.path.abspath(path))
    if file != "models.py" and os.path.basename(directory) == "models":
        directory = os.path.dirname(directory)
    return os.path.basename(directory)


class DjangoScanner:
    def __init__(self, report: Report):
        self.report = report
        self.choices: dict[str, list] = {}  # TextChoices class (bare and qualified) -> values
        self.checks: list[CheckEnum] = []

    def collect_choices(self, modules) -> None:
        for m in modules:
            for node in ast.walk(m.tree):
                if isinstance(node, ast.ClassDef) and any(
                    m.resolve(b) in CHOICES_BASES for b in node.bases
                ):
                    values = []
                    for stmt in node.body:
                        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                            value = stmt.value
                            if isinstance(value, ast.Tuple) and value.elts:
                                value = value.elts[0]
                            constant = m.constant(value)
                            if isinstance(constant, str):
                                values.append(constant)
                    self.choices[node.name] = values
                    self.choices[f"{m.module}.{node.name}"] = values

    def values_of(self, m, node) -> list | None:
        """[literals], (literals), Choices.values, [c.value for c in Choices]."""
        if isinstance(node, (ast.List, ast.Tuple)):
            values = [m.constant(e) for e in node.elts]
            return values if all(isinstance(v, str) for v in values) else None
        if isinstance(node, ast.Attribute) and node.attr == "values":
            return self.choice_values(m, node.value)
        if isinstance(node, ast.ListComp) and len(node.generators) == 1:
            elt = node.elt
            if isinstance(elt, ast.Attribute) and elt.attr == "value":
                return self.choice_values(m, node.generators[0].iter)
        return None

    def choice_values(self, m, node) -> list | None:
        name = m.resolve(node) or ""
        return self.choices.get(name) or self.choices.get(name.rsplit(".", 1)[-1])

    def membership(self, m, q) -> tuple[str, list] | None:
        """Q(field__in=[...]) or Q(("field__in", [...])): (field, values); anything else None."""
        if not isinstance(q, ast.Call) or m.resolve(q.func) not in Q_CALLS:
            return None
        pairs = [(k.arg, k.value) for k in q.keywords if k.arg]
        for arg in q.args:
            if isinstance(arg, ast.Tuple) and len(arg.elts) == 2 and isinstance(m.constant(arg.elts[0]), str):
                pairs.append((m.constant(arg.elts[0]), arg.elts[1]))
            else:
                return None
        if len(pairs) != 1 or len(pairs) != len(q.keywords) + len(q.args):
            return None
        lookup, value = pairs[0]
        if not lookup.endswith("__in") or "__" in lookup[: -len("__in")]:
            return None
        values = self.values_of(m, value)
        return (lookup[: -len("__in")], values) if values is not None else None

    def scan_models(self, m) -> None:
        for node in ast.walk(m.tree):
            if isinstance(node, ast.ClassDef) and any(m.resolve(b) in MODEL_BASES for b in node.bases):
                self.scan_model(m, node)

    def scan_model(self, m, cls: ast.ClassDef) -> None:
        meta = next((n for n in cls.body if isinstance(n, ast.ClassDef) and n.name == "Meta"), None)
        options = {}
        if meta:
            for stmt in meta.body:
                if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                    options[stmt.targets[0].id] = stmt.value
        if "abstract" in options and m.constant(options["abstract"]) is True:
            return
        label = m.constant(options["app_label"]) if "app_label" in options else app_label(m.path)
        table = m.constant(options["db_table"]) if "db_table" in options else None
        table = table or f"{label}_{cls.name.lower()}"
        fields = {}  # attribute -> (column, choices values or None)
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                call = stmt.value
                if isinstance(call, ast.Call):
                    keywords = {k.arg: k.value for k in call.keywords if k.arg}
                    column = m.constant(keywords["db_column"]) if "db_column" in keywords else None
                    choices = None
                    if "choices" in keywords and isinstance(keywords["choices"], ast.Attribute):
                        choices = self.choice_values(m, keywords["choices"].value)
                    fields[stmt.targets[0].id] = (column or stmt.targets[0].id, choices)
        constraints = options.get("constraints")
        if not isinstance(constraints, (ast.List, ast.Tuple)):
            return
        for c in constraints.elts:
            if not isinstance(c, ast.Call) or m.resolve(c.func) not in CHECK_CONSTRAINTS:
                continue
            keywords = {k.arg: k.value for k in c.keywords if k.arg}
            q = keywords.get("check") or keywords.get("condition")
            found = self.membership(m, q)
            where = m.where(c)
            if not found:
                self.report.note(where, f"{cls.name}: a CheckConstraint that is not field__in=[...]: skipped")
                continue
            field, values = found
            if field not in fields:
                self.report.warn(where, f"{cls.name}.{field}: no such field in the model: skipped")
                continue
            column, choices = fields[field]
            if choices is not None and sorted(choices) != sorted(values):
                self.report.warn(
                    where,
                    f"{cls.name}.{field}: its choices {choices} differ from its CheckConstraint "
                    f"{values}: the database enforces the constraint's",
                )
            self.checks.append(CheckEnum(DEFAULT_SCHEMA, table, column, list(values), where))


def from_django(settings: str, paths: list[str], report: Report) -> list[CheckEnum]:
    """Import mode: Django's own models, as `django.setup()` loads them with these settings."""
    for p in reversed([os.getcwd()] + (paths or [])):
        if p not in sys.path:
            sys.path.insert(0, p)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    try:
        import django
        from django.apps import apps
        from django.db.models import CheckConstraint, Q
    except ImportError as e:
        raise InputError(f"--django needs Django importable by this python; use --scan ({e})") from e
    try:
        django.setup()
    except Exception as e:  # the application's own error, whatever it is
        raise InputError(f"--django {settings}: django.setup() failed: {type(e).__name__}: {e}") from e
    out = []
    for model in apps.get_models():
        for c in model._meta.constraints:
            if not isinstance(c, CheckConstraint):
                continue
            q = getattr(c, "condition", None) or getattr(c, "check", None)
            where = f"{model._meta.label}:{c.name}"
            child = q.children[0] if isinstance(q, Q) and len(q.children) == 1 else None
            if (
                q.negated
                or not isinstance(child, tuple)
                or not child[0].endswith("__in")
                or "__" in child[0][: -len("__in")]
                or not all(isinstance(v, str) for v in child[1])
            ):
                report.note(where, "a CheckConstraint that is not field__in=[...]: skipped")
                continue
            field = model._meta.get_field(child[0][: -len("__in")])
            out.append(CheckEnum(DEFAULT_SCHEMA, model._meta.db_table, field.column, list(child[1]), where))
    return out
