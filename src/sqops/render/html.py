"""HTML from the Jinja2 templates shipped in ``sqops/render/templates``.

One environment for plan, report and adherence: autoescape on for every template (user text
can never become markup; only :func:`safe` marks trusted markup such as matplotlib's SVGs),
``StrictUndefined`` (a misspelt name fails instead of printing nothing), no "now" and no
randomness (same input, same bytes). Every page extends ``base.html.j2``, which inlines the
one stylesheet ``sqops.css`` (the files stay single and offline). jinja2 is imported on first
use, never on the ``sqops --help`` path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2


def html_lang(lang: str) -> str:
    """The ``lang`` attribute of a page in ``lang`` (``zh`` → ``zh-CN``)."""
    return "zh-CN" if lang == "zh" else "en"


@cache
def environment() -> jinja2.Environment:
    import jinja2
    import jinja2.compiler

    class _Environment(jinja2.Environment):
        def getattr(self, obj: Any, attribute: str) -> Any:
            # a dict's key before its methods: ``{{ t.items }}`` is t["items"], not t.items()
            if type(obj) is dict and attribute in obj:
                return obj[attribute]
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
            try:
                return obj[attribute]
            except (TypeError, LookupError, AttributeError):
                return self.undefined(obj=obj, name=attribute)

    class _CodeGenerator(jinja2.compiler.CodeGenerator):
        def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
            # ``{{ value }}`` escaped by ``environment.escape_output`` (below) rather than
            # markupsafe's escape, whose Markup object per value was half the time of a plan
            # page of 100,000 items; anything else (a volatile autoescape) as Jinja does
            if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
                self.write("environment.escape_output(")
                if finalize.src is not None:
                    self.write(finalize.src)
                return
            super()._output_child_pre(node, frame, finalize)

    _Environment.code_generator_class = _CodeGenerator
    _Environment.escape_output = staticmethod(escape_output)  # type: ignore[attr-defined]

    env = _Environment(
        loader=jinja2.PackageLoader("sqops.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals["html_lang"] = html_lang
    env.globals["render_section"] = render_section
    env.globals["stylesheet"] = safe(_text("sqops.css").strip())
    return env


def escape_output(value: Any) -> str:
    """What ``{{ value }}`` writes: markup as it is (``__html__``), anything else as text with
    ``& < > ' "`` escaped, exactly as markupsafe escapes them. A plain string is escaped
    without a Markup object (the page is joined as text either way)."""
    if type(value) is not str:
        if hasattr(value, "__html__"):
            return str(value.__html__())
        value = str(value)
    return (
        value.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def _text(name: str) -> str:
    from importlib.resources import files

    return files("sqops.render").joinpath("templates", name).read_text(encoding="utf-8")


def render(template: str, **context: Any) -> str:
    """``template`` (a file name under ``templates/``) rendered with ``context``."""
    return environment().get_template(template).render(**context)


@dataclass(frozen=True, slots=True)
class Section:
    """A part of a page as data: its template and what the template shows. A page lists its
    sections (e.g. the report its adherence section) and renders them in the same pass, so
    no page is ever spliced together from rendered text."""

    template: str
    context: Mapping[str, Any]


def render_section(section: Section) -> Any:
    """``section`` rendered (markup: its own template escaped its text)."""
    return safe(render(section.template, **section.context))


def safe(markup: str) -> Any:
    """Trusted markup (not escaped again): only for text sqops itself produced as HTML/SVG."""
    from markupsafe import Markup

    return Markup(markup)
