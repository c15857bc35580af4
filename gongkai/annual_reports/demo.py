"""演示数据: annual reports of the four demo organisations that have 依申请公开 requests
(``gongkai demo``, after the requests are loaded).

For 2025 and 2026 each report gets its sections 一、五、六 (一 starts with the generated facts) and
the four table-2 figures with a source note, so every check passes; the 2025 reports are then
published by the organisation's 公开办负责人 through ``services.report_publish``, so the
政府信息公开年报 栏目 shows them. Idempotent: texts already written are kept, and a report
that has a published version is not published again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from gongkai.accounts.models import Organisation, User
from gongkai.annual_reports import selectors, services
from gongkai.annual_reports.models import AnnualReportVersion
from gongkai.domain import annual_report as rules

# Organisation → the office head who publishes its report (accounts of the core and request demos).
PUBLISHERS = {
    "hunan-office": "hn_head",
    "hunan-finance": "hn_head",
    "yixian": "yx_head",
    "shanghai-cbirc": "sh_head",
}
YEARS = (2025, 2026)
PUBLISH_YEARS = (2025,)

PROBLEMS = (
    "一是依申请公开答复文书的规范化水平仍需提高，个别答复对不予公开理由的说明不够充分；"
    "二是主动公开内容的解读回应还不够及时。\n"
    "下一步，本机关将加强答复文书的法制审核，完善政策文件与解读材料同步组织、同步审签、同步部署的工作机制，"
    "并开展政府信息公开业务培训。本年度政府信息公开工作已纳入机关绩效考核（演示数据）。"
)
OTHER_MATTERS = (
    "依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收取信息处理费的情况见“一、总体情况”。"
    "本年度无其他需要报告的事项。（演示数据）"
)


@dataclass
class DemoReportsResult:
    written: int
    published: int


def _figures(org: Organisation, year: int) -> dict[str, Any]:
    n = (sum(org.slug.encode()) + year) % 40
    return {
        "licensing_count": 120 + n, "licensing_source": "演示数据：本机关行政审批系统年度统计",
        "penalty_count": 10 + n % 7, "penalty_source": "演示数据：本机关行政执法案件管理系统",
        "enforcement_count": n % 3, "enforcement_source": "演示数据：本机关行政执法案件管理系统",
        "fee_amount": f"{(n % 5) * 1.25:.2f}", "fee_source": "演示数据：本机关财务部门提供的非税收入台账",
    }


@transaction.atomic
def load_demo_reports(stdout: Any = None) -> DemoReportsResult:
    """Write (or leave unchanged) the demo reports and publish the 2025 ones; the demo
    organisations, accounts and requests must exist."""
    orgs = {o.slug: o for o in Organisation.objects.filter(slug__in=PUBLISHERS)}
    users = {u.username: u for u in User.objects.filter(username__in=set(PUBLISHERS.values()))}
    if set(orgs) != set(PUBLISHERS) or set(users) != set(PUBLISHERS.values()):
        raise RuntimeError("缺少演示机关或公开办负责人账号，请先加载演示机关、账号和依申请公开申请（gongkai demo）。")
    this_year = services.today().year
    written = published = 0
    for slug, username in PUBLISHERS.items():
        org, head = orgs[slug], users[username]
        for year in YEARS:
            if year > this_year:
                continue
            report = selectors.report_for(org, year)
            if report is None or not all(report.texts().values()):
                content = selectors.build_content(org, year, report)
                overview = "\n".join([
                    *selectors.facts_lines(org, year, content),
                    f"{year}年，本机关坚持以公开为常态、不公开为例外，依法做好主动公开和依申请公开工作。（演示数据）",
                ])
                services.report_update(actor=head, organisation=org, year=year, overview=overview,
                                       problems=PROBLEMS, other_matters=OTHER_MATTERS, **_figures(org, year))
                written += 1
            if year in PUBLISH_YEARS and year < this_year and not AnnualReportVersion.objects.filter(
                    report__organisation=org, report__year=year).exists():
                results = rules.run_checks(selectors.build_content(org, year, selectors.report_for(org, year)))
                if rules.failed(results):
                    raise RuntimeError(f"演示年度报告未通过检查：{org.name}{year}年度："
                                       + "；".join(rules.check_messages(rules.failed(results))))
                services.report_publish(actor=head, organisation=org, year=year)
                published += 1
    if stdout is not None:
        stdout.write(f"演示年度报告：编写 {written} 份，发布 {published} 份（{'、'.join(map(str, PUBLISH_YEARS))}年度）。")
    return DemoReportsResult(written, published)
