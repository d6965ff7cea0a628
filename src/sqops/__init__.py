"""sqops — SOP-as-code, schedules and health reports for brand communities (社群运营).

The command line (``sqops``) is a thin layer over this library: every command's work is
available as a function that returns data and never prints.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sqops")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

from sqops.errors import SqopsError

__all__ = ["SqopsError", "__version__"]
