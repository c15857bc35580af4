"""Seed the two-level 主题分类 (as used by gov.cn's policy library; the second-level list is from
memory of the 国务院 政府信息公开目录 and can be edited by administrators) and the standard
theme, audience and topic tags of the policy services."""

from django.db import migrations

SUBJECTS = [
    ("综合政务", ["政务公开", "应急管理", "电子政务", "政务督查", "文秘工作", "信访", "其他"]),
    ("国民经济管理、国有资产监管", ["宏观经济", "经济体制改革", "区域经济", "发展规划", "物价", "统计",
                                    "国有资产监管", "其他"]),
    ("财政、金融、审计", ["财政", "税务", "审计", "银行", "保险", "证券", "外汇", "会计", "其他"]),
    ("国土资源、能源", ["土地", "矿产", "海洋", "气象、水文、测绘、地震", "能源", "其他"]),
    ("农业、林业、水利", ["农业、畜牧业、渔业", "林业", "水利", "其他"]),
    ("工业、交通", ["工业", "交通", "信息产业", "邮政", "其他"]),
    ("商贸、海关、旅游", ["国内贸易", "对外经贸合作", "海关", "旅游", "其他"]),
    ("市场监管、安全生产监管", ["市场主体监管", "质量监督", "食品药品监管", "安全生产监管", "其他"]),
    ("城乡建设、环境保护", ["城乡建设", "住房保障", "环境监测、保护与治理", "节能与资源综合利用", "其他"]),
    ("科技、教育", ["科技", "教育", "知识产权", "其他"]),
    ("文化、广电、新闻出版", ["文化", "广播、电影、电视", "新闻出版", "文物", "其他"]),
    ("卫生、体育", ["卫生", "医药管理", "体育", "其他"]),
    ("人口与计划生育、妇女儿童工作", ["人口与计划生育", "妇女儿童", "其他"]),
    ("劳动、人事、监察", ["劳动就业", "社会保障", "人事工作", "公务员管理", "监察", "其他"]),
    ("公安、安全、司法", ["公安", "安全", "司法", "其他"]),
    ("民政、扶贫、救灾", ["社会组织", "减灾救灾", "优抚安置", "社会福利", "扶贫", "其他"]),
    ("民族、宗教", ["民族事务", "宗教事务", "其他"]),
    ("对外事务", ["外交", "其他"]),
    ("港澳台侨工作", ["港澳", "台湾", "侨务", "其他"]),
    ("国防", ["国防动员", "其他"]),
    ("其他", ["其他"]),
]

TAGS = {
    "theme": [
        ("rongzi", "融资贷款"), ("wengang", "稳岗就业"), ("chengben", "运营成本"), ("shuifei", "税费优惠"),
        ("jiangbu", "财政奖补"), ("jianguan", "市场监管"), ("wenlv", "文化旅游"), ("banshi", "办事服务"),
        ("keji", "科技创新"), ("shebao", "社会保险"),
    ],
    "audience": [
        ("xiaowei", "小微企业"), ("geti", "个体工商户"), ("waizi", "外资企业"), ("gaoxin", "高新技术企业"),
        ("kejixing", "科技型中小企业"), ("zhuanjing", "专精特新企业"), ("minying", "民营企业"),
        ("wenlvqiye", "文化旅游企业"), ("zhongdian", "重点群体"),
    ],
    "topic": [
        ("fugong", "复工复产"), ("xiaowei-geti", "小微企业和个体工商户"), ("yingshang", "优化营商环境"),
        ("yijianshi", "一件事一次办"),
    ],
}


def seed(apps, schema_editor):
    SubjectCategory = apps.get_model("policies", "SubjectCategory")
    Tag = apps.get_model("policies", "Tag")
    for i, (top, children) in enumerate(SUBJECTS, start=1):
        parent, _ = SubjectCategory.objects.get_or_create(parent=None, name=top, defaults={"sort": i})
        for j, child in enumerate(children, start=1):
            SubjectCategory.objects.get_or_create(parent=parent, name=child, defaults={"sort": j})
    for kind, items in TAGS.items():
        for i, (slug, name) in enumerate(items, start=1):
            Tag.objects.get_or_create(kind=kind, slug=slug, defaults={"name": name, "sort": i})


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_documents_interpretations_libraries")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
