import pytest

from accounts.models import Organisation, Role
from tests.factories import OrganisationFactory, SiteFactory, member


@pytest.fixture
def organisation(db):
    """The residence the tests happen in. It sends for real (to the test backends);
    the demo and test sending modes are tested where they are set explicitly."""
    return OrganisationFactory(
        name="Résidence Les Tilleuls", sending_mode=Organisation.SendingMode.PRODUCTION
    )


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Parc Horizon")


@pytest.fixture
def site(organisation):
    return SiteFactory(organisation=organisation, name="Bâtiment A")


@pytest.fixture
def bob(organisation):
    """Bob manages the Tilleuls residence."""
    return member(organisation, Role.MANAGER, email="bob@example.test", display_name="Bob Martin")


@pytest.fixture
def alice(organisation):
    """Alice lives in the Tilleuls residence."""
    return member(organisation, email="alice@example.test", display_name="Alice Durand")


@pytest.fixture
def fake_provider(settings):
    """A fake Brevo + Twilio on 127.0.0.1, with the real client libraries pointed at it."""
    from tests.fake_provider import FakeProvider

    provider = FakeProvider().start()
    settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
    settings.ANYMAIL = {
        "BREVO_API_KEY": "test-key",
        "BREVO_API_URL": provider.url + "/v3/",
        "WEBHOOK_SECRET": "relais:webhook-secret",
    }
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "twilio-test-token"
    settings.TWILIO_SMS_FROM = "+33700000000"
    settings.TWILIO_API_URL = provider.url
    settings.RELAIS_CHANNELS = {
        **settings.RELAIS_CHANNELS,
        "sms": "notifications.channels.sms.TwilioSMS",
        "voice": "notifications.channels.voice.TwilioVoice",
    }
    yield provider
    provider.stop()


@pytest.fixture
def fake_telegram(settings):
    """A fake Bot API on 127.0.0.1, the platform's bot pointed at it (SPEC C-6)."""
    from tests.fake_telegram import FakeTelegram

    telegram = FakeTelegram().start()
    settings.TELEGRAM_API_BASE = telegram.url
    settings.TELEGRAM_BOT_TOKEN = "123:platform-token"
    settings.TELEGRAM_BOT_USERNAME = telegram.username
    yield telegram
    telegram.stop()
