"""Django's own admin strings that read badly in French, worded again in our catalog.

`makemessages` keeps a string only when the project's code names it, so they are
named here; nothing imports this module. Django says "Affichage de envoi"; we say
« Consultation : envoi ».
"""

from django.utils.translation import gettext_noop

DJANGO_ADMIN_TITLES = [gettext_noop("View %s"), gettext_noop("Change %s"), gettext_noop("Add %s")]
