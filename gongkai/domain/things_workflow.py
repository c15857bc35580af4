"""一件事一次办 (issue 6 §5): the states of an application (一次申报 → 一次受理 → 一次联办 → 一次兑现),
of each department's joint-handling task (联办任务) and of a payout record (兑现记录), as explicit
transition tables; the merging rules of 一表申请、一套材料 (fields and materials deduplicated across
the items of a thing); the working-day flags of a task; and the receipt number format.

Pure Python, no Django. The services of ``gongkai.things`` call ``assert_can_transition`` before
every change; the models reuse the enums for ``choices``.

Sources: 湘政办明电〔2020〕23号 (“一次告知、一次申报、一次受理、一次联办、一次兑现”, as reported in
《政务公开工作交流》2020年第33期); 国发〔2024〕3号 and 国办发〔2025〕24号 (一表申请、一套材料、
牵头部门与配合部门; platforms.md §3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Final

from gongkai.domain.identifiers import mask_phone, mask_resident_id


class ThingsError(ValueError):
    """A transition or merge the rules do not allow; ``str(error)`` is a Chinese message."""


# ---------------------------------------------------------------- application (一次申报 … 一次兑现)


class ApplicationStatus(StrEnum):
    DRAFT = "draft"  # 草稿（一次申报：可反复保存）
    SUBMITTED = "submitted"  # 已提交，待受理
    ACCEPTED = "accepted"  # 已受理（一次受理，已出具受理回执，联办任务已分发）
    REJECTED = "rejected"  # 不予受理（附理由和需补正的内容）
    IN_JOINT_HANDLING = "in_joint_handling"  # 联办中（至少一个部门已办结）
    COMPLETED = "completed"  # 已办结（所有部门任务均已办结）
    PAID = "paid"  # 已兑现（兑现记录经部门确认）

    @property
    def label(self) -> str:
        return APPLICATION_LABELS[self]


A = ApplicationStatus

APPLICATION_LABELS: Final = {
    A.DRAFT: "草稿",
    A.SUBMITTED: "已提交，待受理",
    A.ACCEPTED: "已受理",
    A.REJECTED: "不予受理",
    A.IN_JOINT_HANDLING: "联办中",
    A.COMPLETED: "已办结",
    A.PAID: "已兑现",
}

APPLICATION_TRANSITIONS: Final[Mapping[ApplicationStatus, frozenset[ApplicationStatus]]] = {
    A.DRAFT: frozenset({A.SUBMITTED}),
    A.SUBMITTED: frozenset({A.ACCEPTED, A.REJECTED}),
    # The applicant fixes what the rejection names and submits again from the draft.
    A.REJECTED: frozenset({A.DRAFT}),
    # One department may close the last task at once (a thing of one item).
    A.ACCEPTED: frozenset({A.IN_JOINT_HANDLING, A.COMPLETED}),
    A.IN_JOINT_HANDLING: frozenset({A.COMPLETED}),
    A.COMPLETED: frozenset({A.PAID}),
    A.PAID: frozenset(),
}

# 办结: counted as a completed matter in the statistics.
COMPLETED_STATES: Final = frozenset({A.COMPLETED, A.PAID})
# The applicant may still change the form and the materials.
EDITABLE_STATES: Final = frozenset({A.DRAFT})


# ---------------------------------------------------------------- joint-handling task (一次联办)


class TaskStatus(StrEnum):
    PENDING = "pending"  # 办理中
    APPROVED = "approved"  # 准予（通过）
    REJECTED = "rejected"  # 不予通过（附理由）

    @property
    def label(self) -> str:
        return TASK_LABELS[self]


T = TaskStatus
TASK_LABELS: Final = {T.PENDING: "办理中", T.APPROVED: "已通过", T.REJECTED: "不予通过"}
TASK_TRANSITIONS: Final[Mapping[TaskStatus, frozenset[TaskStatus]]] = {
    T.PENDING: frozenset({T.APPROVED, T.REJECTED}),
    T.APPROVED: frozenset(),
    T.REJECTED: frozenset(),
}
CLOSED_TASK_STATES: Final = frozenset({T.APPROVED, T.REJECTED})
DUE_SOON_DAYS: Final = 3  # 即将到期：剩余不超过3个工作日（same threshold as disclosure_deadlines）


# ---------------------------------------------------------------- payout (一次兑现, 免申即享 二次确认)


class PayoutStatus(StrEnum):
    CANDIDATE = "candidate"  # 待确认（免申即享比对名单，或承办部门登记后待负责人确认）
    CONFIRMED = "confirmed"  # 已确认（计入统计）
    REJECTED = "rejected"  # 不予兑现

    @property
    def label(self) -> str:
        return PAYOUT_LABELS[self]


P = PayoutStatus
PAYOUT_LABELS: Final = {P.CANDIDATE: "待确认", P.CONFIRMED: "已确认", P.REJECTED: "不予兑现"}
PAYOUT_TRANSITIONS: Final[Mapping[PayoutStatus, frozenset[PayoutStatus]]] = {
    P.CANDIDATE: frozenset({P.CONFIRMED, P.REJECTED}),
    P.CONFIRMED: frozenset(),
    P.REJECTED: frozenset(),
}


def _refuse(what: str, src_label: str, dst_label: str) -> ThingsError:
    return ThingsError(f"{what}当前状态为“{src_label}”，不能变更为“{dst_label}”。")


def assert_application_transition(src: str, dst: str) -> None:
    s, d = A(src), A(dst)
    if d not in APPLICATION_TRANSITIONS[s]:
        raise _refuse("申请", s.label, d.label)


def assert_task_transition(src: str, dst: str) -> None:
    s, d = T(src), T(dst)
    if d not in TASK_TRANSITIONS[s]:
        raise _refuse("联办任务", s.label, d.label)


def assert_payout_transition(src: str, dst: str) -> None:
    s, d = P(src), P(dst)
    if d not in PAYOUT_TRANSITIONS[s]:
        raise _refuse("兑现记录", s.label, d.label)


def status_after_task_closed(current: str, task_statuses: Iterable[str]) -> ApplicationStatus:
    """The application's state once one of its tasks has been decided: 已办结 only when every task
    is closed (所有部门办结，一次联办), otherwise 联办中."""
    statuses = [T(s) for s in task_statuses]
    if not statuses:
        raise ThingsError("申请没有联办任务。")
    target = A.COMPLETED if all(s in CLOSED_TASK_STATES for s in statuses) else A.IN_JOINT_HANDLING
    if A(current) == target:
        return target
    assert_application_transition(current, target)
    return target


@dataclass(frozen=True)
class TaskFlags:
    days_remaining: int  # working days left after today (0 when due today or overdue)
    due_soon: bool
    overdue: bool

    @property
    def label(self) -> str:
        if self.overdue:
            return "已超期"
        if self.due_soon:
            return f"即将到期（剩余{self.days_remaining}个工作日）"
        return f"剩余{self.days_remaining}个工作日"


def task_flags(due: date, today: date, working_days_after_today_until_due: int, *, closed: bool = False) -> TaskFlags:
    """Flags of a task with ``due`` as its last day: overdue from the day after; due soon when at most
    ``DUE_SOON_DAYS`` working days remain. The caller counts the working days with the calendar."""
    if closed:
        return TaskFlags(0, False, False)
    overdue = today > due
    remaining = 0 if overdue else working_days_after_today_until_due
    return TaskFlags(remaining, not overdue and remaining <= DUE_SOON_DAYS, overdue)


# ---------------------------------------------------------------- 一套材料: merged materials


class MaterialSource(StrEnum):
    APPLICANT = "applicant"  # 申请人提供
    DEFERRED = "deferred"  # 容缺（可先受理，后补交）
    SHARED = "shared"  # 部门共享获取
    EXEMPT = "exempt"  # 免提交

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self]


SOURCE_LABELS: Final = {
    MaterialSource.APPLICANT: "申请人提供",
    MaterialSource.DEFERRED: "容缺（可后补）",
    MaterialSource.SHARED: "部门共享获取",
    MaterialSource.EXEMPT: "免提交",
}
# When items disagree, the strictest demand on the applicant wins: one item needing the paper
# from the applicant means the applicant provides it (once, for all items).
SOURCE_PRECEDENCE: Final = (MaterialSource.APPLICANT, MaterialSource.DEFERRED, MaterialSource.SHARED,
                            MaterialSource.EXEMPT)
UPLOAD_SOURCES: Final = frozenset({MaterialSource.APPLICANT, MaterialSource.DEFERRED})


@dataclass(frozen=True)
class MaterialNeed:
    """One item's need for one material (the row ItemMaterial)."""

    key: str
    name: str
    source: str
    item: str


