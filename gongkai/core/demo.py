"""演示数据 (demo data) for ``gongkai demo``.

The organisations are those of the four cases in 《政务公开工作交流》2020年第33期 (国务院办公厅
政府信息与政务公开办公室): 湖南 (复工复产政策解读回应), 上海银保监局 (政府信息公开工作新模式),
中国（山东）自贸试验区烟台片区 (政企“连心桥”) and 黟县 (信息公开助力乡村旅游).

Everything is created through the account services with ``actor=None`` (the system loader), so the
audit trail shows where each row came from. Loading is idempotent: existing organisations, users,
memberships and devices are kept, and a second run creates nothing and prints the same logins
(minus backup codes used in the meantime, which are topped up to ``BACKUP_CODES``).

All contact data is made up and cannot reach anyone: e-mail and web addresses are under
``example.gov.cn`` and the local part of every telephone number starts with 0, which no Chinese
subscriber number does.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import OrgRole, SystemRole
from gongkai.accounts.services import membership_grant, organisation_create, user_create
from gongkai.core.audit import record
from gongkai.domain.identifiers import make_credit_code

# Demo only: every demo account shares this password. Never load demo data into a production database.
DEMO_PASSWORD = "Gongkai-Demo-2026"
BACKUP_CODES = 5
TOTP_DEVICE_NAME = "演示身份验证器"
STATIC_DEVICE_NAME = "一次性备用码"
OFFICE_HOURS = "工作日 9:00-12:00，14:00-17:30（法定节假日除外）"

L = Organisation.Level
K = Organisation.Kind


@dataclass(frozen=True)
class DemoOrg:
    slug: str
    name: str
    short_name: str
    level: str
    kind: str
    division_code: str
    parent: str | None
    office_name: str
    address: str
    area_code: str
    postcode: str
    mail_host: str

    def fields(self) -> dict[str, Any]:
        n = sum(self.slug.encode()) % 1000
        return {
            "name": self.name,
            "short_name": self.short_name,
            "slug": self.slug,
            "level": self.level,
            "kind": self.kind,
            "division_code": self.division_code,
            "credit_code": demo_credit_code(self.slug, self.division_code),
            "office_name": self.office_name,
            "office_address": self.address,
            "office_hours": OFFICE_HOURS,
            "phone": f"{self.area_code}-0000{n:04d}",
            "fax": f"{self.area_code}-0001{n:04d}",
            "email": f"zwgk@{self.mail_host}",
            "postcode": self.postcode,
            "website": f"https://{self.mail_host}/",
        }


def demo_credit_code(slug: str, division: str) -> str:
    """A valid but made-up 统一社会信用代码 (demo codes, not the organisations' real ones).

    "11" = 机构编制部门登记的机关; the 组织机构代码 body is derived from the slug so each
    organisation gets the same code on every run and on every machine.
    """
    body = f"{int(hashlib.sha256(slug.encode()).hexdigest(), 16) % 10**8:08d}"
    return make_credit_code("11", division, body)


ORGANISATIONS: tuple[DemoOrg, ...] = (
    DemoOrg("hunan", "湖南省人民政府", "湖南省政府", L.PROVINCIAL, K.GOVERNMENT, "430000", None,
            "湖南省人民政府办公厅政务公开办公室", "湖南省长沙市示例路1号（演示地址）", "0731", "410000",
            "hunan.example.gov.cn"),
    DemoOrg("hunan-office", "湖南省人民政府办公厅", "湖南省政府办公厅", L.PROVINCIAL, K.GENERAL_OFFICE,
            "430000", "hunan", "湖南省人民政府办公厅政务公开办公室", "湖南省长沙市示例路1号（演示地址）",
            "0731", "410000", "ban.hunan.example.gov.cn"),
    DemoOrg("hunan-finance", "湖南省财政厅", "省财政厅", L.PROVINCIAL, K.DEPARTMENT, "430000",
            "hunan-office", "湖南省财政厅办公室（政务公开）", "湖南省长沙市示例路2号（演示地址）", "0731",
            "410000", "czt.hunan.example.gov.cn"),
    DemoOrg("hunan-culture-tourism", "湖南省文化和旅游厅", "省文旅厅", L.PROVINCIAL, K.DEPARTMENT,
            "430000", "hunan-office", "湖南省文化和旅游厅办公室（政务公开）",
            "湖南省长沙市示例路3号（演示地址）", "0731", "410000", "whhlyt.hunan.example.gov.cn"),
    DemoOrg("hunan-samr", "湖南省市场监督管理局", "省市场监管局", L.PROVINCIAL, K.DEPARTMENT, "430000",
            "hunan-office", "湖南省市场监督管理局办公室（政务公开）", "湖南省长沙市示例路4号（演示地址）",
            "0731", "410000", "amr.hunan.example.gov.cn"),
    DemoOrg("hunan-tax", "国家税务总局湖南省税务局", "省税务局", L.PROVINCIAL, K.VERTICAL, "430000",
            "hunan-office", "国家税务总局湖南省税务局办公室（政务公开）",
            "湖南省长沙市示例路5号（演示地址）", "0731", "410000", "hunan.chinatax.example.gov.cn"),
    DemoOrg("changsha", "长沙市人民政府", "长沙市政府", L.MUNICIPAL, K.GOVERNMENT, "430100", "hunan",
            "长沙市人民政府办公厅政务公开科", "湖南省长沙市示例大道100号（演示地址）", "0731", "410000",
            "changsha.example.gov.cn"),
    DemoOrg("zhuzhou", "株洲市人民政府", "株洲市政府", L.MUNICIPAL, K.GOVERNMENT, "430200", "hunan",
            "株洲市人民政府办公室政务公开科", "湖南省株洲市示例大道200号（演示地址）", "0731", "412000",
            "zhuzhou.example.gov.cn"),
    DemoOrg("shanghai-cbirc", "中国银行保险监督管理委员会上海监管局", "上海银保监局", L.PROVINCIAL,
            K.VERTICAL, "310000", None, "上海银保监局办公室（政府信息公开）",
            "上海市浦东新区示例路300号（演示地址）", "021", "200120", "shanghai.cbirc.example.gov.cn"),
    DemoOrg("yantai-ftz", "中国（山东）自由贸易试验区烟台片区管理委员会", "烟台片区管委会", L.MUNICIPAL,
            K.DISPATCHED, "370600", None, "烟台片区管理委员会党政办公室（政务公开）",
            "山东省烟台市示例路400号（演示地址）", "0535", "264000", "ytftz.example.gov.cn"),
    DemoOrg("yixian", "黟县人民政府", "黟县政府", L.COUNTY, K.GOVERNMENT, "341023", None,
            "黟县人民政府办公室政务公开股", "安徽省黄山市黟县示例街500号（演示地址）", "0559", "245500",
            "yixian.example.gov.cn"),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    account_type: str
    system_role: str = SystemRole.NONE
    org: str | None = None
    role: str | None = None
    includes_subordinates: bool = False


_S = User.AccountType.STAFF
USERS: tuple[DemoUser, ...] = (
    DemoUser("hn_registrar", "演示登记员（省政府办公厅）", _S, org="hunan-office", role=OrgRole.REGISTRAR),
    DemoUser("hn_handler", "演示承办人（省政府办公厅）", _S, org="hunan-office", role=OrgRole.HANDLER),
    DemoUser("hn_legal", "演示法制审核员（省政府办公厅）", _S, org="hunan-office", role=OrgRole.LEGAL_REVIEWER),
    DemoUser("hn_head", "演示公开办负责人（省政府办公厅）", _S, org="hunan-office", role=OrgRole.OFFICE_HEAD,
             includes_subordinates=True),
    DemoUser("hn_publisher", "演示信息发布员（省政府办公厅）", _S, org="hunan-office", role=OrgRole.PUBLISHER),
    DemoUser("hn_orgadmin", "演示机关管理员（省政府办公厅）", _S, org="hunan-office", role=OrgRole.ORG_ADMIN),
    DemoUser("hn_depthead", "演示部门负责人（省政府办公厅）", _S, org="hunan-office", role=OrgRole.DEPARTMENT_HEAD),
    DemoUser("hn_qiye", "演示企业服务专员（省政府办公厅）", _S, org="hunan-office", role=OrgRole.ENTERPRISE_SERVICE),
    DemoUser("hnsj_qiye", "演示企业服务专员（省市场监管局）", _S, org="hunan-samr", role=OrgRole.ENTERPRISE_SERVICE),
    DemoUser("hncz_publisher", "演示信息发布员（省财政厅）", _S, org="hunan-finance", role=OrgRole.PUBLISHER),
    DemoUser("hncz_head", "演示部门负责人（省财政厅）", _S, org="hunan-finance", role=OrgRole.DEPARTMENT_HEAD),
    DemoUser("hncz_registrar", "演示登记员（省财政厅）", _S, org="hunan-finance", role=OrgRole.REGISTRAR),
    DemoUser("hncz_handler", "演示承办人（省财政厅）", _S, org="hunan-finance", role=OrgRole.HANDLER),
    DemoUser("yx_registrar", "演示登记员（黟县）", _S, org="yixian", role=OrgRole.REGISTRAR),
    DemoUser("yx_handler", "演示承办人（黟县）", _S, org="yixian", role=OrgRole.HANDLER),
    DemoUser("sysadmin", "演示系统管理员", _S, system_role=SystemRole.SYSTEM_ADMIN),
    DemoUser("secadmin", "演示安全管理员", _S, system_role=SystemRole.SECURITY_ADMIN),
    DemoUser("auditor", "演示审计员", _S, system_role=SystemRole.AUDITOR),
    DemoUser("citizen", "演示公民", User.AccountType.PERSON),
    DemoUser("enterprise", "演示企业（示例科技有限公司）", User.AccountType.ENTERPRISE),
)


@dataclass
class DemoLogin:
    """One row of the printed login table."""

    username: str
    role: str
    organisation: str
    password: str
    backup_codes: list[str] = field(default_factory=list)
    totp_secret: str = ""
    otpauth_uri: str = ""


@dataclass
class DemoResult:
    created_organisations: int = 0
    created_users: int = 0
    created_memberships: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


def _role_label(spec: DemoUser) -> str:
    if spec.system_role:
        return str(SystemRole(spec.system_role).label)
    if spec.role:
        label = str(OrgRole(spec.role).label)
        return f"{label}（含下级机关）" if spec.includes_subordinates else label
    return str(User.AccountType(spec.account_type).label)


def _ensure_devices(user: User) -> tuple[TOTPDevice, list[str]]:
    """A confirmed TOTP device and ``BACKUP_CODES`` unused backup codes for a staff user."""
    totp = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if totp is None:
        totp = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
        # The key itself never goes into the audit trail.
        record("otp.device_create", obj=totp, after={"user": user.username, "type": "totp"},
               detail="演示数据")
    static = StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if static is None:
        static = StaticDevice.objects.create(user=user, name=STATIC_DEVICE_NAME, confirmed=True)
    codes = list(static.token_set.order_by("pk").values_list("token", flat=True))
    missing = BACKUP_CODES - len(codes)
    if missing > 0:
        new = [StaticToken.random_token() for _ in range(missing)]
        StaticToken.objects.bulk_create(StaticToken(device=static, token=t) for t in new)
        codes += new
        record("otp.backup_codes_issue", obj=static, after={"user": user.username, "count": missing},
               detail="演示数据")
    return totp, codes


@transaction.atomic
def load_demo() -> DemoResult:
    """Create (or find) the demo organisations and accounts; return the login table."""
    result = DemoResult()
    orgs: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        org = Organisation.objects.filter(slug=spec.slug).first()
        if org is None:
            fields = spec.fields()
            if spec.parent:
                fields["parent"] = orgs[spec.parent]
            org = organisation_create(actor=None, **fields)
            result.created_organisations += 1
        orgs[spec.slug] = org

    for user_spec in USERS:
        user = User.objects.filter(username=user_spec.username).first()
        if user is None:
            user = user_create(
                actor=None, username=user_spec.username, password=DEMO_PASSWORD,
                account_type=user_spec.account_type, display_name=user_spec.display_name,
                system_role=user_spec.system_role,
            )
            result.created_users += 1
        org_name = ""
        if user_spec.org and user_spec.role:
            org = orgs[user_spec.org]
            org_name = org.name
            exists = Membership.objects.filter(user=user, organisation=org, role=user_spec.role).exists()
            if not exists:
                membership_grant(actor=None, user=user, organisation=org, role=user_spec.role,
                                 includes_subordinates=user_spec.includes_subordinates)
                result.created_memberships += 1
        login = DemoLogin(user.username, _role_label(user_spec), org_name or "—", DEMO_PASSWORD)
        if user.account_type == User.AccountType.STAFF:
            totp, codes = _ensure_devices(user)
            login.backup_codes = codes
            login.totp_secret = base64.b32encode(totp.bin_key).decode()
            login.otpauth_uri = totp.config_url
        result.logins.append(login)
    return result
