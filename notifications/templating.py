"""Templates managers write, checked and rendered safely (SPEC N-3, N-17).

Managers write Django template syntax, limited to a few harmless tags: no
`{% load %}`, `{% include %}` or `{% url %}`, nothing that reads files or
settings. Unknown variables are refused when the template is saved, not
discovered when a message goes out.

A template is also a resource a manager controls: deep nesting would make
the parser recurse, a width filter or nested loops would make a worker write
megabytes. Workers render in threads, where no time limit can be enforced, so
the bounds are cooperative: nesting and filter widths are refused at compile
time, and a render stops with a TemplateProblem past an output or loop budget.
Only templates that passed these checks are kept in the compile cache.
"""

import functools
import re
import zoneinfo
from dataclasses import dataclass

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Lexer, Node, TextNode, TokenType, Variable, VariableNode
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

MAX_SOURCE_LENGTH = 20_000  # characters a template may have
MAX_NESTING = 10  # blocks within blocks
MAX_OUTPUT = 200_000  # characters one render may produce
MAX_LOOP_STEPS = 10_000  # iterations of every loop of one render, added up
MAX_WIDTH = 200  # the largest number a width filter may be given: ljust:"200"
WIDTH_FILTERS = {"center", "floatformat", "ljust", "rjust", "stringformat", "wordwrap"}
# Django's built-in tags that open a block: what the nesting count follows.
_BLOCK_TAGS = {
    "autoescape", "block", "comment", "filter", "for", "if", "ifchanged", "spaceless",
    "verbatim", "with",
}  # fmt: skip
_BUDGET = "relais.budget"


class TemplateProblem(ValueError):
    """A template a manager wrote that cannot be used, with a message for them."""


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str
    html: str = ""


@functools.lru_cache(maxsize=2048)  # an exception is not cached: only what passed
def _compile(source, html):
    """The compiled template, once its size, nesting, tags and filter widths are safe."""
    if len(source) > MAX_SOURCE_LENGTH:
        raise TemplateProblem(
            _("The template is too long (%(length)s characters; at most %(max)s).")
            % {"length": len(source), "max": MAX_SOURCE_LENGTH}
        )
    _check_nesting(source)
    engine = _HTML_ENGINE if html else _TEXT_ENGINE
    try:
        template = engine.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateProblem(_("Template syntax error: %(error)s") % {"error": error}) from None
    nodes = list(_walk(template.nodelist))
    for node in nodes:
        _check_node(node)
    for node in nodes:
        _budgeted(node)
    return template


def check_template(source, known_names, html=False):
    """Refuse syntax errors, unsafe templates, tags outside the safe list, unknown variables."""
    template = _compile(source, html)
    _check_names(template.nodelist, set(known_names))
    return template


def _check_nesting(source):
    """Refuse blocks nested deeper than MAX_NESTING, before the parser recurses into them."""
    depth = 0
    for token in Lexer(source).tokenize():
        if token.token_type != TokenType.BLOCK:
            continue
        tag = token.contents.split()[0] if token.contents else ""
        if tag in _BLOCK_TAGS:
            depth += 1
            if depth > MAX_NESTING:
                raise TemplateProblem(
                    _("Blocks are nested too deeply (at most %(max)s levels).")
                    % {"max": MAX_NESTING}
                )
        elif tag.startswith("end"):
            depth = max(depth - 1, 0)


def _walk(nodelist):
    for node in nodelist:
        yield node
        for child in _child_nodelists(node):
            yield from _walk(child)


def _check_node(node):
    if not isinstance(node, ALLOWED_NODES):
        tag = node.token.contents.split()[0] if node.token else type(node).__name__
        raise TemplateProblem(
            _("The tag {%% %(tag)s %%} is not allowed. Allowed tags: %(allowed)s.")
            % {"tag": tag, "allowed": ALLOWED_TAGS}
        )
    for expression in _expressions(node):
        for function, arguments in expression.filters:
            if function.__name__ in WIDTH_FILTERS:
                _check_width(function.__name__, arguments)


def _check_width(name, arguments):
    for is_variable, argument in arguments:
        numbers = [int(digits) for digits in re.findall(r"\d+", str(argument))]
        if is_variable or any(number > MAX_WIDTH for number in numbers):
            raise TemplateProblem(
                _("The filter %(filter)s takes a number of at most %(max)s.")
                % {"filter": name, "max": MAX_WIDTH}
            )


def _check_names(nodelist, names):
    for node in nodelist:
        for expression in _expressions(node):
            _check_expression(expression, names)
        for child in _child_nodelists(node):
            _check_names(child, names | _names_defined_by(node))


class _LoopStep(Node):
    """Put first in a loop's body: each iteration spends one step of the render's budget."""

    def render(self, context):
        _spend(context, steps=1)
        return ""


def _budgeted(node):
    """Make the compiled node count what it costs against the render's budget."""
    if isinstance(node, ForNode):
        node.nodelist_loop.insert(0, _LoopStep())
    if isinstance(node, TextNode | VariableNode):
        render = node.render_annotated

        def counted(context):
            text = render(context)
            _spend(context, output=len(text))
            return text

        node.render_annotated = counted


def _spend(context, steps=0, output=0):
    spent_steps, spent_output = context.render_context.get(_BUDGET, (0, 0))
    spent_steps, spent_output = spent_steps + steps, spent_output + output
    if spent_steps > MAX_LOOP_STEPS or spent_output > MAX_OUTPUT:
        raise TemplateProblem(
            _("The message grows too large (loops within loops?): it was stopped.")
        )
    context.render_context[_BUDGET] = (spent_steps, spent_output)


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
            subject=_one_line(_compile(subject, False).render(text_context)),
            body=rendered_body,
            html=rendered_html,
        )


def _one_line(text):
    """A subject is one line; its non-breaking spaces (before « : », inside « ») stay."""
    return re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", text).strip()
