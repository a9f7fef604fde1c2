"""enumwatch-py: write an enumwatch snapshot (docs/snapshot-format.md) from a Python code base.

Two modes:

  --metadata MODULE:ATTR   import the application's SQLAlchemy MetaData and ask SQLAlchemy which
                           enum types it would create (exact; needs the app importable).
  --scan PATH...           read the source with `ast`, import nothing: Python enum classes,
                           sa.Enum / postgresql.ENUM in models, and Alembic migrations replayed
                           in revision order.

Standard library only, so that it runs in any CI image. Exit 0 when the snapshot was written,
1 with --strict when there were warnings, 2 when the input cannot be read or makes no snapshot.
"""

from .cli import main

__all__ = ["main"]
