"""站内消息: the notify building block, the staff inbox page, marking read, and that one user
never sees or marks another user's messages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from gongkai.accounts.models import User
from gongkai.accounts.roles import OrgRole
from gongkai.core.models import AuditEvent
from gongkai.notifications import selectors
from gongkai.notifications.models import Notification
from gongkai.notifications.services import mark_read, notify
from gongkai.portal.tests.helpers import login_verified, make_org, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> Any:
    org = make_org("丙县人民政府", "bing-xian", kind="government")
    me = make_staff("inbox_me", org, OrgRole.HANDLER)
    me.email = "me@example.gov.cn"
    me.save(update_fields=["email"])
    other = make_staff("inbox_other", org, OrgRole.HANDLER)
    return org, me, other


def client_for(user: User) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def test_notify_dedupes_per_recipient_and_skips_inactive_users(people) -> None:
    org, me, other = people
    gone = make_staff("inbox_gone", org)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    first = notify([me, other, gone, me], kind="test.kind", title="申请 A-1 即将到期", link="/staff/inbox/",
                   dedupe_key="k1", organisation=org, email=False)
    assert sorted(n.recipient.username for n in first) == ["inbox_me", "inbox_other"]
    assert notify([me, other], kind="test.kind", title="again", dedupe_key="k1", email=False) == []
    # Without a key, messages never clash.
    assert len(notify([me], kind="test.kind", title="无键", email=False)) == 1
    assert len(notify([me], kind="test.kind", title="无键", email=False)) == 1
    assert Notification.objects.filter(recipient=me).count() == 3
    assert not Notification.objects.filter(recipient=gone).exists()


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_notify_accepts_only_paths_on_this_site(people, link) -> None:
    _, me, _ = people
    with pytest.raises(ValidationError, match="本站路径"):
        notify([me], kind="test.kind", title="标题", link=link)
    assert not Notification.objects.exists()


def test_email_goes_out_after_commit_only(people, django_capture_on_commit_callbacks, mailoutbox) -> None:
    _, me, other = people
    with django_capture_on_commit_callbacks(execute=True):
        notify([me, other], kind="test.kind", title="申请 A-2 已超过答复期限", body="请立即办理。",
               link="/staff/inbox/")
    # ``other`` has no address: one mail, to me alone.
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["me@example.gov.cn"]
    assert mailoutbox[0].subject == "申请 A-2 已超过答复期限"
    assert "请立即办理。" in mailoutbox[0].body and "/staff/inbox/" in mailoutbox[0].body

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            notify([me], kind="test.kind", title="回滚的消息")
            raise RuntimeError("rolled back")
    assert len(mailoutbox) == 1
    assert not Notification.objects.filter(title="回滚的消息").exists()


def test_unread_count_is_one_query(people, django_assert_num_queries) -> None:
    _, me, other = people
    notify([me], kind="test.kind", title="一", email=False)
    notify([me, other], kind="test.kind", title="二", email=False)
    with django_assert_num_queries(1):
        assert selectors.unread_count(me) == 2


def test_inbox_lists_my_messages_unread_first_with_the_count_in_the_navigation(people) -> None:
    _, me, other = people
    older = notify([me], kind="test.kind", title="较早的消息", email=False)[0]
    notify([me], kind="test.kind", title="申请 B-7 即将到期", body="答复期限为 2026年6月29日。",
           link="/staff/disclosure/", email=False)
    notify([other], kind="test.kind", title="别人的消息", email=False)
    mark_read(me, [older.pk])

    page = client_for(me).get(reverse("notifications:inbox"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "别人的消息" not in html
    assert html.index("申请 B-7 即将到期") < html.index("较早的消息")  # unread first
    assert '<a href="/staff/disclosure/">申请 B-7 即将到期</a>' in html
    assert "答复期限为 2026年6月29日。" in html
    assert 'href="/staff/inbox/">消息 (1<span class="visually-hidden">条未读</span>)</a>' in html
    assert "未读 <strong>1</strong> 条" in html


def test_mark_one_and_mark_all(people) -> None:
    _, me, _ = people
    a, b, c = (notify([me], kind="test.kind", title=t, email=False)[0] for t in ("甲", "乙", "丙"))
    client = client_for(me)
    response = client.post(reverse("notifications:mark_read"), {"id": a.pk, "next": "/staff/inbox/?page=1"})
    assert response.status_code == 302 and response.headers["Location"] == "/staff/inbox/?page=1"
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.read_at is not None and b.read_at is None
    audit = AuditEvent.objects.filter(action="notifications.mark_read").get()
    assert audit.actor == me and audit.after == {"scope": "selected", "count": 1}

    response = client.post(reverse("notifications:mark_read"), {"all": "1", "next": "https://evil.example/"})
    assert response.headers["Location"] == reverse("notifications:inbox")  # no open redirect
    assert selectors.unread_count(me) == 0
    assert AuditEvent.objects.filter(action="notifications.mark_read").count() == 2
    assert "已读" in client.get(reverse("notifications:inbox")).content.decode()
    c.refresh_from_db()
    assert c.read_at is not None


def test_another_user_can_neither_see_nor_mark_my_messages(people) -> None:
    _, me, other = people
    mine = notify([me], kind="test.kind", title="只属于我的消息", email=False)[0]
    theirs = notify([other], kind="test.kind", title="别人的", email=False)[0]
    client = client_for(other)
    client.raise_request_exception = False
    assert "只属于我的消息" not in client.get(reverse("notifications:inbox")).content.decode()
    # My id alone, or mixed with one of theirs: 404, and nothing at all is marked.
    for ids in ([mine.pk], [theirs.pk, mine.pk], ["not-a-number"]):
        response = client.post(reverse("notifications:mark_read"), {"id": ids})
        assert response.status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is None and theirs.read_at is None
    assert AuditEvent.objects.filter(action="access.denied", object_type="notifications.Notification",
                                     object_id=str(mine.pk)).count() == 2
    # "Mark all" touches only the caller's own messages.
    client.post(reverse("notifications:mark_read"), {"all": "1"})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is None and theirs.read_at is not None


def test_inbox_is_for_signed_in_staff_and_mark_read_is_post_only(people) -> None:
    _, me, _ = people
    anonymous = Client().get(reverse("notifications:inbox"))
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/accounts/login/")
    assert client_for(me).get(reverse("notifications:mark_read")).status_code == 405
    citizen = User.objects.create_user(username="inbox_citizen", password="correct horse battery staple")
    public = Client()
    public.force_login(citizen)
    public.raise_request_exception = False
    assert public.get(reverse("notifications:inbox")).status_code == 403


def test_citizens_and_enterprises_read_their_own_messages_at_xiaoxi(people) -> None:
    """A pushed policy reaches an enterprise's site inbox (issue 6 §4 渠道：站内消息): public accounts
    have their own 我的消息 page, with the unread count in the header, and mark messages read."""
    _, me, _ = people
    enterprise = User.objects.create_user(username="inbox_enterprise", password="correct horse battery staple",
                                          account_type=User.AccountType.ENTERPRISE)
    citizen = User.objects.create_user(username="inbox_citizen2", password="correct horse battery staple")
    notify([enterprise], kind="policy_push", title="【政策推送】小微企业首贷贴息", link="/zhengce/jisuanqi/")
    notify([me], kind="test", title="仅工作人员可见的提醒")
    client = Client()
    client.force_login(enterprise)
    page = client.get(reverse("notifications_public:inbox")).content.decode()
    assert "小微企业首贷贴息" in page and "仅工作人员可见的提醒" not in page
    assert 'href="/xiaoxi/"' in page and "(1<span" in page  # 消息 (1 条未读) in the header
    assert "工作台" not in page
    note = Notification.objects.get(recipient=enterprise)
    response = client.post(reverse("notifications_public:mark_read"), {"id": note.pk})
    assert response.status_code == 302 and response.headers["Location"] == reverse("notifications_public:inbox")
    note.refresh_from_db()
    assert note.read_at is not None
    other = Client()
    other.force_login(citizen)
    other.raise_request_exception = False
    assert "小微企业首贷贴息" not in other.get(reverse("notifications_public:inbox")).content.decode()
    assert other.post(reverse("notifications_public:mark_read"), {"id": note.pk}).status_code == 404
    # Staff opening /xiaoxi/ get their own (second-factor checked) staff inbox.
    assert "仅工作人员可见的提醒" in client_for(me).get(reverse("notifications_public:inbox")).content.decode()
