from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # feedback.email connects anymail's signal; manual declares its own event type;
        # checks registers the engine's system checks;
        # the tasks join Celery's registry, where the outbox finds them by name.
        from notifications import checks, events, manual, tasks  # noqa: F401
        from notifications.feedback import email  # noqa: F401

        events.autodiscover()
        post_migrate.connect(_install_default_rules, sender=self)


def _install_default_rules(sender, **kwargs):
    from notifications.defaults import install_default_rules

    install_default_rules()
