"""Access functions for 一件事一次办: the only way views load applications, tasks and payouts.

Who sees what:
- the applicant (an enterprise account holding a verified claim): their own applications only;
- 登记员 (``Perm.REGISTER_REQUEST``) of the thing's lead department (牵头部门): the acceptance
  queue and the applications to accept (一次受理, online or at the window);
- 承办人 (``Perm.HANDLE_REQUEST``) of a department: that department's joint-handling tasks
  (一次联办) and payout records; they record payouts and generate 免申即享 candidates;
- 部门负责人 (``Perm.APPROVE_DEPARTMENT``) of the item's department: the 二次确认 of payouts.
Everyone else gets a 404 (ASVS 8.2.2), and the denial is audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from gongkai.accounts.access import deny, organisations_for, user_has_org_perm
from gongkai.accounts.models import User
from gongkai.accounts.roles import Perm
from gongkai.enterprise.models import Enterprise, PolicyItem
from gongkai.things.models import (
    Application,
    ApplicationMaterial,
    JointTask,
    Payout,
    ServiceHall,
    Thing,
    Window,
)

ACCEPT = Perm.REGISTER_REQUEST
HANDLE = Perm.HANDLE_REQUEST
CONFIRM = Perm.APPROVE_DEPARTMENT


def is_enterprise_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.account_type == User.AccountType.ENTERPRISE)


def applicant_enterprises(user: Any) -> QuerySet[Enterprise]:
    """The enterprises an enterprise account may apply for: those it has claimed and staff verified."""
    if not is_enterprise_user(user):
        return Enterprise.objects.none()
    return Enterprise.objects.filter(claimed_by=user, claim_status=Enterprise.ClaimStatus.VERIFIED)


def _uid_lookup(uid: Any) -> Application:
    try:
        return Application.objects.select_related("thing", "thing__lead_department", "enterprise").get(uid=str(uid))
    except (Application.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404("未找到该申请。") from None


def access_own_application(user: Any, uid: Any, *, request: HttpRequest | None = None) -> Application:
    application = _uid_lookup(uid)
    if getattr(user, "pk", None) is not None and application.applicant_id == user.pk:
        return application
    raise deny(request, user, object_type="things.Application", object_id=uid, detail="applicant")


def can_accept(user: Any, application: Application) -> bool:
    return user_has_org_perm(user, application.thing.lead_department, ACCEPT)


def applications_to_accept(user: Any) -> QuerySet[Application]:
    return Application.objects.filter(thing__lead_department__in=organisations_for(user, ACCEPT))


def access_application_for_acceptance(user: Any, uid: Any, *, request: HttpRequest | None = None) -> Application:
    application = _uid_lookup(uid)
    if can_accept(user, application):
        return application
    raise deny(request, user, object_type="things.Application", object_id=uid, detail=ACCEPT)


def tasks_for(user: Any) -> QuerySet[JointTask]:
    """The joint-handling tasks of the user's departments (承办人): one indexed query."""
    return JointTask.objects.filter(department__in=organisations_for(user, HANDLE))


def can_handle_task(user: Any, task: JointTask) -> bool:
    return user_has_org_perm(user, task.department, HANDLE)


