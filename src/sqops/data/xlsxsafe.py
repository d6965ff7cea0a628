"""Checks an ``.xlsx`` file before a reader (calamine) opens it.

An ``.xlsx`` is a zip of XML parts. A file that is not a zip (or is empty) is refused with an
:class:`InputError` naming it; so is one whose parts would inflate past :data:`MAX_XLSX_UNCOMPRESSED`
in total, or any part inflating more than :data:`MAX_XLSX_RATIO` times its compressed size
(past :data:`RATIO_FLOOR`) — a decompression bomb. The declared sizes are checked first (no
inflating), then every part is inflated in chunks, counting the bytes, so that a part that
lies about its size is caught too (its CRC fails, or it runs past the bound). Nothing is kept:
memory stays at one chunk. Pure Python (``zipfile``); ``.xls`` (not a zip) is not checked.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from sqops.data.decode import clip, what_failed
from sqops.errors import InputError, Location
from sqops.i18n import T

#: the most all the parts of one .xlsx may inflate to (declared and actual)
MAX_XLSX_UNCOMPRESSED = 1 << 30  # 1 GiB
#: the most one part may inflate relative to its compressed size …
MAX_XLSX_RATIO = 200
#: … once it inflates past this (small parts compress any way they like)
RATIO_FLOOR = 16 << 20  # 16 MiB

_CHUNK = 1 << 20


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.0f} MiB"


def _bomb(display: str, name: str, size: int, csize: int) -> InputError:
    return InputError(
        T(
            "Excel 文件的部件 {n} 解压后 {u}（压缩 {c}），超过上限（合计 {m}，或压缩比 {r} 倍）："
            "可能是解压炸弹；请另存为 CSV",
            "the Excel file's part {n} inflates to {u} from {c}, past the bound ({m} in all, or "
            "{r} times its compressed size): a possible decompression bomb; save it as CSV",
        ).format(
            n=clip(name),
            u=_mib(size),
            c=_mib(csize),
            m=_mib(MAX_XLSX_UNCOMPRESSED),
            r=MAX_XLSX_RATIO,
        ),
        Location(file=display),
    )


def _too_big(size: int, csize: int, total: int) -> bool:
    return total > MAX_XLSX_UNCOMPRESSED or (
        size > RATIO_FLOOR and size > MAX_XLSX_RATIO * max(csize, 1)
    )


def check_xlsx(path: Path, display: str) -> None:
    """Refuse ``path`` (an ``.xlsx``) unless it is a zip whose parts inflate within bounds."""
    not_xlsx = T("不是有效的 Excel（.xlsx）文件：{e}", "not a valid Excel (.xlsx) file: {e}")
    try:
        if path.stat().st_size == 0:
            raise InputError(
                T("Excel 文件是空的（0 字节）", "the Excel file is empty (0 bytes)"),
                Location(file=display),
            )
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = 0
            for info in infos:  # what the zip declares, before inflating anything
                total += info.file_size
                if _too_big(info.file_size, info.compress_size, total):
                    raise _bomb(display, info.filename, info.file_size, info.compress_size)
            total = 0
            for info in infos:  # what the parts really inflate to
                size = 0
                with zf.open(info) as part:
                    while block := part.read(_CHUNK):
                        size += len(block)
                        total += len(block)
                        if _too_big(size, info.compress_size, total):
                            raise _bomb(display, info.filename, size, info.compress_size)
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError(T("文件不存在", "file not found"), Location(file=display)) from None
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        ValueError,
        OSError,
    ) as exc:
        raise InputError(
            not_xlsx.format(e=what_failed(exc)),
            Location(file=display),
        ) from None
