"""Typed readers for settings taken from environment variables.

A value that cannot be read is an error, never a silent default: `DEBUG=yes`
raises instead of meaning False. Secrets may come from a file named by
`<NAME>_FILE` (Docker and systemd credentials work that way).
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "on"}
_FALSE = {"0", "false", "off"}


def string(name, default=None):
    """The variable as text, or `<NAME>_FILE`'s content, or the default when unset or empty."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as secret:
                return secret.read().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {error}") from error
    return os.environ.get(name) or default


def boolean(name, default):
    """True for 1/true/on, False for 0/false/off; anything else is an error."""
    value = string(name)
    if value is None or value == "":
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: expected one of 1/true/on or 0/false/off")


def integer(name, default):
    """A whole number; anything else is an error."""
    value = string(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None


def number(name, default):
    """A decimal number (a timeout in seconds); anything else is an error."""
    value = string(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a number") from None


def string_list(name, default=()):
    """A comma-separated list, blanks dropped."""
    value = string(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def choice(name, default, choices):
    """One of `choices`; anything else is an error."""
    value = string(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r}: expected one of {', '.join(choices)}")
    return value


def names_with_prefix(prefix):
    """Names of the variables that start with `prefix` (a `_FILE` twin counts once)."""
    return {name.removesuffix("_FILE") for name in os.environ if name.startswith(prefix)}
