"""factory_boy factories for organisations, users and memberships.

Organisations go through ``organisation_create`` so ``tree_path`` is right; credit codes are
valid (``make_credit_code``) and unique per sequence number.
"""

from __future__ import annotations

from typing import Any

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import OrgRole, SystemRole
from gongkai.accounts.services import organisation_create
from gongkai.domain.identifiers import make_credit_code

DEFAULT_PASSWORD = "correct horse battery staple 9"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试机关{n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    level = Organisation.Level.PROVINCIAL
    kind = Organisation.Kind.DEPARTMENT
    division_code = "440000"
    credit_code = factory.Sequence(lambda n: make_credit_code("11", "440000", f"{n:08d}"))
    parent = None

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Organisation:
        return organisation_create(actor=None, **kwargs)


class _UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: f"测试用户 {o.username}")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save_password(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.save()


class PublicUserFactory(_UserFactory):
    """公民 account (use ``account_type=User.AccountType.ENTERPRISE`` with a credit_code for 法人)."""

    account_type = User.AccountType.PERSON


class StaffUserFactory(_UserFactory):
    """工作人员 account; pass ``system_role=SystemRole.AUDITOR`` etc. for the 三权分立 roles."""

    account_type = User.AccountType.STAFF
    system_role = SystemRole.NONE


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(StaffUserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = OrgRole.HANDLER
    includes_subordinates = False


def totp_device_for(user: User) -> TOTPDevice:
    """A confirmed TOTP device (compute codes with ``django_otp.oath.totp(device.bin_key)``)."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="测试设备", defaults={"confirmed": True})
    return device
