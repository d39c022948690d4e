"""What the portal's home shows: each domain app may add a section in `<app>/home.py`.

A `home.py` defines `section(user)`, returning the context of its template
`<app>/_home.html`, or None when the app has nothing to show that person. The
accounts app learns of the domains this way, without importing them.
"""

from django.apps import apps
from django.utils.module_loading import module_has_submodule


def sections(user):
    """The home sections for `user`, in the order of INSTALLED_APPS."""
    found = []
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "home"):
            continue
        module = __import__(f"{config.name}.home", fromlist=["section"])
        context = module.section(user)
        if context is not None:
            found.append({"template": f"{config.label}/_home.html", **context})
    return found
