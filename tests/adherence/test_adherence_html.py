"""The adherence section as part of the report's page: composed as data, rendered once."""

from __future__ import annotations

import datetime as dt


def test_report_and_its_adherence_section_render_as_one_page(h):
    from sqops.adherence.render import html_section, render_html_section
    from sqops.report.build import Settings, build_report
    from sqops.report.html import to_html

    messages = h.msgs(("2026-10-12 08:40", "m1"), ("2026-10-13 09:00", "m2"))
    posts = h.posts(("p1", "2026-10-12 08:30:00", "activation", "p"))
    sop = h.sop(
        'cadence:\n  daily:\n    - {id: m, time: "08:30", title: "<b>早安</b>", kind: activation}\n'
    )
    adh = h.run(sop, messages=messages, posts=posts)
    settings = Settings(staff_ids=frozenset({"s1"}), day0={"g1": dt.date(2026, 10, 1)})
    report = build_report({"messages": messages, "posts": posts}, settings=settings, lang="en")
    page = to_html(report, [html_section(adh, "en")])
    section = render_html_section(adh, "en")
    assert page.count('<section class="sqops-adh">') == 1
    assert section in page  # the same section as alone, inside <main>
    assert page.index(section) < page.index("</main>")
    assert "<b>早安" not in page and "&lt;b&gt;早安" in page
    assert to_html(report, [html_section(adh, "en")]) == page  # deterministic
