"""Everything Relais holds about one person, as a zip of JSON files (SPEC P-5).

Each app adds its rows (`<app>/privacy.py`, `export(archive)`) and names the
other people those rows mention; their names, addresses and numbers are then
replaced in every text of the archive, the person's own never.
"""

import io
import json
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from privacy import registry
from privacy.identity import Subject, identifiers_of, replacer

REDACTED = "[redacted]"


class Archive(Subject):
    """What is being gathered about `person`: sections of rows, and who else they mention."""

    def __init__(self, person):
        super().__init__(person)
        self.sections = {}
        self._others = set()

    def add(self, name, rows):
        """Add a section (a list of JSON-ready dicts, or one dict)."""
        self.sections[name] = rows

    def add_rows(self, name, queryset, fields, **computed):
        """Add a section of `fields` of each row, and `computed` (name: function of the row)."""
        self.add(name, rows(queryset, fields, **computed))

    def others(self, *people):
        """Other people named in the rows added: they are redacted everywhere in the archive."""
        self._others |= identifiers_of(*people)

    def redacted(self):
        """The sections with every other person's identifiers replaced."""
        own = {value.lower() for value in identifiers_of(self.person)}
        others = {value for value in self._others if value.lower() not in own}
        scrub = replacer(others, REDACTED)
        return {name: _map_strings(rows, scrub) for name, rows in self.sections.items()}


def gather(person):
    """An Archive of `person`, every app's section in it."""
    archive = Archive(person)
    for _label, module in registry.sections():
        module.export(archive)
    return archive


def zipped(person):
    """The archive as a zip: one JSON file per section, and an index."""
    sections = gather(person).redacted()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        index = {"generated_at": timezone.now(), "person": person.pk, "files": []}
        for name, rows in sections.items():
            archive.writestr(f"{name}.json", _json(rows))
            index["files"].append(f"{name}.json")
        archive.writestr("index.json", _json(index))
    return buffer.getvalue()


def _json(data):
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def _map_strings(data, function):
    if isinstance(data, str):
        return function(data)
    if isinstance(data, dict):
        return {key: _map_strings(value, function) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_map_strings(value, function) for value in data]
    return data


def rows(queryset, fields, **computed):
    """JSON-ready dicts of `fields` for each row, plus `computed` (name: function of the row)."""
    found = []
    for row in queryset:
        item = {field: plain(getattr(row, field)) for field in fields}
        item.update({name: plain(function(row)) for name, function in computed.items()})
        found.append(item)
    return found


def plain(value):
    """A value as JSON holds it: dates in ISO 8601, the rest as text."""
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
