"""Roles (角色) and what each may do. One table, read by access functions and services.

Organisation roles are held per organisation through ``Membership``. The three system roles
(三权分立: 系统管理员, 安全管理员, 审计员) are held on the user and never combine with each other
or with organisation roles: the auditor reads the audit log and nothing else, and the system
administrator can neither read the audit log nor approve anything.
"""

from __future__ import annotations

from django.db import models


class OrgRole(models.TextChoices):
    REGISTRAR = "registrar", "登记员"
    HANDLER = "handler", "承办人"
    LEGAL_REVIEWER = "legal_reviewer", "法制审核员"
    OFFICE_HEAD = "office_head", "公开办负责人"
    PUBLISHER = "publisher", "信息发布员"
    ORG_ADMIN = "org_admin", "机关管理员"
    DEPARTMENT_HEAD = "department_head", "部门负责人"
    # 企业服务专员 (市场监管/企业服务): 一企一档 of the enterprises in the organisation's area.
    ENTERPRISE_SERVICE = "enterprise_service", "企业服务专员"


class SystemRole(models.TextChoices):
    NONE = "", "无"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDITOR = "auditor", "审计员"


class Perm:
    VIEW_RECORDS = "org.view_records"
    EDIT_PROFILE = "org.edit_profile"
    MANAGE_MEMBERS = "org.manage_members"
    REGISTER_REQUEST = "request.register"
    HANDLE_REQUEST = "request.handle"
    LEGAL_REVIEW = "request.legal_review"
    APPROVE = "request.approve"
    PUBLISH = "document.publish"
    APPROVE_DEPARTMENT = "document.approve_department"
    MANAGE_ENTERPRISES = "enterprise.manage"
    MANAGE_ORGS = "system.manage_orgs"
    MANAGE_USERS = "system.manage_users"
    MANAGE_CALENDAR = "system.manage_calendar"
    UNLOCK_ACCOUNTS = "security.unlock_accounts"
    RESET_OTP = "security.reset_otp"
    READ_AUDIT = "audit.read"


ORG_ROLE_PERMS: dict[str, frozenset[str]] = {
    OrgRole.REGISTRAR: frozenset({Perm.VIEW_RECORDS, Perm.REGISTER_REQUEST}),
    OrgRole.HANDLER: frozenset({Perm.VIEW_RECORDS, Perm.HANDLE_REQUEST}),
    OrgRole.LEGAL_REVIEWER: frozenset({Perm.VIEW_RECORDS, Perm.LEGAL_REVIEW}),
    OrgRole.OFFICE_HEAD: frozenset({Perm.VIEW_RECORDS, Perm.APPROVE}),
    OrgRole.PUBLISHER: frozenset({Perm.VIEW_RECORDS, Perm.PUBLISH}),
    OrgRole.ORG_ADMIN: frozenset({Perm.VIEW_RECORDS, Perm.EDIT_PROFILE, Perm.MANAGE_MEMBERS}),
    # Head of the drafting department: first of the two approvals for not disclosing a document.
    OrgRole.DEPARTMENT_HEAD: frozenset({Perm.VIEW_RECORDS, Perm.APPROVE_DEPARTMENT}),
    # Enterprise profiles (一企一档) of the organisation's 行政区划: edit, import, verify claims.
    OrgRole.ENTERPRISE_SERVICE: frozenset({Perm.VIEW_RECORDS, Perm.MANAGE_ENTERPRISES}),
}

SYSTEM_ROLE_PERMS: dict[str, frozenset[str]] = {
    SystemRole.SYSTEM_ADMIN: frozenset({Perm.MANAGE_ORGS, Perm.MANAGE_USERS, Perm.MANAGE_CALENDAR}),
    SystemRole.SECURITY_ADMIN: frozenset({Perm.UNLOCK_ACCOUNTS, Perm.RESET_OTP}),
    SystemRole.AUDITOR: frozenset({Perm.READ_AUDIT}),
    SystemRole.NONE: frozenset(),
}
