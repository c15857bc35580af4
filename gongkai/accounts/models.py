"""Organisations (机关), users and memberships (user × organisation × role)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from gongkai.accounts.roles import OrgRole, SystemRole
from gongkai.domain.identifiers import IdentifierError, validate_credit_code, validate_division_code


def _credit_code_validator(value: str) -> None:
    try:
        validate_credit_code(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc)) from None


def _division_code_validator(value: str) -> None:
    try:
        validate_division_code(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc)) from None


class HttpsURLField(models.URLField[str, str]):
    """A URL field whose form field assumes https:// when the scheme is omitted (government sites
    are served over HTTPS; this is also Django 6's default)."""

    def formfield(self, **kwargs: Any) -> Any:
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)


# Paths under /gongkai/ that belong to 栏目 (columns), so no organisation may use them as its slug.
RESERVED_SLUGS = frozenset({"zhidu", "fdzdgknr", "ysqgk", "nianbao", "zhinan"})


class Organisation(models.Model):
    """机关 — a government body, one node of the organisation tree."""

    class Level(models.TextChoices):
        NATIONAL = "national", "国家"
        PROVINCIAL = "provincial", "省"
        MUNICIPAL = "municipal", "市"
        COUNTY = "county", "县"
        TOWNSHIP = "township", "乡镇"

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "人民政府"
        GENERAL_OFFICE = "general_office", "人民政府办公厅（室）"
        DEPARTMENT = "department", "部门"
        VERTICAL = "vertical", "垂直管理机构"
        DISPATCHED = "dispatched", "派出机构"
        DISCLOSURE_OFFICE = "disclosure_office", "政府信息公开工作机构"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=50, blank=True)
    slug = models.SlugField("网址标识", max_length=60, unique=True)
    level = models.CharField("层级", max_length=12, choices=Level.choices)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级机关", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path "/00000001/00000005/" so subtree queries are one indexed prefix match;
    # zero-padded so that ordering by it lists the tree depth-first in creation order.
    tree_path = models.CharField("树路径", max_length=255, db_index=True, editable=False, default="")
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[_credit_code_validator]
    )
    division_code = models.CharField("行政区划代码", max_length=6, validators=[_division_code_validator])
    # 政府信息公开指南 contact data (Art. 12).
    office_name = models.CharField("政府信息公开工作机构", max_length=100, blank=True)
    office_address = models.CharField("办公地址", max_length=200, blank=True)
    office_hours = models.CharField("办公时间", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=50, blank=True)
    fax = models.CharField("传真", max_length=50, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    website = HttpsURLField("网站", blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "机关"
        verbose_name_plural = "机关"
        ordering = ["tree_path", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": f"网址标识“{self.slug}”是栏目保留字，请换一个。"})
        if self.postcode and not (len(self.postcode) == 6 and self.postcode.isdigit()):
            raise ValidationError({"postcode": "邮政编码应为6位数字。"})
        if self.parent_id and self.pk:
            node: Organisation | None = self.parent
            while node is not None:
                if node.pk == self.pk:
                    raise ValidationError({"parent": "上级机关不能是本机关或其下级机关。"})
                node = node.parent

    @staticmethod
    def path_segment(pk: int) -> str:
        return f"{pk:08d}/"

    def path_ids(self) -> list[int]:
        """The ids of the root … this organisation, read from the materialised path (no query)."""
        return [int(p) for p in self.tree_path.strip("/").split("/") if p]

    def ancestors(self) -> list[Organisation]:
        ids = self.path_ids()[:-1]
        by_id = {o.pk: o for o in Organisation.objects.filter(pk__in=ids)}
        return [by_id[i] for i in ids if i in by_id]


class User(AbstractUser):
    """用户 — a public account (citizen or enterprise) or a staff member."""

    class AccountType(models.TextChoices):
        PERSON = "person", "公民"
        ENTERPRISE = "enterprise", "法人或其他组织"
        STAFF = "staff", "工作人员"

    account_type = models.CharField(
        "账号类型", max_length=12, choices=AccountType.choices, default=AccountType.PERSON
    )
    system_role = models.CharField(
        "系统角色", max_length=16, choices=SystemRole.choices, default=SystemRole.NONE, blank=True
    )
    display_name = models.CharField("姓名/名称", max_length=100, blank=True)
    # Only for 法人或其他组织 accounts; validated on registration.
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True,
                                   validators=[_credit_code_validator])

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_staff_member(self) -> bool:
        return self.account_type == self.AccountType.STAFF

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Django's is_staff gates the admin site; only the system administrator uses it.
        self.is_staff = self.system_role == SystemRole.SYSTEM_ADMIN
        super().save(*args, **kwargs)


class Membership(models.Model):
    """任职 — a staff user holds a role in an organisation."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name="机关", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("角色", max_length=20, choices=OrgRole.choices)
    includes_subordinates = models.BooleanField("含下级机关", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "任职"
        verbose_name_plural = "任职"
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"

    def covers(self, organisation: Organisation) -> bool:
        """Whether this membership's role applies to ``organisation``: its own organisation, or a
        subordinate one when it includes subordinates (含下级机关)."""
        held = self.organisation
        return held.pk == organisation.pk or (
            self.includes_subordinates and organisation.tree_path.startswith(held.tree_path))


class ApiToken(models.Model):
    """接口令牌 — a token for integrations; only its SM3 digest is stored."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("前缀", max_length=8, db_index=True)
    digest = models.CharField("摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
