"""Templates managers write, checked and rendered safely (SPEC N-3, N-17).

Managers write Django template syntax, limited to a few harmless tags: no
`{% load %}`, `{% include %}` or `{% url %}`, nothing that reads files or
settings. Unknown variables are refused when the template is saved, not
discovered when a message goes out.
"""

import functools
import zoneinfo
from dataclasses import dataclass

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import TextNode, Variable, VariableNode
from django.template.defaulttags import (
    AutoEscapeControlNode,
    CommentNode,
    CycleNode,
    FirstOfNode,
    ForNode,
    IfChangedNode,
    IfNode,
    SpacelessNode,
    TemplateLiteral,
    WithNode,
)
from django.utils import timezone, translation
from django.utils.translation import gettext as _

ALLOWED_NODES = (
    TextNode,
    VariableNode,
    IfNode,
    ForNode,
    WithNode,
    FirstOfNode,
    CommentNode,
    CycleNode,
    IfChangedNode,
    SpacelessNode,
    AutoEscapeControlNode,
)
ALLOWED_TAGS = "if, for, with, firstof, comment, cycle, ifchanged, spaceless, autoescape"

_TEXT_ENGINE = Engine(autoescape=False)
_HTML_ENGINE = Engine(autoescape=True)


class TemplateProblem(ValueError):
    """A template a manager wrote that cannot be used, with a message for them."""


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str
    html: str = ""


@functools.lru_cache(maxsize=2048)
def _compile(source, html):
    engine = _HTML_ENGINE if html else _TEXT_ENGINE
    try:
        return engine.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateProblem(_("Template syntax error: %(error)s") % {"error": error}) from None


def check_template(source, known_names, html=False):
    """Refuse syntax errors, tags outside the safe list and unknown variables."""
    template = _compile(source, html)
    _check_nodes(template.nodelist, set(known_names))
    return template


def _check_nodes(nodelist, names):
    for node in nodelist:
        if not isinstance(node, ALLOWED_NODES):
            tag = node.token.contents.split()[0] if node.token else type(node).__name__
            raise TemplateProblem(
                _("The tag {%% %(tag)s %%} is not allowed. Allowed tags: %(allowed)s.")
                % {"tag": tag, "allowed": ALLOWED_TAGS}
            )
        for expression in _expressions(node):
            _check_expression(expression, names)
        for child in _child_nodelists(node):
            _check_nodes(child, names | _names_defined_by(node))


def _child_nodelists(node):
    if isinstance(node, IfNode):
        return [child for _condition, child in node.conditions_nodelists]
    return [getattr(node, name) for name in node.child_nodelists if getattr(node, name, None)]


def _expressions(node):
    """The filter expressions a node evaluates."""
    if isinstance(node, VariableNode):
        return [node.filter_expression]
    if isinstance(node, ForNode):
        return [node.sequence]
    if isinstance(node, WithNode):
        return list(node.extra_context.values())
    if isinstance(node, FirstOfNode | CycleNode):
        return list(getattr(node, "vars", None) or getattr(node, "cyclevars", []))
    if isinstance(node, IfNode):
        return [e for condition, _n in node.conditions_nodelists for e in _operands(condition)]
    return []


def _operands(condition):
    """The expressions an {% if %} condition reads: `a == b`, `not x`, `a and b` alike."""
    if condition is None:
        return []
    if isinstance(condition, TemplateLiteral):  # an operand: one expression
        return [condition.value]
    return _operands(condition.first) + _operands(condition.second)


def _names_defined_by(node):
    if isinstance(node, ForNode):
        return set(node.loopvars) | {"forloop"}
    if isinstance(node, WithNode):
        return set(node.extra_context)
    return set()


def _check_expression(expression, names):
    variables = [expression.var] + [
        arg for _func, args in expression.filters for is_var, arg in args if is_var
    ]
    for variable in variables:
        if isinstance(variable, Variable) and variable.lookups:
            root = variable.lookups[0]
            if root not in names:
                raise TemplateProblem(
                    _("Unknown variable {{ %(name)s }}. Available: %(names)s.")
                    % {"name": root, "names": ", ".join(sorted(names))}
                )


def render(subject, body, html, context, language, time_zone):
    """Render a message in the recipient's language and time zone."""
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(time_zone)):
        text_context = Context(context, autoescape=False)
        rendered_body = _compile(body, False).render(text_context).strip()
        rendered_html = ""
        if html:
            rendered_html = _compile(html, True).render(Context(context))
        return RenderedMessage(
            # A subject is one line: a template's stray newline must not break the header.
            subject=" ".join(_compile(subject, False).render(text_context).split()),
            body=rendered_body,
            html=rendered_html,
        )
