import pytest

# poppler's pdfsig with an NSS database trusting the test CA (the evidence tests' fixtures).
from formaliza.evidence.tests.conftest import nss_db, pdfsig  # noqa: F401
from formaliza.journeys import services
from formaliza.journeys.adapters.fake import FakeMessenger
from formaliza.journeys.tests.helpers import open_formalization


@pytest.fixture(autouse=True)
def _journey_settings(settings, tmp_path):
    settings.JOURNEY_MESSENGER = "formaliza.journeys.adapters.fake.FakeMessenger"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PUBLIC_BASE_URL = "https://formaliza.test"
    FakeMessenger.reset()
    yield
    FakeMessenger.reset()


@pytest.fixture
def outbox():
    """What the fake ClientMessenger was asked to send (links and completions)."""
    return FakeMessenger


@pytest.fixture
def formalization(kit, make_input):
    return open_formalization(kit, make_input, count=2)


@pytest.fixture
def started(formalization):
    """A journey opened by the service (as the FORMALIZATION_OPENED_HANDLERS task does)."""
    return services.journey_start(request_id=formalization.pk)


@pytest.fixture
def journey(started):
    return started.journey
