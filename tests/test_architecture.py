"""The layers of docs/architecture.md, checked on every import in src/sqops/.

Data flows one way: files → data layer → model → engine → renderers → outputs. A package may
import only the packages listed for it below (the CLI may import anything); nothing outside a
package imports its private modules (``_name``). Imports under ``if TYPE_CHECKING:`` count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "sqops"

BASE = {"i18n", "errors"}
#: package (or top-level module) → the packages it may import
ALLOWED: dict[str, set[str] | None] = {
    "i18n": set(),
    "errors": {"i18n"},
    "domain": {"i18n"},
    "render": BASE,
    "data": BASE | {"domain"},
    "sop": BASE | {"domain", "data"},
    "plan": BASE | {"domain", "data", "sop", "render"},
    "lint": BASE | {"domain", "data", "sop", "plan", "sqops"},
    "demo": BASE | {"domain", "data", "sop", "plan"},
    "adherence": BASE | {"domain", "data", "sop", "plan", "render"},
    "report": BASE | {"domain", "data", "sop", "plan", "adherence", "render"},
    "importers": BASE | {"domain", "data", "render"},
    "notify": BASE | {"domain", "data", "sop", "plan", "report", "render"},
    "cli": None,  # the edge: anything
    "sqops": {"errors"},  # the package's own __init__
    # what a report begins before the command line is built (sqops.__main__ calls it)
    "early": BASE | {"data"},
    "__main__": {"cli", "i18n", "early"},
}


def _unit(module: str) -> str:
    """``sqops.plan._expand`` → ``plan``; ``sqops`` → ``sqops``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _imports() -> list[tuple[str, str, int, str]]:
    """(importing module, imported module, line, file) for every sqops import."""
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        module = ".".join(rel.parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
                if node.module == "sqops":
                    names = [f"sqops.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name == "sqops" or name.startswith("sqops."):
                    out.append((module, name, node.lineno, str(path.relative_to(SRC.parent))))
    return out


def test_every_package_is_in_the_map():
    units = {_unit(m) for m, *_ in _imports()} | {
        p.stem if p.is_file() else p.name
        for p in SRC.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert units <= set(ALLOWED), sorted(units - set(ALLOWED))


def test_data_flows_one_way():
    wrong = []
    for module, name, line, file in _imports():
        src, dst = _unit(module), _unit(name)
        allowed = ALLOWED[src]
        if src == dst or allowed is None:
            continue
        if dst not in allowed:
            wrong.append(f"{file}:{line}: {src} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_no_private_module_is_imported_from_outside_its_package():
    wrong = []
    for module, name, line, file in _imports():
        parts = name.split(".")
        for i, part in enumerate(parts[1:], start=1):
            if part.startswith("_") and not part.startswith("__"):
                owner = ".".join(parts[:i])
                if not (module == owner or module.startswith(owner + ".")):
                    wrong.append(f"{file}:{line}: {module} imports {name}")
                break
    assert not wrong, "\n".join(wrong)
