"""Fixtures for policy-library tests.

The taxonomy (主题分类, tags) is seeded by migration 0002; transactional tests flush it, so tests
that need it use the ``taxonomy`` fixture, which re-seeds idempotently.
"""

from __future__ import annotations

import importlib
from datetime import date
from typing import Any

import pytest
from django.apps import apps as django_apps

from gongkai.accounts.models import Organisation
from gongkai.domain.documents import DocStatus
from gongkai.policies.models import Document, SubjectCategory, Tag

_seed_migration = importlib.import_module("gongkai.policies.migrations.0002_seed_taxonomy")


def seed_taxonomy() -> None:
    _seed_migration.seed(django_apps, None)


@pytest.fixture
def taxonomy(db: Any) -> None:
    seed_taxonomy()


def make_document(organisation: Organisation, *, title: str = "关于进一步支持小微企业发展的若干措施",
                  published: bool = True, **fields: Any) -> Document:
    """A document created through the real service (as the system loader), published by default."""
    from django.utils import timezone

    from gongkai.policies.services.documents import document_create

    defaults: dict[str, Any] = {
        "issuers": [organisation.name], "written_on": date(2026, 3, 2), "category": "normative",
        "level": "provincial", "body_html": "<p>为支持小微企业发展，制定以下措施。</p>",
        "subject": SubjectCategory.objects.filter(parent__isnull=False).first(),
    }
    defaults.update(fields)
    if published:
        return document_create(actor=None, organisation=organisation, title=title,
                               status=DocStatus.PUBLISHED, published_at=timezone.now(), **defaults)
    return document_create(actor=None, organisation=organisation, title=title, **defaults)


def tag(kind: str, name: str) -> Tag:
    return Tag.objects.get(kind=kind, name=name)
