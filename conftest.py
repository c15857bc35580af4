"""Shared pytest setup. Browser tests need Playwright's sync API inside pytest-django."""

import os

os.environ.setdefault("GONGKAI_TESTING", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Shared fixtures (org_tree, anon_client, staff_client_factory, totp_code) for every test directory.
pytest_plugins = ["gongkai.accounts.tests.fixtures", "gongkai.policies.tests.fixtures",
                  "gongkai.policies.search.testing"]


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_media_root(settings, tmp_path_factory):
    """Uploaded and generated files (attachments, 图解 images) never land in the real var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
