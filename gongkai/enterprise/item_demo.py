"""演示数据: a handful of published policy items (政策事项) with conditions over the demo enterprises,
handled by 湖南省财政厅 (its demo publisher is ``hncz_publisher``), on a public demo document; then
every item is matched (``matching.recompute_all``).

Run after the demo organisations, documents and enterprises (``load_demo_documents``,
``load_demo_enterprises``). Idempotent: an item is created only when the document has no item of
that title; published items stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from gongkai.accounts.models import Organisation
from gongkai.enterprise import item_services, matching
from gongkai.enterprise.models import EnterpriseTag, PolicyItem
from gongkai.policies.selectors import public_documents

DEPARTMENT_SLUG = "hunan-finance"

ITEMS: list[dict[str, Any]] = [
    {"title": "小微企业稳岗补贴", "benefit_type": "subsidy", "promised_days": 20,
     "amount_rule": "按上年度参保职工人数，每人500元，最高不超过10万元。",
     "amount_formula": "min(employees * 500, 100000)",
     "materials_text": "申请表\n上年度社会保险缴费证明（部门共享，免提交）",
     "legal_basis": "本文件第三条", "conditions": [
         {"field": "region_code", "op": "within_region", "value": ["430000"], "source_text": "在湖南省内注册"},
         {"field": "size_class", "op": "in", "value": ["small", "micro"], "source_text": "属于小型或微型企业"},
         {"field": "is_individual", "op": "eq", "value": False, "source_text": "不含个体工商户"}]},
    {"title": "高新技术企业认定奖励", "benefit_type": "reward", "promised_days": 30,
     "amount_rule": "首次认定的高新技术企业一次性奖励20万元。", "amount_formula": "200000",
     "legal_basis": "本文件第五条", "conditions": [
         {"field": "region_code", "op": "within_region", "value": ["430100"], "source_text": "在长沙市注册"},
         {"field": "qualifications", "op": "qualification_valid", "value": "高新技术企业",
          "source_text": "持有有效期内的高新技术企业证书"},
         {"field": "registered_on", "op": "years_since_gte", "value": 1, "source_text": "成立满一年"}]},
    {"title": "软件企业首版次软件产品奖励", "benefit_type": "reward", "promised_days": 30,
     "amount_rule": "按首版次软件产品销售额的5%给予奖励，最高50万元。", "legal_basis": "本文件第六条", "conditions": [
         {"field": "industry_code", "op": "industry_in", "value": ["I65"], "source_text": "属于软件和信息技术服务业"},
         {"field": "employees", "op": "gte", "value": 10, "source_text": "从业人员10人以上"},
         {"field": "revenue", "op": "gte", "value": 500, "hard": False, "source_text": "上年度营业收入500万元以上的优先"}]},
    {"title": "出口信用保险保费补贴", "benefit_type": "subsidy", "promised_days": 15,
     "amount_rule": "按实缴保费的50%给予补贴。", "legal_basis": "本文件第八条", "conditions": [
         {"field": "tags", "op": "contains", "value": "出口企业", "source_text": "上年度有出口业绩"},
         {"field": "region_code", "op": "within_region", "value": ["430000"], "source_text": "在湖南省内注册"}]},
    {"title": "个体工商户社会保险补贴（免申即享）", "benefit_type": "subsidy", "no_application": True,
     "amount_rule": "按月给予社会保险补贴300元（每年3600元），直接拨付，无需申请。", "amount_formula": "300 * 12",
     "legal_basis": "本文件第十条", "conditions": [
         {"field": "is_individual", "op": "eq", "value": True, "source_text": "个体工商户"},
         {"field": "region_code", "op": "within_region", "value": ["430100"], "source_text": "在长沙市登记"}]},
]


@dataclass
class DemoItemsResult:
    created: int = 0
    matched: int = 0


def create_published_items(specs: list[dict[str, Any]], document: Any, department: Organisation) -> int:
    """Create and publish through the item services (no actor: the demo loader) each spec the
    document does not have yet — ``conditions`` are the item's atomic conditions; returns how many
    were created."""
    created = 0
    for spec in specs:
        if PolicyItem.objects.filter(document=document, title=spec["title"]).exists():
            continue
        fields = {k: v for k, v in spec.items() if k != "conditions"}
        item = item_services.item_create(actor=None, document=document, department=department, **fields)
        item = item_services.item_replace_conditions(actor=None, item=item, conditions=spec["conditions"])
        item_services.item_publish(actor=None, item=item)
        created += 1
    return created


@transaction.atomic
def load_demo_items(stdout: Any = None) -> DemoItemsResult:
    result = DemoItemsResult()
    department = Organisation.objects.filter(slug=DEPARTMENT_SLUG).first()
    documents = public_documents().order_by("-published_at", "-id")
    document = documents.filter(organisation=department).first() or documents.first()
    if department is None or document is None:
        return result
    EnterpriseTag.objects.get_or_create(name="出口企业")
    result.created = create_published_items(ITEMS, document, department)
    result.matched = matching.recompute_all()
    if stdout is not None:
        stdout.write(f"演示政策事项：新建 {result.created} 项；已匹配 {result.matched} 项。")
    return result
