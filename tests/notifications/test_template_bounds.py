"""A manager's template cannot make a worker or the preview write megabytes or recurse (N-3).

The bounds are cooperative (no time limit holds inside a worker's thread):
refused when compiled, or stopped while rendering.
"""

import pytest
from django.utils import translation

from notifications import templating
from notifications.templating import TemplateProblem, check_template, render

NAMES = {"title", "items", "recipient_name"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _render(body, **context):
    return render("s", body, "", context, "en", "Europe/Paris").body


def test_n3_deep_nesting_is_refused_before_the_parser_recurses():
    deep = "{% for x in items %}" * 500 + "{% endfor %}" * 500
    with pytest.raises(TemplateProblem, match="nested too deeply"):
        check_template(deep, NAMES)
    check_template("{% if title %}" * 10 + "x" + "{% endif %}" * 10, NAMES)  # ten is fine


@pytest.mark.parametrize(
    "source",
    [
        '{{ title|ljust:"100000000" }}',
        '{{ title|center:"5000" }}',
        '{{ title|stringformat:"0999999d" }}',
        "{{ title|rjust:recipient_name }}",  # a width no one can check in advance
    ],
)
def test_n3_width_filters_take_small_numbers_only(source):
    with pytest.raises(TemplateProblem, match="at most 200"):
        check_template(source, NAMES)
    check_template('{{ title|ljust:"20" }}', NAMES)


def test_n3_a_template_longer_than_the_limit_is_refused():
    with pytest.raises(TemplateProblem, match="too long"):
        check_template("x" * (templating.MAX_SOURCE_LENGTH + 1), NAMES)


def test_n3_loops_within_loops_stop_at_the_budget():
    loops = "{% for a in items %}{% for b in items %}{% for c in items %}{% endfor %}"
    loops += "{% endfor %}{% endfor %}"
    check_template(loops, NAMES)  # it compiles: the size is in the data
    with pytest.raises(TemplateProblem, match="too large"):
        _render(loops, items=list(range(1000)))  # a billion iterations, were it not stopped
    assert _render(loops, items=list(range(10))) == ""  # a thousand is fine


def test_n3_output_stops_at_the_budget():
    with pytest.raises(TemplateProblem, match="too large"):
        _render("{% for a in items %}{{ title }}{% endfor %}", title="x" * 1000, items=range(999))
    assert len(_render("{% for a in items %}{{ title }}{% endfor %}", title="ab", items="xyz")) == 6


def test_n3_refused_templates_are_not_kept_in_the_compile_cache():
    templating._compile.cache_clear()
    for width in range(300, 350):
        with pytest.raises(TemplateProblem):
            check_template(f'{{{{ title|ljust:"{width}" }}}}', NAMES)
    assert templating._compile.cache_info().currsize == 0