def access_task(user: Any, task_id: Any, *, request: HttpRequest | None = None) -> JointTask:
    try:
        task = JointTask.objects.select_related("application", "application__thing", "application__enterprise",
                                                "item", "department").get(pk=int(task_id))
    except (JointTask.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该联办任务。") from None
    if can_handle_task(user, task):
        return task
    raise deny(request, user, object_type="things.JointTask", object_id=task_id, detail=HANDLE)


def payouts_for(user: Any) -> QuerySet[Payout]:
    orgs = organisations_for(user, HANDLE) | organisations_for(user, CONFIRM)
    return Payout.objects.filter(department__in=orgs)


def access_payout(user: Any, payout_id: Any, perm: str = CONFIRM, *,
                  request: HttpRequest | None = None) -> Payout:
    try:
        payout = Payout.objects.select_related("enterprise", "item", "department").get(pk=int(payout_id))
    except (Payout.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该兑现记录。") from None
    if user_has_org_perm(user, payout.department, perm):
        return payout
    raise deny(request, user, object_type="things.Payout", object_id=payout_id, detail=perm)


def no_application_items_for(user: Any) -> QuerySet[PolicyItem]:
    """免申即享 items of the user's departments (承办人 may generate candidates)."""
    return PolicyItem.objects.filter(no_application=True, department__in=organisations_for(user, HANDLE))


def access_item_for_candidates(user: Any, item_id: Any, *, request: HttpRequest | None = None) -> PolicyItem:
    try:
        item = PolicyItem.objects.select_related("department").get(pk=int(item_id))
    except (PolicyItem.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该政策事项。") from None
    if user_has_org_perm(user, item.department, HANDLE):
        return item
    raise deny(request, user, object_type="enterprise.PolicyItem", object_id=item_id, detail=HANDLE)


def can_view_application_as_staff(user: Any, application: Application) -> bool:
    """The lead department's registrar, or a handler of one of the application's task departments."""
    if can_accept(user, application):
        return True
    return application.tasks.filter(department__in=organisations_for(user, HANDLE)).exists()


def access_material_file(user: Any, file_id: Any, *, request: HttpRequest | None = None) -> ApplicationMaterial:
    try:
        upload = ApplicationMaterial.objects.select_related(
            "application", "application__thing", "application__thing__lead_department", "material",
        ).get(pk=int(file_id))
    except (ApplicationMaterial.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该材料。") from None
    application = upload.application
    if getattr(user, "pk", None) is not None and application.applicant_id == user.pk:
        return upload
    if getattr(user, "account_type", "") == User.AccountType.STAFF and can_view_application_as_staff(user, application):
        return upload
    raise deny(request, user, object_type="things.ApplicationMaterial", object_id=file_id)



# ---------------------------------------------------------------- administration (一件事, 服务大厅, 窗口)
# 信息发布员 (``Perm.PUBLISH``) of the thing's lead department (牵头部门) or of the hall's organisation.

MANAGE = Perm.PUBLISH


def things_to_manage(user: Any) -> QuerySet[Thing]:
    return Thing.objects.filter(lead_department__in=organisations_for(user, MANAGE))


def access_thing_for_management(user: Any, thing_id: Any, *, request: HttpRequest | None = None) -> Thing:
    try:
        thing = Thing.objects.select_related("lead_department").get(pk=int(thing_id))
    except (Thing.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该“一件事”。") from None
    if user_has_org_perm(user, thing.lead_department, MANAGE):
        return thing
    raise deny(request, user, object_type="things.Thing", object_id=thing_id, detail=MANAGE)


def halls_to_manage(user: Any) -> QuerySet[ServiceHall]:
    return ServiceHall.objects.filter(organisation__in=organisations_for(user, MANAGE))


def access_hall(user: Any, hall_id: Any, *, request: HttpRequest | None = None) -> ServiceHall:
    try:
        hall = ServiceHall.objects.select_related("organisation").get(pk=int(hall_id))
    except (ServiceHall.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该服务大厅。") from None
    if user_has_org_perm(user, hall.organisation, MANAGE):
        return hall
    raise deny(request, user, object_type="things.ServiceHall", object_id=hall_id, detail=MANAGE)


def access_window(user: Any, window_id: Any, *, request: HttpRequest | None = None) -> Window:
    try:
        window = Window.objects.select_related("hall", "hall__organisation").get(pk=int(window_id))
    except (Window.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该窗口。") from None
    if user_has_org_perm(user, window.hall.organisation, MANAGE):
        return window
    raise deny(request, user, object_type="things.Window", object_id=window_id, detail=MANAGE)
