"""What each app holds about a person (SPEC P-5): one `<app>/privacy.py` per app.

An app declares its part in one file, found the way the admin finds `admin.py`:

    def export(archive):   # add the person's rows: archive.add("visits", rows)
        ...                #   and name the other people in them: archive.others(host)
    def erase(erasure):    # remove or anonymise the person's rows
        ...                #   and forget the recipients they were: erasure.forget(key)

Both are called app after app in the reverse order of INSTALLED_APPS: the domain
apps first, then the engine (which redacts every message to the recipients they
forgot), then accounts (the person's own account) last.
"""

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


def autodiscover():
    autodiscover_modules("privacy")


def sections():
    """The apps' privacy modules, domain apps first, accounts last."""
    found = []
    for config in reversed(list(apps.get_app_configs())):
        module = getattr(config.module, "privacy", None)
        if module is not None and hasattr(module, "export") and hasattr(module, "erase"):
            found.append((config.label, module))
    return found
