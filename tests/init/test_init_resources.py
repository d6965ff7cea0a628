"""Finding the templates (installed wheel, source checkout) and quoting values into them."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.data.yamlsafe import load_yaml
from sqops.errors import InputError, UsageError
from sqops.sop import templates
from sqops.sop.templates import fill_template, read_template, yaml_quote

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ quoting
@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("a\\b", '"a\\\\b"'),
        ("a: b # c", '"a: b # c"'),
        ("群规：不刷屏", '"群规：不刷屏"'),
        ("tab\tnew\nline", '"tab\\tnew\\nline"'),
        ("nel\x85ls\u2028ps\u2029", '"nel\\Nls\\Lps\\P"'),
        ("bell\x07del\x7f", '"bell\\adel\\x7f"'),
        ("bom\ufeff", '"bom\\ufeff"'),
        ("rlo\u202eevil\u200b", '"rlo\\u202eevil\\u200b"'),
        ("emoji 🎉", '"emoji 🎉"'),
    ],
)
def test_yaml_quote_exact(value: str, quoted: str) -> None:
    assert yaml_quote(value) == quoted
    assert yaml.safe_load(f"k: {quoted}\n") == {"k": value}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40))
def test_yaml_quote_round_trips(value: str) -> None:
    doc = f"key: {yaml_quote(value)}  # a comment\n"
    assert yaml.safe_load(doc) == {"key": value}
    data, _ = load_yaml(doc, "x.yaml")
    assert data == {"key": value}


def test_fill_keeps_every_other_byte() -> None:
    text = read_template("refined", "en")
    filled = fill_template(text, name="X", platform="qq", launch=dt.date(2028, 1, 2))
    diff = [(a, b) for a, b in zip(text.splitlines(), filled.splitlines(), strict=True) if a != b]
    assert [b.split("#")[0].strip() for _, b in diff] == [
        'name: "X"',
        "platform: qq",
        "launched_on: 2028-01-02",
    ]
    # comments stay in their column when the value is shorter than the template's
    for a, b in diff:
        assert a.index("#") == b.index("#")


def test_fill_without_values_is_identity() -> None:
    text = read_template("store", "zh")
    assert fill_template(text) == text


def test_a_template_without_its_marker_is_reported() -> None:
    with pytest.raises(InputError) as exc:
        fill_template("version: 1\n", name="x", where="broken.yaml")
    assert exc.value.render("en") == (
        "broken.yaml: template broken.yaml should have exactly one line marked [init:name]; it has 0"
    )


def test_unknown_type_or_language() -> None:
    with pytest.raises(UsageError) as exc:
        read_template("fan", "en")
    assert "broadcast, refined, service, store" in exc.value.render("en")
    with pytest.raises(UsageError):
        read_template("refined", "fr")


# ------------------------------------------------------------------ lookup
def _fake_tree(folder: Path, marker: str) -> None:
    folder.mkdir(parents=True)
    for t in templates.TEMPLATE_TYPES:
        for lang in ("zh", "en"):
            (folder / f"{t}.{lang}.yaml").write_text(f"# {marker} {t} {lang}\n", encoding="utf-8")


def test_packaged_templates_win_over_the_source_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = tmp_path / "pkg"
    _fake_tree(pkg / "sop_templates", "packaged")
    monkeypatch.setattr(templates.resources, "files", lambda name: pkg)
    assert templates.templates_dir() == pkg / "sop_templates"
    assert read_template("service", "zh") == "# packaged service zh\n"


def test_source_tree_is_the_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templates.resources, "files", lambda name: tmp_path / "empty")
    assert templates.templates_dir() == ROOT / "sop_templates"
    assert read_template("refined", "en") == (ROOT / "sop_templates/refined.en.yaml").read_text(
        encoding="utf-8"
    )


def test_no_templates_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templates.resources, "files", lambda name: tmp_path / "a")
    monkeypatch.setattr(templates, "source_templates_dir", lambda: tmp_path / "b")
    with pytest.raises(InputError) as exc:
        templates.templates_dir()
    assert "reinstall sqops" in exc.value.render("en")


def test_installed_wheel_finds_its_templates(tmp_path: Path) -> None:
    """Build the wheel, unpack it, and run `sqops init` from it with importlib.resources."""
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if build.returncode != 0:  # pragma: no cover - no build backend reachable
        pytest.skip(f"cannot build the wheel here: {build.stderr.strip()[-300:]}")
    [wheel] = dist.glob("sqops-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert {
            f"sqops/sop_templates/{t}.{g}.yaml"
            for t in templates.TEMPLATE_TYPES
            for g in ("zh", "en")
        } <= names
        assert not any(n.endswith(".keep") for n in names)
        site = tmp_path / "site"
        zf.extractall(site)
    code = (
        "import sys, sqops.sop.templates as t\n"
        "d = t.templates_dir()\n"
        "print(d)\n"
        "print(len(t.available_templates()))\n"
        "from sqops.cli import main\n"
        "sys.argv = ['sqops', 'init', sys.argv[1], '--type', 'store', '--lang', 'en']\n"
        "main()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)  # ahead of the editable install's source tree
    out = tmp_path / "out" / "sop.yaml"
    run = subprocess.run(
        [sys.executable, "-c", code, str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert Path(lines[0]) == site / "sqops" / "sop_templates"
    assert lines[1] == "8"
    assert out.read_text(encoding="utf-8") == (ROOT / "sop_templates/store.en.yaml").read_text(
        encoding="utf-8"
    )
