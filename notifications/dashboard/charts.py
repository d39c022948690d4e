"""The dashboard's chart, drawn on the server as SVG by pygal (SPEC P-4).

pygal is a maintained pip package that writes plain SVG: nothing to build (no Node
step), nothing to download at run time, and no script on the page — it is set up with
`js=[]` (no tooltip script), and the configuration script it writes into every SVG for
that script is taken out, so the Content-Security-Policy has nothing to allow (plotly
would need its 4 MB bundle served and a nonce on its inline call). The SVG scales with
its container (no fixed size), which keeps it readable on a phone; the same numbers are
in a table beside it for screen readers, so the picture itself is hidden from them.
"""

import re

import pygal
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from pygal.style import Style

from notifications.dashboard.figures import GROUPS

# One colour per status group, in GROUPS' order: delivered, sent, waiting, failed, not sent.
COLOURS = ("#2e7d32", "#1565c0", "#9e9e9e", "#c62828", "#ef6c00")
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#333",
    foreground_strong="#333",
    foreground_subtle="#ddd",
    colors=COLOURS,
    font_family="system-ui, sans-serif",
    label_font_size=16,
    major_label_font_size=16,
    legend_font_size=16,
)
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)
# About six labels under the bars, whatever the period's number of buckets.
LABELS_SHOWN = 6


def legend():
    """(colour, label) of each series, for the page to show beside the chart."""
    return [(colour, group.label) for colour, group in zip(COLOURS, GROUPS, strict=True)]


def messages_over_time(buckets, labels):
    """A stacked bar per bucket, one colour per status group; SVG markup."""
    chart = pygal.StackedBar(
        js=[],
        style=STYLE,
        width=640,
        height=360,
        explicit_size=False,
        disable_xml_declaration=True,
        show_legend=False,  # in the page's HTML instead (charts.legend): it wraps on a phone
        show_minor_x_labels=False,
        x_labels_major_every=max(len(buckets) // LABELS_SHOWN, 1),
        truncate_label=-1,
        margin=8,
        no_data_text=_("No messages in this period"),
        print_values=False,
    )
    chart.x_labels = labels
    for index, group in enumerate(GROUPS):
        chart.add(str(group.label), [bucket.groups[index].value for bucket in buckets])
    svg = _SCRIPT.sub("", chart.render(is_unicode=True)).replace("<title>Pygal</title>", "")
    # The table beside it says the same to screen readers: the picture is for the eyes only.
    svg = svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    return format_html("{}", mark_safe(svg))  # noqa: S308  (pygal's own markup, our numbers)
