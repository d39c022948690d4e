"""Paging a list of millions of rows: no unbounded COUNT(*), no deep OFFSET (DESIGN, pitfalls).

Django's paginator counts every row the filters leave: at ten million
deliveries that one statement takes longer than the whole page. This one counts
exactly up to `exact_up_to` rows, through the same index the page itself reads,
and past that takes the database planner's estimate, shown as "about N". It
offers `max_pages` pages at most: a reader looking further back narrows the
list with a filter or a search, which answers at once, rather than paging to an
OFFSET the database has to walk through.
"""

import json
import math

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    exact_up_to = 1000
    max_pages = 100

    estimated = False  # True once `count` is the planner's figure rather than a count

    @cached_property
    def count(self):
        # Sliced, the count keeps the list's ordering: COUNT over an index scan with a LIMIT.
        bounded = self.object_list.values("pk")[: self.exact_up_to + 1].count()
        if bounded <= self.exact_up_to:
            return bounded
        self.estimated = True
        return max(planner_estimate(self.object_list), bounded)

    @cached_property
    def num_pages(self):
        return min(super().num_pages, self.max_pages)

    @property
    def truncated(self):
        """Whether there are rows past the last page offered."""
        return self.count > self.max_pages * self.per_page

    def page(self, number):
        # An estimate can run past the last row: those pages are empty, not an error.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


def planner_estimate(queryset):
    """How many rows `queryset` has, as the PostgreSQL planner estimates it, without counting.

    Elsewhere (SQLite: a small installation) it is counted.
    """
    rows = queryset.values("pk").order_by()
    if connections[queryset.db].vendor != "postgresql":
        return rows.count()
    plan = json.loads(rows.explain(format="json"))
    return math.ceil(plan[0]["Plan"]["Plan Rows"])
