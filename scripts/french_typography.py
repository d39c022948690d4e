"""French typography in the French catalog: a non-breaking space before : ; ? ! and inside
« », and the typographic apostrophe. Run after adding strings; idempotent.

Only the catalog: the SMS templates keep plain spaces (a non-breaking space makes an SMS
switch to UCS-2, and cost twice the money).
"""

import re
from pathlib import Path

import polib

NBSP = "\u00a0"
CATALOG = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def typeset(text):
    text = re.sub(r" ([:;?!])", NBSP + r"\1", text)
    text = text.replace("« ", "«" + NBSP).replace(" »", NBSP + "»")
    return re.sub(r"(?<=\w)'(?=\w)", "’", text)


po = polib.pofile(str(CATALOG))
for entry in po:
    entry.msgstr = typeset(entry.msgstr)
    for index, text in entry.msgstr_plural.items():
        entry.msgstr_plural[index] = typeset(text)
po.save()
