"""`{{ booking.price|money:booking.currency }}`: the amount as the page's reader writes it."""

from django import template

from core import money as amounts

register = template.Library()


@register.filter
def money(amount, currency):
    if amount in (None, ""):
        return ""
    return amounts.money(amount, currency)
