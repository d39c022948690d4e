"""The record that a person was erased (SPEC P-5): who did it, when, why — nothing of the person."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ErasureRecord(models.Model):
    """One person erased at their request; kept as the proof that it was done."""

    person_id = models.PositiveBigIntegerField(_("account number"))
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("erased by"),
    )
    erased_at = models.DateTimeField(_("erased on"), auto_now_add=True)
    reason = models.TextField(_("reason"))
    # The keyed hashes of their email address and number (core.identifiers), never the values:
    # what their STOP and refusals are still honoured by.
    hashed_identifiers = models.JSONField(_("hashed identifiers"), default=list)
    # Which organisations they belonged to: whose managers see this record.
    organisations = models.ManyToManyField(
        "accounts.Organisation", related_name="+", verbose_name=_("organisations")
    )
    # What each app did: {"visitors": 3, "notifications": 12, ...} rows changed.
    summary = models.JSONField(_("rows changed"), default=dict)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-erased_at"]

    def __str__(self):
        return _("Account no. %(number)s, erased") % {"number": self.person_id}
