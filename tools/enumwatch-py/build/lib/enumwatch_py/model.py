"""The snapshot's vocabulary: enum types, where they were found, what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_SCHEMA = "public"
MAX_NAME_BYTES = 63  # PostgreSQL's NAMEDATALEN - 1


class InputError(Exception):
    """Input that cannot be read or that makes no valid snapshot: exit 2."""


@dataclass
class EnumType:
    schema: str
    name: str
    values: list
    origin: str  # where it was found, for messages


@dataclass
class CheckEnum:
    """An enum kept as a CHECK constraint on a text column (enumwatch's [[check]]): a set."""

    schema: str
    table: str
    column: str
    values: list
    origin: str


@dataclass
class Report:
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(f"{where}: {message}")

    def note(self, where: str, message: str) -> None:
        self.notes.append(f"{where}: {message}")