@dataclass(frozen=True)
class MergedMaterial:
    key: str
    name: str
    source: MaterialSource
    items: tuple[str, ...]

    @property
    def upload(self) -> bool:
        return self.source in UPLOAD_SOURCES

    @property
    def required_at_submission(self) -> bool:
        return self.source is MaterialSource.APPLICANT


def merge_materials(needs: Iterable[MaterialNeed]) -> list[MergedMaterial]:
    """一套材料: one entry per material key, in first-seen order, with the strictest source and the
    items that need it."""
    order: list[str] = []
    names: dict[str, str] = {}
    sources: dict[str, MaterialSource] = {}
    items: dict[str, list[str]] = {}
    for need in needs:
        source = MaterialSource(need.source)
        if need.key not in names:
            order.append(need.key)
            names[need.key] = need.name
            sources[need.key] = source
            items[need.key] = []
        elif SOURCE_PRECEDENCE.index(source) < SOURCE_PRECEDENCE.index(sources[need.key]):
            sources[need.key] = source
        if need.item not in items[need.key]:
            items[need.key].append(need.item)
    return [MergedMaterial(k, names[k], sources[k], tuple(items[k])) for k in order]


# ---------------------------------------------------------------- 一表申请: merged form


class FieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    DATE = "date"
    PHONE = "phone"  # personal data: masked when shown
    ID_NUMBER = "id_number"  # personal data: masked when shown

    @property
    def label(self) -> str:
        return FIELD_TYPE_LABELS[self]


