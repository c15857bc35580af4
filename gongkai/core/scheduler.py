"""The scheduler (定时任务): once a minute, enqueue the periodic background tasks and tell the
search index about documents whose visibility changed by the passing of time alone.

Time-driven changes write no row of their own — a scheduled document (定时发布) becomes public
when its 发布日期 passes, a document lapses (失效) on its 废止日期 — so the scheduler logs a
search change for them. It is stateless and idempotent: a document is logged only when the search
change log has no row for it since the moment its visibility changed, so a missed minute or a
restarted scheduler catches up and a repeated round adds nothing.
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from importlib import import_module
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

logger = logging.getLogger(__name__)

# How far back a round looks for missed moments (a scheduler that was down for longer than this
# relies on the periodic search change-log safety net and `gongkai search rebuild`).
CATCH_UP = timedelta(days=7)
# Each round enqueues every task; refresh_deadline_flags skips requests already computed today,
# so the 即将到期/已超期 flags move once a day at the first round after midnight; it then sends the
# deadline reminders (站内消息, deduplicated per request and due date, so every round is safe).
PERIODIC_TASKS = ("gongkai.policies.tasks.apply_search_changes", "gongkai.disclosure.tasks.refresh_deadline_flags",
                  # 条例第四十九条 annual-report reminders (deduplicated per organisation, year and stage).
                  "gongkai.annual_reports.tasks.send_report_reminders",
                  # 推送发件箱: due and retried push messages (claims skip each other; safe every minute).
                  "gongkai.push.tasks.deliver_push_outbox",
                  # 一次联办: due-soon and overdue joint tasks (deduplicated per task, kind and due date).
                  "gongkai.things.tasks.send_task_reminders",
                  # 政策匹配快照: all published items once a day (returns at once when today's are there).
                  "gongkai.enterprise.matching.refresh_match_snapshots")


@dataclass
class RoundResult:
    enqueued: list[str]
    skipped: list[str]
    scheduled_published: list[int]
    lapsed: list[int]


def _enqueue(dotted: str) -> bool:
    module_name, _, attr = dotted.rpartition(".")
    try:
        task = getattr(import_module(module_name), attr)
    except (ImportError, AttributeError):
        logger.info("scheduler: task %s is not available, skipped", dotted)
        return False
    task.enqueue()
    return True


def log_scheduled_publications(now: datetime) -> list[int]:
    """Documents whose scheduled 发布日期 has passed and that the index has not heard of since."""
    from gongkai.domain.documents import DocStatus
    from gongkai.policies.models import Document, SearchChange
    from gongkai.policies.services.documents import log_search_change

    told = SearchChange.objects.filter(document_id=OuterRef("pk"), created_at__gte=OuterRef("published_at"))
    ids = list(
        Document.objects.filter(status=DocStatus.PUBLISHED, published_at__lte=now,
                                published_at__gt=now - CATCH_UP)
        .filter(~Exists(told)).values_list("pk", flat=True)
    )
    with transaction.atomic():
        for pk in ids:
            log_search_change(pk)
    return ids


def log_lapsed_documents(now: datetime) -> list[int]:
    """Documents whose 废止日期 has come (validity 有效 → 失效 for the public facets)."""
    from gongkai.domain.documents import Validity
    from gongkai.policies.models import Document, SearchChange
    from gongkai.policies.services.documents import log_search_change

    today = timezone.localdate(now)
    ids: list[int] = []
    candidates = Document.objects.filter(validity=Validity.VALID, repeal_on__lte=today,
                                         repeal_on__gt=today - CATCH_UP).values_list("pk", "repeal_on")
    for pk, repeal_on in candidates:
        if repeal_on is None:
            continue
        since = timezone.make_aware(datetime.combine(repeal_on, time.min))
        if not SearchChange.objects.filter(document_id=pk, created_at__gte=since).exists():
            ids.append(pk)
    with transaction.atomic():
        for pk in ids:
            log_search_change(pk)
    return ids


def run_once(now: datetime | None = None) -> RoundResult:
    now = now or timezone.now()
    enqueued: list[str] = []
    skipped: list[str] = []
    for dotted in PERIODIC_TASKS:
        (enqueued if _enqueue(dotted) else skipped).append(dotted)
    result = RoundResult(enqueued, skipped, log_scheduled_publications(now), log_lapsed_documents(now))
    if result.scheduled_published or result.lapsed:
        logger.info("scheduler: %d scheduled publication(s), %d lapsed document(s) sent to the index",
                    len(result.scheduled_published), len(result.lapsed))
    return result


def run_forever(interval: float = 60.0, stop: threading.Event | None = None) -> None:
    """Run a round every ``interval`` seconds until SIGTERM/SIGINT (or ``stop`` is set)."""
    stop = stop or threading.Event()

    def handle(signum: int, frame: Any) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)
    while not stop.is_set():
        try:
            run_once()
        except Exception:  # one failed round must not end the scheduler
            logger.exception("scheduler round failed")
        stop.wait(interval)
