"""The command line of enumwatch-py."""

from __future__ import annotations

import argparse
import os
import sys

from .check import compare, load_snapshot
from .django_models import from_django
from .import_mode import from_metadata
from .model import InputError, Report
from .snapshot_output import render, validate
from .static_models import load_mappings
from .static_mode import scan


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="enumwatch-py",
        description="Write an enumwatch snapshot from a Python/SQLAlchemy code base.",
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--metadata", metavar="MODULE:ATTR", help="import mode, e.g. app.models:Base.metadata")
    mode.add_argument("--scan", metavar="PATH", nargs="+", help="static mode: files or directories")
    mode.add_argument("--django", metavar="SETTINGS", help="import mode for Django, e.g. mysite.settings: django.setup() and read every model's CheckConstraints")
    parser.add_argument("--path", action="append", help="import mode: add to sys.path (repeatable)")
    parser.add_argument("--output", "-o", help="write here (atomically) instead of stdout")
    parser.add_argument("--format", choices=("toml", "json"), help="default: by --output extension, else toml")
    parser.add_argument("--revision", help="record this revision (static mode: default the Alembic head)")
    parser.add_argument("--source", help="free text recorded as the snapshot's source")
    parser.add_argument("--map", action="append", metavar="CLASS=SCHEMA.TYPE", help="map an enum class to a database type; CLASS=- skips it")
    parser.add_argument("--map-file", action="append", metavar="FILE", help="one CLASS = SCHEMA.TYPE per line, # comments")
    parser.add_argument("--check", metavar="SNAPSHOT", help="compare the code with this database snapshot (no database needed): exit 1 on drift")
    parser.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    parser.add_argument("--quiet", "-q", action="store_true", help="no notes, warnings only")
    options = parser.parse_args(argv)

    report = Report()
    try:
        mappings = load_mappings(options)
        if options.metadata:
            enums, checks = from_metadata(options.metadata, options.path, report)
            head = None
            source = options.source or f"enumwatch-py --metadata {options.metadata}"
        elif options.django:
            enums, checks = [], from_django(options.django, options.path, report)
            head = None
            source = options.source or f"enumwatch-py --django {options.django}"
        else:
            enums, checks, head = scan(options.scan, report, mappings)
            source = options.source or "enumwatch-py --scan " + " ".join(options.scan)
        validate(enums, checks)
        drift = compare(enums, load_snapshot(options.check), checks) if options.check else None
        fmt = options.format or ("json" if (options.output or "").endswith(".json") else "toml")
        text = render(enums, options.revision or head, source, fmt, checks)
        if options.output and options.output != "-":
            directory = os.path.dirname(os.path.abspath(options.output))
            temporary = os.path.join(directory, f".{os.path.basename(options.output)}.tmp")
            with open(temporary, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(temporary, options.output)
        elif drift is None:
            sys.stdout.write(text)
    except InputError as e:
        print(f"enumwatch-py: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"enumwatch-py: {e.filename}: {e.strerror}", file=sys.stderr)
        return 2
    if not options.quiet:
        for n in report.notes:
            print(f"enumwatch-py: note: {n}", file=sys.stderr)
    for w in report.warnings:
        print(f"enumwatch-py: warning: {w}", file=sys.stderr)
    if options.output and options.output != "-":
        print(
            f"enumwatch-py: wrote {len(enums)} enum types and {len(checks)} CHECK-constraint enums "
            f"to {options.output}",
            file=sys.stderr,
        )
    if drift:
        for name, kind, message in drift:
            print(f"enumwatch-py: drift: {name}: {kind}: {message}", file=sys.stderr)
        print(
            f"enumwatch-py: the code's enums differ from {options.check}: change the code, or "
            "migrate and re-capture the snapshot (enumwatch snapshot)",
            file=sys.stderr,
        )
        return 1
    return 1 if options.strict and report.warnings else 0

