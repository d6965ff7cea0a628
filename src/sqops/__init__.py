"""sqops — SOP-as-code, schedules and health reports for brand communities (社群运营).

The command line (``sqops``) is a thin layer over this library: every command's work is
available as a function that returns data and never prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqops.errors import SqopsError

__all__ = ["SqopsError", "__version__"]


def __getattr__(name: str) -> Any:
    # Nothing is imported with the package itself: the program's entry point
    # (``sqops.__main__``) runs before anything that a Ctrl-C could interrupt mid-import.
    if name == "SqopsError":
        from sqops.errors import SqopsError

        return SqopsError
    # The version is looked up on first use: importlib.metadata costs ~60 ms at start-up,
    # which `sqops --help` and `sqops lint` should not pay.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("sqops")
        except PackageNotFoundError:  # pragma: no cover - source tree without install
            value = "0.0.0"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'sqops' has no attribute {name!r}")
