"""The program's entry point (``sqops`` and ``python -m sqops``).

A Ctrl-C while the command line itself is still being imported ends as it does later: a short
message and exit 130, not a traceback from inside an import. (Once a command runs,
``sqops.cli.common.running`` handles Ctrl-C and SIGTERM.)"""

from __future__ import annotations

import os
import sys


def main() -> None:
    try:
        # (a report's checking pass of its engagement table begun on the idle core while
        # the command line is built: sqops.early)
        from sqops.early import begin

        begin(sys.argv[1:])
        from sqops.cli import program
    except KeyboardInterrupt:
        from sqops.i18n import T, resolve_lang

        lang = resolve_lang(None, None, os.environ)
        sys.stderr.write(T("已中断", "interrupted").get(lang) + "\n")
        raise SystemExit(130) from None
    program()


if __name__ == "__main__":
    main()
