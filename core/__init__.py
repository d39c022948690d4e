"""Pieces every domain app may use and none owns: calendar files, signed links, rate limits.

A plain package, not a Django app: no models, templates or settings of its own.
"""
