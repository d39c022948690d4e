"""Every admin and portal URL, tried as one person: what they read, what broke, what changed.

URLs come from the URL resolver (every named one is tried) and from the admin registry
(which model an admin URL is about, its actions, its autocomplete fields). Object URLs
are filled with the marked organisation's rows; forms are sent back as the viewer's own
page would send them, else as the marked organisation's manager's page would.
"""

import json

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLResolver, get_resolver, reverse

from tests.admin_forms import change_form_data
from tests.security.conftest import MARK, SEARCH

STANDARD = ("changelist", "add", "history", "delete", "change")
PASSWORD = "Pwned-passphrase-42"
# URL namespaces left out, and why.
NOT_CRAWLED: dict[str, str] = {}  # URL namespaces left out, each with why
# Models whose rows are no one's data: sessions (each request may touch its own), and
# the admin's own log of what the viewer did.
UNCOMPARED = {"sessions.Session", "admin.LogEntry"}


def named_urls():
    """{name: parameter names} of every named URL in the resolver's whole tree."""

    def walk(patterns, namespace, params):
        for pattern in patterns:
            groups = params | set(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner, groups)
            elif pattern.name:
                yield f"{namespace}{pattern.name}", groups

    return dict(walk(get_resolver().url_patterns, "", frozenset()))


class Hit:
    """One request: a GET, or a POST of `post` = (kind, data) worked out when it is sent."""

    def __init__(self, name, url, post=None):
        self.name, self.url, self.post = name, url, post

    def __repr__(self):
        return f"{'POST' if self.post else 'GET'} {self.url}"


def plan(targets, portal, inner=None):
    """Every request of the crawl: `targets` fill the admin's URLs, `portal` the portal's.

    `inner` gives the values of an object URL's second parameter ({"attachment_id": [3]}):
    a file of the object, say.
    """
    hits = [*_model_admin_hits(targets, inner or {}), *_autocomplete_hits()]
    covered = {hit.name for hit in hits}
    for name, params in named_urls().items():
        if name in covered or name.split(":")[0] in NOT_CRAWLED:
            continue
        if name.startswith("admin:"):
            hits += _site_hits(name, params, targets)
        else:
            hits += portal(name, params)
    return hits


def _model_admin_hits(targets, inner):
    hits = []
    for model, model_admin in admin.site._registry.items():
        rows = targets.get(model) or [model._default_manager.order_by("pk").first()]
        pks = [row.pk if row else 0 for row in rows]
        for pattern in model_admin.get_urls():
            if not pattern.name:
                continue  # "<id>/" redirects to the change page: tried with it, below
            name = f"admin:{pattern.name}"
            params = list(pattern.pattern.regex.groupindex)
            if len(params) > 1:
                (second,) = params[1:]
                for pk in pks:
                    for value in inner[second]:
                        url = reverse(name, kwargs={params[0]: pk, second: value})
                        hits.append(Hit(name, url))
            elif params:
                for pk in pks:
                    hits += _object_hits(name, reverse(name, kwargs={params[0]: pk}))
            elif name.endswith("_changelist"):
                url = reverse(name)
                hits += [Hit(name, url), Hit(name, f"{url}?q={SEARCH}")]
                hits.append(Hit(name, url, post=("actions", pks)))
            else:
                hits.append(Hit(name, reverse(name)))
    return hits


def _object_hits(name, url):
    suffix = next((s for s in STANDARD if name.endswith(f"_{s}")), "form")
    if name.endswith("_password_change"):
        suffix = "password"
    hits = [Hit(name, url)]
    if suffix == "change":
        hits.append(Hit(name, url.removesuffix("change/")))  # the bare object URL
    if suffix in ("change", "delete", "password", "form"):
        hits.append(Hit(name, url, post=("form" if suffix == "change" else suffix, None)))
    return hits


def _autocomplete_hits():
    url = reverse("admin:autocomplete")
    hits = [Hit("admin:autocomplete", url)]
    for model_admin in admin.site._registry.values():
        inlines = [inline(model_admin.model, admin.site) for inline in model_admin.inlines]
        for source in [model_admin, *inlines]:
            for field in source.autocomplete_fields:
                query = f"app_label={source.opts.app_label}&model_name={source.opts.model_name}"
                for term in ("", SEARCH):
                    hits.append(
                        Hit("admin:autocomplete", f"{url}?{query}&field_name={field}&term={term}")
                    )
    return hits


def _site_hits(name, params, targets):
    """The admin site's own pages: index, app lists, "view on site", password change..."""
    if not params:
        return [Hit(name, reverse(name))]
    if params == {"app_label"}:
        labels = {model._meta.app_label for model in admin.site._registry}
        return [Hit(name, reverse(name, kwargs={"app_label": label})) for label in labels]
    if params == {"content_type_id", "object_id"}:
        rows = [row for rows in targets.values() for row in rows]
        return [
            Hit(name, reverse(name, args=[ContentType.objects.get_for_model(row).pk, row.pk]))
            for row in rows
            if hasattr(row, "get_absolute_url")
        ]
    raise AssertionError(f"No values to try {name} with: {sorted(params)}")


