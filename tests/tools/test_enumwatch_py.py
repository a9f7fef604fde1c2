"""Unit tests of tools/enumwatch-py: what a team sees when it turns its code into a snapshot.

Run with Debian's python3 (python3-sqlalchemy for the import-mode cases; the tool itself needs
only the standard library): python3 -m unittest tests/tools/test_enumwatch_py.py
"""

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "enumwatch-py"))

import enumwatch_py  # noqa: E402

try:
    import sqlalchemy  # noqa: F401

    HAVE_SQLALCHEMY = True
except ImportError:
    HAVE_SQLALCHEMY = False


try:
    import django  # noqa: F401

    HAVE_DJANGO = True
except ImportError:
    HAVE_DJANGO = False


class ToolCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.cwd = os.getcwd()
        os.chdir(self.dir.name)
        self.addCleanup(os.chdir, self.cwd)

    def write(self, path, text):
        full = os.path.join(self.dir.name, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text))
        return full

    def run_tool(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = enumwatch_py.main(list(args) + ["--format", "json"])
        self.stderr = err.getvalue()
        self.doc = json.loads(out.getvalue()) if code != 2 and out.getvalue() else None
        return code

    def enums(self):
        return {(e["schema"], e["name"]): e["values"] for e in self.doc["enum"]}


class StaticMode(ToolCase):
    def test_str_enum_with_values_callable_gives_the_values(self):
        self.write(
            "app/models.py",
            """
            import enum
            import sqlalchemy as sa

            class OrderStatus(str, enum.Enum):
                PENDING_PAYMENT = "pending_payment"
                PAID = "paid"

            status = sa.Enum(OrderStatus, name="order_status",
                             values_callable=lambda e: [m.value for m in e])
            """,
        )
        self.assertEqual(self.run_tool("--scan", "app"), 0, self.stderr)
        self.assertEqual(self.enums(), {("public", "order_status"): ["pending_payment", "paid"]})
        self.assertNotIn("warning", self.stderr)

    def test_the_names_trap_is_what_sqlalchemy_stores_and_says_so(self):
        self.write(
            "models.py",
            """
            from enum import Enum
            from sqlalchemy import Enum as SAEnum

            class OrderStatus(str, Enum):
                PendingPayment = "pending_payment"
                Paid = "paid"

            column_type = SAEnum(OrderStatus, name="order_status")
            """,
        )
        self.assertEqual(self.run_tool("--scan", "models.py"), 0)
        self.assertEqual(self.enums(), {("public", "order_status"): ["PendingPayment", "Paid"]})
        self.assertIn("stores member NAMES", self.stderr)
        self.assertIn("models.py:9", self.stderr)
        self.assertEqual(self.run_tool("--scan", "models.py", "--strict"), 1)

    def test_no_warning_when_names_equal_values(self):
        self.write(
            "models.py",
            """
            import enum, sqlalchemy
            class Risk(enum.Enum):
                low = "low"
                high = "high"
            t = sqlalchemy.Enum(Risk, name="risk")
            """,
        )
        self.assertEqual(self.run_tool("--scan", "models.py", "--strict"), 0, self.stderr)
        self.assertEqual(self.enums(), {("public", "risk"): ["low", "high"]})

    def test_strenum_literal_values_schema_and_postgresql_enum(self):
        self.write(
            "models.py",
            """
            from enum import StrEnum
            import sqlalchemy as sa
            from sqlalchemy.dialects import postgresql
            from sqlalchemy.dialects.postgresql import ENUM

            class Level(StrEnum):
                LOW = "low"
                HIGH = "high"

            a = postgresql.ENUM("x", "y", name="letters", schema="app")
            b = ENUM(*[l.value for l in Level], name="level", schema="risk")
            c = sa.Enum("on", "off", name="switch", native_enum=False)
            """,
        )
        self.assertEqual(self.run_tool("--scan", "models.py"), 0, self.stderr)
        self.assertEqual(
            self.enums(), {("app", "letters"): ["x", "y"], ("risk", "level"): ["low", "high"]}
        )
        self.assertIn("switch: native_enum=False without create_constraint=True", self.stderr)

    def test_inherit_schema_takes_the_tables_schema(self):
        self.write(
            "models.py",
            """
            import sqlalchemy as sa
            class Payment(Base):
                __table_args__ = {"schema": "billing"}
                state = sa.Column(sa.Enum("new", "done", name="state", inherit_schema=True))
            """,
        )
        self.assertEqual(self.run_tool("--scan", "models.py"), 0, self.stderr)
        self.assertEqual(self.enums(), {("billing", "state"): ["new", "done"]})

    def test_auto_and_non_string_values_are_warned_about(self):
        self.write(
            "models.py",
            """
            import enum
            class Colour(str, enum.Enum):
                RED = enum.auto()
                GREEN = "green"
            class Size(enum.Enum):
                SMALL = 1
            """,
        )
        self.run_tool("--scan", "models.py", "--map", "Colour=colour", "--map", "Size=-")
        self.assertIn("Colour.RED = auto(): assuming 'red'", self.stderr)
        self.assertIn("Size.SMALL has a non-string value (1)", self.stderr)
        self.assertEqual(self.enums(), {("public", "colour"): ["red", "green"]})

    def test_unmapped_enum_classes_are_named_and_map_fixes_them(self):
        self.write(
            "app/enums.py",
            """
            import enum
            class Tier(str, enum.Enum):
                FREE = "free"
                PRO = "pro"
            """,
        )
        self.write("mapping.txt", "# enum class = schema.type\nTier = accounts.tier\n")
        self.assertEqual(self.run_tool("--scan", "app", "--strict"), 1)
        self.assertIn("enum class Tier maps to no database type: pass --map Tier=schema.type", self.stderr)
        self.assertEqual(self.run_tool("--scan", "app", "--map-file", "mapping.txt", "--strict"), 0)
        self.assertEqual(self.enums(), {("accounts", "tier"): ["free", "pro"]})
        self.assertEqual(self.run_tool("--scan", "app", "--map", "Tier=-", "--strict"), 0)
        self.assertEqual(self.enums(), {})

    def test_values_callable_defined_in_another_module(self):
        self.write("pkg/__init__.py", "")
        self.write(
            "pkg/util.py",
            """
            def db_values(enum_class):
                return [str(m.value) for m in enum_class]
            """,
        )
        self.write(
            "pkg/models.py",
            """
            import enum
            import sqlalchemy as sa
            from pkg.util import db_values
            class Kind(enum.Enum):
                A = "a"
                B = "b"
            t = sa.Enum(Kind, name="kind", values_callable=db_values)
            """,
        )
        self.assertEqual(self.run_tool("--scan", "pkg", "--strict"), 0, self.stderr)
        self.assertEqual(self.enums(), {("public", "kind"): ["a", "b"]})

    def test_migrations_replay_in_revision_order_and_give_the_head(self):
        # File names sort against the revision order on purpose.
        self.write(
            "versions/b_first.py",
            """
            from alembic import op
            import sqlalchemy as sa
            revision = "aaa1"
            down_revision = None
            def upgrade():
                op.create_table("t", sa.Column("s", sa.Enum("new", "done", name="state")))
            """,
        )
        self.write(
            "versions/a_second.py",
            '''
            from alembic import op
            revision: str = "bbb2"
            down_revision = "aaa1"
            def upgrade():
                op.execute("ALTER TYPE state ADD VALUE 'started' BEFORE 'done'")
                op.execute("ALTER TYPE state RENAME VALUE 'new' TO 'created'")
                op.execute("CREATE TYPE \\"Odd\\".\\"Mood\\" AS ENUM ('it''s', 'ok')")
            def downgrade():
                op.execute("DROP TYPE state")
            ''',
        )
        self.assertEqual(self.run_tool("--scan", "versions"), 0, self.stderr)
        self.assertEqual(self.doc["snapshot"]["revision"], "bbb2")
        self.assertEqual(
            self.enums(),
            {("public", "state"): ["created", "started", "done"], ("Odd", "Mood"): ["it's", "ok"]},
        )

    def test_models_and_migrations_that_disagree_are_reported(self):
        self.write("models.py", 'import sqlalchemy as sa\nt = sa.Enum("a", "b", "c", name="abc")\n')
        self.write(
            "versions/one.py",
            """
            import sqlalchemy as sa
            revision = "1"
            down_revision = None
            def upgrade():
                sa.Enum("a", "b", name="abc")
            """,
        )
        self.assertEqual(self.run_tool("--scan", "."), 0)
        self.assertEqual(self.enums(), {("public", "abc"): ["a", "b", "c"]})
        self.assertIn("the models and the migrations disagree on public.abc", self.stderr)

    def test_output_is_deterministic_and_valid_toml(self):
        self.write(
            "models.py",
            """
            import sqlalchemy as sa
            z = sa.Enum('q"uote', "back\\\\slash", name="zeta", schema="b")
            a = sa.Enum("x", name="alpha", schema="b")
            """,
        )
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            enumwatch_py.main(["--scan", "models.py", "--revision", "abc"])
        text = out.getvalue()
        self.assertLess(text.index('name = "alpha"'), text.index('name = "zeta"'))
        self.assertIn('values = ["q\\"uote", "back\\\\slash"]', text)
        if sys.version_info >= (3, 11):
            import tomllib

            doc = tomllib.loads(text)
            self.assertEqual(doc["snapshot"]["revision"], "abc")
            self.assertEqual(doc["enum"][1]["values"], ['q"uote', "back\\slash"])

    def test_unreadable_input_exits_2_with_the_place(self):
        self.write("broken.py", "def oops(:\n")
        self.assertEqual(self.run_tool("--scan", "broken.py"), 2)
        self.assertRegex(self.stderr, r"^enumwatch-py: broken.py:1: cannot parse")
        self.assertEqual(self.run_tool("--scan", "nowhere"), 2)
        self.assertIn("nowhere: no such file or directory", self.stderr)
        self.write("dup.py", 'import sqlalchemy as sa\nt = sa.Enum("a", "a", name="d")\n')
        self.assertEqual(self.run_tool("--scan", "dup.py"), 2)
        self.assertIn("duplicate value 'a'", self.stderr)
        self.assertEqual(self.run_tool("--scan", "dup.py", "--map", "nonsense"), 2)
        self.assertIn("write Class=schema.type", self.stderr)


class CheckAgainstSnapshot(ToolCase):
    """--check: what the pre-commit hook runs, without a database."""

    def setUp(self):
        super().setUp()
        self.write(
            "app/models.py",
            """
            import enum
            import sqlalchemy as sa
            class OrderStatus(str, enum.Enum):
                PENDING_PAYMENT = "pending_payment"
                PAID = "paid"
                REFUNDED = "refunded"
            t = sa.Enum(OrderStatus, name="order_status", values_callable=lambda e: [m.value for m in e])
            """,
        )

    def check(self, snapshot_text, name="db/enums.toml"):
        self.write(name, snapshot_text)
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(err):
            code = enumwatch_py.main(["--scan", "app", "--check", name])
        self.stderr = err.getvalue()
        self.assertEqual(out.getvalue(), "", "--check prints no snapshot")
        return code

    def test_matching_snapshot_passes(self):
        snapshot = '[[enum]]\nname = "order_status"\nvalues = ["pending_payment", "paid", "refunded"]\n'
        self.assertEqual(self.check(snapshot), 0, self.stderr)

    def test_every_kind_of_difference_is_named(self):
        snapshot = """
            [[enum]]
            name = "order_status"
            values = ["PendingPayment", "paid", "disputed"]
            [[enum]]
            schema = "billing"
            name = "currency"
            values = ["eur"]
            """
        self.assertEqual(self.check(snapshot), 1)
        for line in (
            "public.order_status: case_mismatch: the code writes 'pending_payment', the database has 'PendingPayment'",
            "public.order_status: missing_value: 'refunded' is in the code, not in the database",
            "public.order_status: unexpected_value: 'disputed' is in the database, not in the code",
            "billing.currency: unexpected_type: in the database, not in the code",
        ):
            self.assertIn(line, self.stderr)

    def test_order_and_missing_types_and_json_snapshots(self):
        doc = {"enum": [{"name": "order_status", "values": ["paid", "pending_payment", "refunded"]}]}
        self.assertEqual(self.check(json.dumps(doc), "db/enums.json"), 1)
        self.assertIn("order_mismatch", self.stderr)
        self.assertEqual(self.check(json.dumps({"enum": []}), "db/enums.json"), 1)
        self.assertIn("public.order_status: missing_type", self.stderr)

    def test_a_broken_snapshot_exits_2(self):
        self.assertEqual(self.check("[[enum]\n"), 2)
        self.assertIn("db/enums.toml: not a valid snapshot", self.stderr)


class CheckEnums(ToolCase):
    def checks(self):
        return {(c["schema"], c["table"], c["column"]): c["values"] for c in self.doc.get("check", [])}

    def test_sqlalchemy_non_native_enum_with_a_constraint_is_a_check(self):
        self.write(
            "app/models.py",
            """
            import enum
            import sqlalchemy as sa
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()

            class Kind(enum.Enum):
                BIG = "big"
                SMALL = "small-ish"

            class Item(Base):
                __tablename__ = "items"
                __table_args__ = {"schema": "shop"}
                kind = sa.Column(sa.Enum(Kind, native_enum=False, create_constraint=True, length=5,
                                         values_callable=lambda e: [m.value for m in e]))
                by_name = sa.Column("ByName", sa.Enum(Kind, native_enum=False, create_constraint=True))
                unchecked = sa.Column(sa.Enum(Kind, native_enum=False))
            """,
        )
        self.assertEqual(self.run_tool("--scan", "app"), 0, self.stderr)
        self.assertEqual(
            self.checks(),
            {
                ("shop", "items", "kind"): ["big", "small-ish"],
                ("shop", "items", "ByName"): ["BIG", "SMALL"],  # no values_callable: names
            },
        )
        self.assertIn("length=5 is shorter than the value 'small-ish'", self.stderr)
        self.assertIn("without create_constraint=True", self.stderr)

    def test_django_text_choices_and_check_constraints_statically(self):
        self.write(
            "shop/orders/models.py",
            """
            from django.db import models
            from django.db.models import Q

            class Status(models.TextChoices):
                NEW = "new", "New"
                DONE = "done"

            class Order(models.Model):
                status = models.CharField(max_length=9, choices=Status.choices)
                size = models.CharField(max_length=9, db_column="Size", choices=Status.choices)
                free = models.CharField(max_length=9, choices=Status.choices)

                class Meta:
                    constraints = [
                        models.CheckConstraint(check=Q(status__in=Status.values), name="s"),
                        models.CheckConstraint(check=models.Q(size__in=["s", "m"]), name="z"),
                        models.CheckConstraint(check=Q(status__in=["a"]) | Q(size="x"), name="o"),
                        models.CheckConstraint(check=Q(free__startswith="x"), name="f"),
                    ]

            class Legacy(models.Model):
                code = models.TextField()

                class Meta:
                    db_table = 'Legacy "Codes"'
                    constraints = [models.CheckConstraint(check=Q(("code__in", ("x", "y"))), name="c")]
            """,
        )
        self.assertEqual(self.run_tool("--scan", "shop"), 0, self.stderr)
        self.assertEqual(
            self.checks(),
            {
                ("public", "orders_order", "status"): ["done", "new"],
                ("public", "orders_order", "Size"): ["m", "s"],
                ("public", 'Legacy "Codes"', "code"): ["x", "y"],
            },
        )
        self.assertIn("Order.size: its choices ['new', 'done'] differ from its CheckConstraint", self.stderr)
        self.assertIn("not field__in=[...]: skipped", self.stderr)

    @unittest.skipUnless(HAVE_DJANGO, "Django import mode needs python3-django")
    def test_django_import_mode_and_static_mode_agree_on_the_fixture_app(self):
        app = os.path.join(ROOT, "tests", "fixtures", "django_shop")
        self.assertEqual(self.run_tool("--scan", app), 0, self.stderr)
        static = self.checks()
        self.assertEqual(self.run_tool("--django", "django_shop.settings", "--path", app), 0, self.stderr)
        self.assertEqual(self.checks(), static)
        self.assertEqual(static[("public", "orders_order", "sales_channel")], ["phone", "store", "web"])
        self.assertNotIn(("public", "orders_order", "note_kind"), static)  # choices, no CHECK

    def test_check_compares_checks_as_sets(self):
        self.write(
            "m.py",
            """
            import sqlalchemy as sa
            t = sa.Table("t", sa.MetaData(), sa.Column("c", sa.Enum("a", "B", native_enum=False, create_constraint=True)))
            """,
        )
        self.write(
            "db.json",
            '{"check": [{"table": "t", "column": "c", "values": ["b", "a", "z"]}]}',
        )
        self.assertEqual(self.run_tool("--scan", "m.py", "--check", "db.json"), 1)
        self.assertIn("public.t.c: case_mismatch", self.stderr)
        self.assertIn("public.t.c: unexpected_value: 'z'", self.stderr)
        self.assertNotIn("order_mismatch", self.stderr)


@unittest.skipUnless(HAVE_SQLALCHEMY, "import mode needs python3-sqlalchemy")
class ImportMode(ToolCase):
    def test_sqlalchemy_says_what_it_creates(self):
        self.write(
            "mod/models.py",
            """
            import enum
            import sqlalchemy as sa
            from sqlalchemy.dialects import postgresql

            metadata = sa.MetaData()

            class Currency(enum.Enum):
                EUR = "eur"
                USD = "usd"

            values = lambda e: [m.value for m in e]
            sa.Table("a", metadata,
                     sa.Column("c", sa.Enum(Currency, name="currency", values_callable=values)),
                     sa.Column("k", postgresql.ARRAY(sa.Enum("x", "y", name="kinds"))),
                     sa.Column("s", sa.Enum("p", "q", name="st", inherit_schema=True)),
                     sa.Column("n", sa.Enum("on", "off", name="flag", native_enum=False)),
                     schema="app")
            sa.Table("b", metadata,
                     sa.Column("c", sa.Enum(Currency, name="currency", values_callable=values)))
            """,
        )
        self.assertEqual(self.run_tool("--metadata", "mod.models:metadata"), 0, self.stderr)
        self.assertEqual(
            self.enums(),
            {
                ("public", "currency"): ["eur", "usd"],
                ("public", "kinds"): ["x", "y"],
                ("app", "st"): ["p", "q"],
            },
        )
        self.assertIn(
            "app.a.n: flag: native_enum=False without create_constraint=True: the database does "
            "not check the values, skipped",
            self.stderr,
        )

    def test_the_names_trap_in_import_mode(self):
        self.write(
            "trap.py",
            """
            import enum
            import sqlalchemy as sa
            metadata = sa.MetaData()
            class Status(enum.Enum):
                PendingPayment = "pending_payment"
            sa.Table("t", metadata, sa.Column("s", sa.Enum(Status, name="status")))
            """,
        )
        self.assertEqual(self.run_tool("--metadata", "trap:metadata", "--strict"), 1)
        self.assertEqual(self.enums(), {("public", "status"): ["PendingPayment"]})
        self.assertIn("stores member NAMES", self.stderr)

    def test_import_errors_exit_2(self):
        self.write("bad.py", "raise RuntimeError('settings missing')\n")
        self.assertEqual(self.run_tool("--metadata", "bad:metadata"), 2)
        self.assertIn("importing bad failed: RuntimeError: settings missing", self.stderr)
        self.write("notmeta.py", "metadata = 42\n")
        self.assertEqual(self.run_tool("--metadata", "notmeta:metadata"), 2)
        self.assertIn("is a int, not a MetaData", self.stderr)


class SharedDiffCases(ToolCase):
    """tests/fixtures/diff_cases.json: --check must answer every case exactly as the C++ diff does
    (tests/unit/common/diff/test_diff_cases.cpp), through the real command line."""

    def test_every_shared_case(self):
        with open(os.path.join(ROOT, "tests", "fixtures", "diff_cases.json"), encoding="utf-8") as f:
            cases = json.load(f)["cases"]
        self.assertGreaterEqual(len(cases), 15)
        for case in cases:
            with self.subTest(case["name"]):
                code = case.get("code", {})
                if "python" in code:
                    # Python's own trap: the case's code as written, read as `snapshot` says.
                    for path, text in code["python"]["files"].items():
                        self.write(os.path.join("code", path), text)
                    maps = code["python"].get("args", [])
                else:
                    # The snapshot side as code (another language's trap included): a module
                    # whose enum classes --map to the types.
                    lines, maps = ["import enum"], []
                    for i, e in enumerate(case["snapshot"]):
                        lines.append(f"class E{i}(str, enum.Enum):")
                        lines += [f"    m{j} = {v!r}" for j, v in enumerate(e["values"])]
                        maps += ["--map", f"E{i}={e['schema']}.{e['name']}"]
                    self.write("code/enums.py", "\n".join(lines) + "\n")
                self.write("db.json", json.dumps({"enum": case["database"]}))
                err = io.StringIO()
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                    code = enumwatch_py.main(["--scan", "code", *maps, "--check", "db.json"])
                got = sorted(
                    " ".join(line.split(": ")[2:4])
                    for line in err.getvalue().splitlines()
                    if line.startswith("enumwatch-py: drift: ")
                )
                self.assertEqual(got, sorted(case["expect"]), err.getvalue())
                self.assertEqual(code, 1 if case["expect"] else 0, err.getvalue())


class Packaging(ToolCase):
    """What a team that does not use the Debian package does: pip install tools/enumwatch-py."""

    def test_pip_installs_the_command_from_pyproject_without_a_network(self):
        # From a copy: setuptools builds inside the project it installs, and the checkout stays clean.
        source = os.path.join(self.dir.name, "src")
        shutil.copytree(os.path.join(ROOT, "tools", "enumwatch-py"), source,
                        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
        target = os.path.join(self.dir.name, "site")
        install = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
             "--no-build-isolation", "--no-cache-dir", "--target", target, source],
            capture_output=True, text=True, check=False)
        self.assertEqual(install.returncode, 0, install.stderr)
        self.write("app/models.py", """
            import sqlalchemy as sa
            status = sa.Enum("pending_payment", "paid", name="order_status")
            """)
        # The installed command, not the checkout: no path of the source tree is importable.
        run = subprocess.run(
            [os.path.join(target, "bin", "enumwatch-py"), "--scan", "app", "--format", "json"],
            capture_output=True, text=True, check=False, cwd=self.dir.name,
            env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": target})
        self.assertEqual(run.returncode, 0, run.stderr)
        doc = json.loads(run.stdout)
        self.assertEqual(doc["enum"][0]["values"], ["pending_payment", "paid"])

    def test_the_launcher_runs_through_a_link_as_the_package_installs_it(self):
        link = os.path.join(self.dir.name, "bin", "enumwatch-py")
        os.makedirs(os.path.dirname(link))
        os.symlink(os.path.join(ROOT, "tools", "enumwatch-py", "enumwatch-py"), link)
        run = subprocess.run([sys.executable, link, "--help"], capture_output=True, text=True,
                             check=False, cwd=self.dir.name, env={"PATH": os.environ.get("PATH", "")})
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("--scan", run.stdout)


if __name__ == "__main__":
    unittest.main()
