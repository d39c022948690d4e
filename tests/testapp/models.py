"""A minimal appointment domain, only for proving the engine."""

from django.conf import settings
from django.db import models

from notifications.recipients import Recipient


class Appointment(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", models.CASCADE)
    title = models.CharField(max_length=100)
    start = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    client = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    paid = models.BooleanField(default=False)

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"/appointments/{self.pk}/"


class Guest(models.Model):
    """A plain contact, not a user: reached by email or phone only."""

    appointment = models.ForeignKey(Appointment, models.CASCADE, related_name="guests")
    name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    language = models.CharField(max_length=5, default="fr")

    def __str__(self):
        return self.name

    def as_recipient(self):
        return Recipient(
            key=f"testapp.guest:{self.pk}",
            name=self.name,
            email=self.email,
            phone=self.phone,
            language=self.language,
        )