def snapshot():
    """Every row of every table, by model and primary key."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label in UNCOMPARED or model._meta.proxy:
            continue
        pk = model._meta.pk.attname
        rows[model._meta.label] = {row[pk]: row for row in model._base_manager.values()}
    return rows


def changed_rows(before, after):
    return [
        f"{label} #{pk}"
        for label in before
        for pk in before[label].keys() | after[label].keys()
        if before[label].get(pk) != after[label].get(pk)
    ]


class Crawl:
    """One person's crawl of the plan: `seen` is {url: (status, marked)}, `errors` the 500s."""

    def __init__(self, client, hits, reference=None):
        self.client, self.hits, self.reference = client, hits, reference
        self.forms, self.actions, self.links = {}, {}, set()
        self.seen, self.errors = {}, []

    def read(self, links=True):
        """GET every page, then every filter choice of the lists (the viewer's and the owner's)."""
        for hit in self.hits:
            if hit.post is None:
                self._send("get", hit.url)
        if links:
            found = self.links | (self.reference.links if self.reference else set())
            for url in sorted(found - self.seen.keys()):
                self._send("get", url, learn=False)
        return self

    def write(self):
        """POST every change, delete, password, action and custom form."""
        for hit in self.hits:
            if hit.post is not None:
                for data in self._bodies(hit):
                    self._send("post", hit.url, data)
        return self

    @property
    def marked(self):
        return sorted(url for url, (_status, marked) in self.seen.items() if marked)

    def _send(self, method, url, data=None, learn=True):
        key = url if method == "get" else f"POST {url} {data}"
        kwargs = {}
        if isinstance(data, str):
            kwargs["content_type"] = "application/json"
        try:
            response = getattr(self.client, method)(url, data or {}, **kwargs)
        except Exception as error:  # the test client raises what the view raised: a 500
            self.seen[key] = (500, False)
            self.errors.append(f"{key}: {type(error).__name__}: {error}")
            return
        # The health endpoint says 503 when a part of the machinery is down (none runs here).
        unavailable = url.startswith("/health/") and response.status_code == 503
        if response.status_code >= 500 and not unavailable:
            self.errors.append(f"{key}: {response.status_code}")
        self.seen[key] = (response.status_code, MARK in _text(response))
        if learn and method == "get" and response.status_code == 200:
            self._learn(url, response)

    def _learn(self, url, response):
        context = response.context
        if context is None:
            return
        if "cl" in context:
            changelist = context["cl"]
            path = url.split("?")[0]
            for spec in changelist.filter_specs:
                self.links |= {path + choice["query_string"] for choice in spec.choices(changelist)}
            if context.get("action_form"):
                choices = context["action_form"].fields["action"].choices
                self.actions[path] = [name for name, _label in choices if name]
        elif "adminform" in context:
            self.forms[url] = change_form_data(response)
        elif isinstance(context.get("form"), forms.BaseForm):
            self.forms[url] = _plain_form_data(context["form"])

    def _bodies(self, hit):
        kind, value = hit.post
        if kind == "data":
            return [value]
        if kind == "delete":
            return [{"post": "yes"}]
        if kind == "password":
            return [{"password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"}]
        if kind == "actions":
            names = self.actions.get(hit.url) or self._reference("actions", hit.url) or []
            return [_action(name, value) for name in names]
        return [_attack(self.forms.get(hit.url) or self._reference("forms", hit.url) or {})]

    def _reference(self, what, url):
        return getattr(self.reference, what).get(url) if self.reference else None


def _text(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return (str(response.headers) + body.decode(errors="replace")).lower()


def _plain_form_data(form):
    data = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField):
            continue
        value = form.initial.get(name, field.initial)
        choices = [key for key, _label in getattr(field, "choices", []) if key not in ("", None)]
        if value in (None, "") and choices:
            value = str(choices[0])
        data[form.add_prefix(name)] = "pwned" if value in (None, "") else value
    return data


def _attack(data):
    """The page's own form, changed: every marked value and any email, and unticked."""
    attacked = {
        key: value.replace(MARK, "pwned") if isinstance(value, str) else value
        for key, value in data.items()
        if key != "is_active"
    }
    return attacked | {"email": "pwned@example.test"}


def _action(name, selected):
    # "post", "apply": the confirmation pages' second step, as if already confirmed.
    return {"action": name, "_selected_action": selected, "index": "0", "post": "yes", "apply": "1"}


def json_body(data):
    return json.dumps(data)
