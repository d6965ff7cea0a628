"""SOP script bombs (issue #20 "SOP scripts"): every filter's, method's and operator's result
is bounded before it is made, so a script with huge numbers is a located TemplateError —
never a MemoryError. Run in a child process under a 1 GB address-space limit, so that a bomb
that gets through fails the test instead of the machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

#: the child: renders each template of the JSON list on stdin (or, with --fuzz, runs the
#: Hypothesis strategy below) under RLIMIT_AS, and prints one result per template
CHILD = textwrap.dedent(
    r"""
    import json, resource, sys
    from sqops.errors import Location, TemplateError
    from sqops.plan.scripts import MAX_OUTPUT_CHARS, compile_script, render

    def vm_bytes():
        with open("/proc/self/status") as f:
            return int(f.read().split("VmSize:")[1].split()[0]) * 1024

    resource.setrlimit(resource.RLIMIT_AS, (vm_bytes() + (1 << 30),) * 2)
    WHERE = Location(file="sop.yaml", line=7, col=5)

    def outcome(template):
        try:
            out = render(compile_script("bomb", template, WHERE), {})
        except TemplateError as exc:
            assert exc.where.file == "sop.yaml" and exc.where.line >= 7, exc.where
            assert exc.render("zh") and exc.render("en")
            return "error:" + exc.kind
        assert len(out) <= MAX_OUTPUT_CHARS
        return "ok"

    if sys.argv[1:2] == ["--fuzz"]:
        from hypothesis import given, settings, strategies as st
        HUGE = st.sampled_from([0, 1, 3, 80, 10**4, 10**5, 10**6, 10**9, 10**12, -7])
        TEXT = st.sampled_from(["''", "'x'", "'a b\\tc\\nd'", "'%s'", "'{}'", "'{0}{0}'"])
        STEP = st.one_of(
            st.tuples(st.sampled_from([
                "({e})|center({n})", "({e})|indent({n})", "({e})|wordwrap({n})",
                "({e})|truncate({n})", "({e})|batch({n}, 'x')|list", "({e})|slice({n})|list",
                "({e})|tojson(indent={n})", "({e})|round({n})", "({e})|string|center({n})",
                "(({e})|string).center({n})", "(({e})|string).ljust({n})",
                "(({e})|string).rjust({n})", "(({e})|string).zfill({n})",
                "(({e})|string).expandtabs({n})", "({e}) * {n}", "[{e}] * {n}",
                "({e}) ** {n}", "'%0{n}d' % 1", "'%.{n}f' % 1.5", "'%*d' % ({n}, 1)",
                "'{{:>{n}}}'.format({e})", "'{{:.{n}f}}'.format(1.5)",
                "'{{:{{}}}}'.format({e}, {n})", "'%0{n}d'|format(1)",
                "(1).to_bytes({n}, 'big')", "({e})|map('center', {n})|list",
                "({e})|urlize({n})",
            ]), HUGE),
            st.tuples(st.sampled_from([
                "({e}) ~ ({e})", "({e}) + ({e})", "(({e})|string).replace('', ({e})|string)",
                "({e})|replace('', ({e})|string)", "(({e})|string).join([({e})|string] * 99999)",
                "[({e})|string] * 99999|join", "(({e})|string) % (({e}),)",
                "'{{0}}{{0}}{{0}}'.format(({e}))", "({e})|wordwrap(1, wrapstring=({e})|string)",
                "(({e})|string).translate({{120: ({e})|string}})",
            ]), st.just(0)),
        )

        @st.composite
        def templates(draw):
            e = draw(TEXT)
            for _ in range(draw(st.integers(1, 4))):
                shape, n = draw(STEP)
                e = shape.format(e=e, n=n)
            return "{{ " + e + " }}"

        @settings(max_examples=int(sys.argv[2]) if len(sys.argv) > 2 else 150, deadline=None)
        @given(template=templates())
        def never_more_than_a_template_error(template):
            outcome(template)

        never_more_than_a_template_error()
        print(json.dumps("fuzz ok"))
    else:
        print(json.dumps([outcome(t) for t in json.load(sys.stdin)]))
    """
)


def _child(*args: str, stdin: str = "", timeout: float = 120) -> object:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


#: each a bomb of the issue or of the same class, and what it must end as
BOMBS = [
    "{{ 'x'|center(10**12) }}",
    "{{ 'x'.center(10**12) }}",
    "{{ 'x'.ljust(10**12) }}",
    "{{ 'x'.zfill(10**12) }}",
    "{{ 'a\\nb'|indent(10**12) }}",
    "{{ '%0999999999999d'|format(1) }}",
    "{{ '%0999999999999d' % 1 }}",
    "{{ '%.999999999f' % 1.5 }}",
    "{{ '%*d' % (10**12, 1) }}",
    "{{ '{:>99999999999}'.format(1) }}",
    "{{ '{:{}}'.format(1, 10**11) }}",
    "{{ ('{0}' * 30000).format('x' * 100000) }}",
    "{{ ('%s' * 30000) % (('x' * 100000,) * 30000) }}",
    "{{ ('x' * 100000)|replace('', 'y' * 100000) }}",
    "{{ ('x' * 100000).replace('', 'y' * 1000) }}",
    "{{ (['x' * 100000] * 100000)|join }}",
    "{{ ('x' * 1000).join(['y' * 100000] * 1000) }}",
    "{{ ['x' * 100000] * 100000 }}",
    "{{ (['x' * 100000] * 10)|map('upper')|list }}",
    "{{ 'x\\ty'.expandtabs(10**12) }}",
    "{{ (1).to_bytes(10**12, 'big') }}",
    "{{ ((10**100)**100)**100 }}",
    "{{ [1]|batch(10**12, 'x')|list }}",
    "{{ [1]|slice(10**9)|list }}",
    "{{ [1, [2]]|tojson(indent=10**12) }}",
    "{{ ('a ' * 10000)|wordwrap(1, wrapstring='y' * 100000) }}",
    "{{ ('x' * 1000).translate({120: 'y' * 100000}) }}",
    "{% set ns = namespace(x='ab') %}{% for i in range(60) %}{% set ns.x = ns.x ~ ns.x %}"
    "{% endfor %}{{ ns.x|length }}",
    "{% set ns = namespace(x='ab') %}{% for i in range(60) %}{% set ns.x = ns.x + ns.x %}"
    "{% endfor %}{{ ns.x|length }}",
    "{% set ns = namespace(x=3) %}{% for i in range(60) %}{% set ns.x = ns.x * ns.x %}"
    "{% endfor %}{{ ns.x > 0 }}",
]


def test_bombs_are_template_errors_not_memory_errors():
    results = _child(stdin=json.dumps(BOMBS))
    assert dict(zip(BOMBS, results, strict=True)) == {b: "error:sandbox" for b in BOMBS}


def test_ordinary_scripts_still_render():
    ok = [
        "{{ 'ab'|center(6) }}{{ '{:>5}'.format(3) }}{{ '%05d' % 42 }}{{ '%.2f'|format(1.5) }}",
        "{{ [1, 2]|join(', ') }}{{ 'a b c'|wordwrap(1, wrapstring='<br>') }}{{ 'x' ~ 1 }}",
        "{{ ('-' * 20) }}{{ 'a\\nb'|indent(2) }}{{ 'x'.replace('x', 'yy') }}{{ [1]|tojson }}",
        "{{ 'a\\tb'.expandtabs(4) }}{{ range(3)|batch(2, 0)|list }}{{ 2 ** 10 }}",
    ]
    assert _child(stdin=json.dumps(ok)) == ["ok"] * len(ok)


def test_templates_of_huge_numbers_are_at_most_template_errors():
    """Hypothesis: chains of the sandbox's filters, methods and operators with huge numeric
    arguments end as a rendered script within the output bound or a TemplateError. A longer
    run: ``SQOPS_FUZZ_EXAMPLES=5000 pytest tests/plan/test_script_bounds.py``."""
    examples = os.environ.get("SQOPS_FUZZ_EXAMPLES", "150")
    assert _child("--fuzz", examples, timeout=max(120, int(examples))) == "fuzz ok"
