"""The program's entry point (``sqops`` and ``python -m sqops``).

A Ctrl-C while the command line itself is still being imported ends as it does later: a short
message and exit 130, not a traceback from inside an import. (Once a command runs,
``sqops.cli.common.running`` handles Ctrl-C and SIGTERM.)"""

from __future__ import annotations

import os
import sys


def main() -> None:
    try:
        from sqops.cli import common
        from sqops.cli import main as cli_main
    except KeyboardInterrupt:
        from sqops.i18n import T, resolve_lang

        lang = resolve_lang(None, None, os.environ)
        sys.stderr.write(T("已中断", "interrupted").get(lang) + "\n")
        raise SystemExit(130) from None
    common.KEEP_TO_END = True
    try:
        cli_main()
    except SystemExit as exc:
        # a run that kept what it made to the end (sqops report): the process ends now,
        # without freeing it object by object (sqops.data.runtime.keep_to_end)
        from sqops.data.runtime import end_process, keeps

        if keeps() and (exc.code is None or isinstance(exc.code, int)):
            end_process(exc.code or 0)
        raise
    finally:
        common.KEEP_TO_END = False


if __name__ == "__main__":
    main()
