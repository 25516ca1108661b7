"""What the demo's fifteen reporters type: figures that grow from round to round and differ
between cities and columns, and section texts that read like a city's report (its own
products and platforms, its own figures quoted back). Made up, plausible, deterministic."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from docx import Document


@dataclass(frozen=True)
class City:
    size: float  # online sales relative to a middle city
    product: str  # what it sells online at New Year
    platform: str  # where its live streams ran
    reporter: str  # who types the report, with the office phone
    imports: bool  # has cross-border e-commerce imports


CITIES = {
    "shenyang": City(3.2, "老字号年货礼盒", "抖音、淘宝直播", "王磊 024-22851206", True),
    "dalian": City(3.0, "海参、大樱桃", "抖音、快手", "刘洋 0411-83631547", True),
    "anshan": City(1.1, "南果梨、岫玉", "快手", "张丽 0412-5521873", False),
    "fushun": City(0.7, "林蛙、山野菜", "抖音", "李军 024-57503926", False),
    "benxi": City(0.6, "中药材、山参", "淘宝直播", "赵敏 024-42836110", False),
    "dandong": City(1.0, "草莓、板栗", "抖音、拼多多", "孙浩 0415-2125718", True),
    "jinzhou": City(1.0, "烧烤食材、苹果", "快手", "周婷 0416-3125563", False),
    "yingkou": City(1.2, "海鲜、大米", "抖音", "吴刚 0417-2822631", True),
    "fuxin": City(0.5, "花生、小米", "快手", "郑燕 0418-2817340", False),
    "liaoyang": City(0.6, "香水梨、酱菜", "抖音", "冯涛 0419-2121875", False),
    "panjin": City(0.9, "蟹田大米、河蟹", "抖音、京东直播", "陈静 0427-2825019", False),
    "tieling": City(0.6, "榛子、玉米制品", "快手", "褚亮 024-72216305", False),
    "chaoyang": City(0.5, "小米、杂粮", "拼多多", "卫红 0421-2622947", False),
    "huludao": City(0.8, "泳装、海产品", "抖音、1688", "蒋波 0429-2125634", False),
    "shenfu": City(0.4, "智能家电、预制菜", "抖音", "沈晨 024-56789012", False),
}
SHARE = {"r1": 0.32, "r2": 0.71, "r3": 1.0}  # of the whole festival's sales, by round


def demo_answers(unit: str, round_code: str) -> dict[str, Any]:
    """The typed answers of `unit` for `round_code` (choices are tapped by the contact)."""
    city = CITIES.get(unit, CITIES["fuxin"])
    share = SHARE.get(round_code, 1.0)
    retail = round(8200 * city.size * share + 37 * len(unit), 2)
    live = round(retail * (0.14 + city.size / 100), 2)
    rural = round(retail * (0.09 + (len(unit) % 4) / 100), 2)
    enterprises = int(60 * city.size * (0.7 + 0.3 * share)) + len(unit)
    sessions = int(210 * city.size * share) + 3
    orders = int(1800 * city.size * share) + 11 * len(unit)
    imports = round(650 * city.size * share, 2) if city.imports else 0
    stage = {"r1": "活动启动以来", "r2": "春节前后", "r3": "活动期间"}.get(round_code, "活动期间")
    return {
        "reporter": city.reporter,
        "launch_date": "1月20日",
        "enterprises": enterprises,
        "online_retail": f"{retail:.2f}",
        "livestream_sessions": sessions,
        "livestream_sales": f"{live:.2f}",
        "rural_sales": f"{rural:.2f}",
        "nianyefan_orders": orders,
        "crossborder_imports": f"{imports:.2f}",
        "features": (
            f"{stage}，我市围绕“全民乐购，约惠辽宁”主题，组织{enterprises}家企业参与线上年货节，"
            f"依托{city.platform}等平台开展“{city.product}”专场直播带货，"
            "推动商超、老字号与电商平台线上线下联动，春节期间坚持不打烊、无接触配送。"),
        "results": (
            f"{stage}，全市实现网络零售额{retail:,.2f}万元，其中直播带货销售额{live:,.2f}万元、"
            f"农产品网络零售额{rural:,.2f}万元；开展直播带货{sessions}场，"
            f"“年夜饭”外卖订单{orders:,}单。线上消费有效带动了本地特色产品销售和节日市场供应。"),
        "cases": (
            f"某本地龙头企业在{city.platform.split('、')[0]}开设“{city.product}”年货专场，"
            "由企业负责人和网红主播联合直播，单场观看人次超过十万，"
            "带动周边合作社和农户增收。"),
        "shortcomings": (
            "部分中小企业电商运营能力不足，直播带货专业人才短缺；"
            "春节期间冷链物流和末端配送运力偏紧，个别订单配送时效受到影响。"),
        "suggestions": (
            "建议加大对中小企业电商培训和直播人才培育的支持力度，"
            "完善县乡村三级物流配送体系，推动冷链设施建设，持续办好线上促消费活动。"),
    }


def monthly_answers(unit: str) -> dict[str, Any]:
    """The unit's January 2021 figures for the monthly statistics report (the year to
    date is January's own: the first month of the year)."""
    city = CITIES.get(unit, CITIES["fuxin"])
    retail = round(9600 * city.size + 41 * len(unit), 2)
    physical = round(retail * 0.83, 2)
    rural = round(retail * (0.08 + (len(unit) % 4) / 100), 2)
    return {
        "reporter": city.reporter,
        "retail_month": f"{retail:.2f}",
        "retail_year": f"{retail:.2f}",
        "physical_year": f"{physical:.2f}",
        "rural_year": f"{rural:.2f}",
        "cross_border_year": f"{round(720 * city.size, 2) if city.imports else 0:.2f}",
        "notes": f"1月受年货节带动，{city.product}等年货线上销售增长较快。",
    }


WORD_UNIT, WORD_ROUND = "yingkou", "r2"  # the unit that sends its report as a Word file


def demo_word(unit: str, round_code: str, unit_name: str, round_title: str) -> bytes:
    """The report as a city office writes it in Word: a title, the 主送 line, the opening
    formula, sections under the names people use, the signature and the date."""
    answers = demo_answers(unit, round_code)
    document = Document()
    document.add_heading(f"{unit_name}关于“{round_title}”的报告", level=1)
    document.add_paragraph("省商务厅：")
    document.add_paragraph("根据活动工作方案要求，现将我市有关情况报告如下：")
    for heading, key in (("一、主要做法", "features"), ("二、取得成效", "results"),
                         ("三、典型经验做法", "cases"), ("四、存在的问题", "shortcomings"),
                         ("五、下一步工作打算", "suggestions")):
        document.add_paragraph(heading)
        document.add_paragraph(answers[key])
    document.add_paragraph(unit_name)
    document.add_paragraph("2021年2月5日")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
