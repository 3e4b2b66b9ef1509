import pytest


@pytest.fixture
def account(pix_account):
    return pix_account