FIELD_TYPE_LABELS: Final = {
    FieldType.TEXT: "文本", FieldType.TEXTAREA: "多行文本", FieldType.NUMBER: "数字", FieldType.DATE: "日期",
    FieldType.PHONE: "电话号码", FieldType.ID_NUMBER: "身份证件号码",
}
PERSONAL_TYPES: Final = frozenset({FieldType.PHONE, FieldType.ID_NUMBER})


@dataclass(frozen=True)
class FieldNeed:
    key: str
    label: str
    type: str
    required: bool
    item: str


@dataclass(frozen=True)
class MergedField:
    key: str
    label: str
    type: FieldType
    required: bool
    items: tuple[str, ...]


def merge_fields(needs: Iterable[FieldNeed]) -> list[MergedField]:
    """一表申请: one field per key in first-seen order; required when any item requires it. The same
    key with two types is a configuration error (the form could not hold both answers)."""
    merged: dict[str, MergedField] = {}
    for need in needs:
        ftype = FieldType(need.type)
        old = merged.get(need.key)
        if old is None:
            merged[need.key] = MergedField(need.key, need.label, ftype, need.required, (need.item,))
            continue
        if old.type is not ftype:
            raise ThingsError(f"表单字段“{need.label}”（{need.key}）在不同事项中类型不一致。")
        items = old.items if need.item in old.items else (*old.items, need.item)
        merged[need.key] = MergedField(old.key, old.label, old.type, old.required or need.required, items)
    return list(merged.values())


def check_form(fields: Sequence[MergedField], data: Mapping[str, str], *, final: bool) -> dict[str, str]:
    """Errors by field key. Drafts (``final=False``) may leave required fields empty, never hold
    malformed values."""
    errors: dict[str, str] = {}
    for f in fields:
        value = (data.get(f.key) or "").strip()
        if not value:
            if final and f.required:
                errors[f.key] = f"请填写“{f.label}”。"
            continue
        if f.type is FieldType.NUMBER:
            try:
                Decimal(value)
            except InvalidOperation:
                errors[f.key] = f"“{f.label}”须填写数字。"
        elif f.type is FieldType.DATE:
            try:
                date.fromisoformat(value)
            except ValueError:
                errors[f.key] = f"“{f.label}”须填写日期，格式如 2026-03-01。"
        elif f.type is FieldType.PHONE and not (value.replace("-", "").isdigit() and 7 <= len(value) <= 20):
            errors[f.key] = f"“{f.label}”须填写电话号码。"
        elif f.type is FieldType.ID_NUMBER and not (15 <= len(value) <= 18 and value[:-1].isalnum()):
            errors[f.key] = f"“{f.label}”须填写有效的证件号码。"
    return errors


def mask(value: str, field_type: str) -> str:
    """Personal data shown masked: keep the first 3 and last 4 characters of a phone number, the
    first 6 and last 4 of an ID number."""
    ftype = FieldType(field_type)
    if ftype not in PERSONAL_TYPES or not value:
        return value
    if ftype is FieldType.ID_NUMBER:
        return mask_resident_id(value)
    # mask_phone would show a 7-character number whole (3 + 4 kept); hide it entirely instead.
    return "*" * len(value) if len(value) <= 7 else mask_phone(value)


# ---------------------------------------------------------------- receipt number


def receipt_number(organisation_id: int, year: int, seq: int) -> str:
    """受理编号, gapless per organisation and year: ``YJS2026-007-00042``."""
    if seq < 1:
        raise ThingsError("受理编号序号必须从1开始。")
    return f"YJS{year}-{organisation_id:03d}-{seq:05d}"
