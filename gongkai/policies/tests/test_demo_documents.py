"""演示文件: the publication's libraries with its counts, loaded through the import path,
idempotently, with interpretations, special libraries, relations and non-public documents."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from gongkai.core.demo import load_demo
from gongkai.core.models import AuditEvent
from gongkai.domain.documents import Validity, effective_validity
from gongkai.policies.demo import DEMO_SOURCE, LIBRARY_COUNTS, load_demo_documents
from gongkai.policies.models import Document, DocumentRelation, Interpretation, SearchChange, SpecialLibrary
from gongkai.policies.selectors import public_documents

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_demo()
    return load_demo_documents(io.StringIO())


def test_library_counts_by_level_match_the_publication(demo):
    assert LIBRARY_COUNTS[("复工复产", "national")] == 16
    counts = {
        (topic, level): public_documents().filter(tags__kind="topic", tags__name=topic, level=level).count()
        for topic in ("复工复产", "小微企业和个体工商户") for level in ("national", "provincial", "municipal")
    }
    assert counts == {
        ("复工复产", "national"): 16, ("复工复产", "provincial"): 75, ("复工复产", "municipal"): 58,
        ("小微企业和个体工商户", "national"): 0, ("小微企业和个体工商户", "provincial"): 29,
        ("小微企业和个体工商户", "municipal"): 27,
    }


def test_documents_look_real_and_say_they_are_demo_content(demo):
    docs = Document.objects.all()
    assert docs.count() == demo.report.created and not docs.exclude(source=DEMO_SOURCE).exists()
    titles = set(docs.values_list("title", flat=True))
    assert "湖南省人民政府办公厅关于应对新冠肺炎疫情支持中小微企业和个体工商户共渡难关的若干措施" in titles
    assert len(titles) == docs.count()
    numbers = [n for n in docs.values_list("doc_number", flat=True) if n]
    assert len(numbers) == len(set(numbers))
    assert Document.objects.get(doc_number="湘政办明电〔2020〕23号").title.endswith("“一件事一次办”的通知")
    national = public_documents().filter(level="national")
    assert {d.organisation.slug for d in national} == {"hunan-office"}
    assert "国务院办公厅" in {d.lead_issuer for d in national}
    themes = set(public_documents().filter(tags__kind="theme").values_list("tags__name", flat=True))
    assert {"融资贷款", "稳岗就业", "运营成本", "税费优惠", "财政奖补", "市场监管", "文化旅游", "办事服务"} <= themes
    audiences = set(public_documents().filter(tags__name="小微企业和个体工商户")
                    .filter(tags__kind="audience").values_list("tags__name", flat=True))
    assert audiences == {"小微企业", "个体工商户"}
    sample = Document.objects.get(doc_number="湘政办发〔2020〕15号")
    assert sample.body_text.count("\n") >= 5 and "各市州人民政府" in sample.body_text


def test_art20_items_for_several_organisations(demo):
    with_items = public_documents().filter(art20_item__isnull=False)
    slugs = set(with_items.values_list("organisation__slug", flat=True))
    assert {"hunan-finance", "changsha", "zhuzhou", "yixian", "shanghai-cbirc", "yantai-ftz"} <= slugs
    assert set(with_items.filter(organisation__slug="yixian").values_list("art20_item", flat=True)) >= {1, 3, 6}


def test_repealed_and_amended_documents_are_linked(demo):
    repealed = DocumentRelation.objects.filter(kind="repeals")
    amended = DocumentRelation.objects.filter(kind="amends")
    assert repealed.count() == 2 and amended.count() == 1
    for relation in [*repealed, *amended]:
        relation.target.refresh_from_db()
        assert relation.target.validity == ("repealed" if relation.kind == "repeals" else "amended")
        assert DocumentRelation.objects.filter(source=relation.source, target=relation.target).exists()
    expiring = Document.objects.get(title="湖南省财政厅关于复工复产重点企业贷款贴息的暂行办法")
    assert effective_validity(Validity(expiring.validity), expiring.repeal_on, expiring.repeal_on) == Validity.EXPIRED


def test_drafts_and_on_request_documents_are_never_public(demo):
    hidden = Document.objects.exclude(pk__in=public_documents().values("pk"))
    assert set(hidden.values_list("status", flat=True)) == {"draft", "submitted", "published"}
    on_request = Document.objects.get(disclosure="on_request")
    assert on_request.disclosure_ground == "art16_process" and len(on_request.disclosure_explanation) >= 10
    assert hidden.count() == 4


def test_interpretations_and_libraries(demo, tmp_path):
    graphics = Interpretation.objects.filter(kind="graphic", status="published")
    assert graphics.count() == 8
    for graphic in graphics:
        image = graphic.images.get()
        assert len(image.alt_text) > 20
        assert Path(image.image.path).read_bytes().startswith(b"\x89PNG")
        assert Path(image.image.path).is_relative_to(tmp_path)
        assert graphic.documents.exists() and graphic.themes.exists()
    interview = Interpretation.objects.get(kind="interview")
    assert interview.status == "published" and interview.host and interview.guests
    assert interview.qas.count() >= 5
    assert Interpretation.objects.filter(kind="text", status="published").count() == 2
    libraries = SpecialLibrary.objects.filter(is_published=True, organisation__slug="hunan-office")
    assert {lib.name for lib in libraries} == {"复工复产政策库", "湖南省支持小微企业和个体工商户政策库"}
    assert all(lib.rule_levels == ["national", "provincial", "municipal"] for lib in libraries)


def test_loading_twice_changes_nothing(demo):
    before = (Document.objects.count(), AuditEvent.objects.count(), SearchChange.objects.count(),
              Interpretation.objects.count(), SpecialLibrary.objects.count())
    again = load_demo_documents()
    assert (again.report.created, again.report.updated, again.report.relations) == (0, 0, 0)
    assert again.report.unchanged == before[0]
    assert (again.interpretations, again.libraries) == (0, 0)
    after = (Document.objects.count(), AuditEvent.objects.count(), SearchChange.objects.count(),
             Interpretation.objects.count(), SpecialLibrary.objects.count())
    assert after == before


def test_demo_command_prints_a_summary(taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "演示文件：" in out.getvalue() and "专题库 2 个" in out.getvalue()
