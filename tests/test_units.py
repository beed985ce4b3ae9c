"""Unit names as officers write them resolve to one unit, or to suggestions, never a guess."""

from __future__ import annotations

import pytest

HEJIN_ALIASES = {
    "统计局": "统计局", "市统计局": "统计局", "河津市统计局": "统计局",
    "发改委": "发展和改革委员会", "市发改委": "发展和改革委员会", "发改局": "发展和改革委员会",
    "工信局": "工业和信息化和科技局", "市工业和信息化科技局": "工业和信息化和科技局",
    "市工业信息化和科技局": "工业和信息化和科技局", "工科局": "工业和信息化和科技局",
    "人社局": "人力资源和社会保障局", "市人社局": "人力资源和社会保障局",
    "市监局": "市场监督管理局", "市场监管局": "市场监督管理局", "市市场监管局": "市场监督管理局",
    "住建局": "住房和城乡建设管理局", "文旅局": "文化和旅游局", "审批局": "行政审批管理局",
    "人行": "人行河津市支行", "人民银行": "人行河津市支行", "税务局": "税务局",
    "网信办": "市委网信办", "消协": "消费者协会", "农业农村局": "农业农村局", "交通局": "交通运输局",
    "司法局": "司法局", "财政局": "财政局", "教育局": "教育局", "融媒体中心": "融媒体中心",
    "综合保障中心": "综合保障中心", "人才办": "人才办", "经开区审批局": "河津经开区行政审批局",
}
YANCHENG_ALIASES = {
    "市监局": "市场监督管理局", "市场监管局": "市场监督管理局", "商务局": "商务局",
    "工信局": "工业和信息化局", "发改委": "发展和改革委员会", "文旅局": "文化广电和旅游局",
    "文广旅局": "文化广电和旅游局", "人社局": "人力资源和社会保障局", "邮管局": "邮政管理局",
    "交通局": "交通运输局", "审批局": "行政审批局", "海关": "盐城海关", "盐城海关": "盐城海关",
    "通管办": "盐城通管办", "卫健委": "卫生健康委员会", "医保局": "医疗保障局", "人行": "人民银行盐城市中心支行",
    "宣传部": "市委宣传部", "网信办": "市委网信办", "税务局": "税务局", "科技局": "科技局",
    "供销社": "供销合作总社", "公安局": "公安局", "农业农村局": "农业农村局",
}


@pytest.mark.parametrize("name,canonical", HEJIN_ALIASES.items())
def test_hejin_aliases(hejin, name, canonical):
    _camp, directory = hejin
    res = directory.resolve(name)
    assert res.unit is not None and res.unit.name == canonical, (name, res)


@pytest.mark.parametrize("name,canonical", YANCHENG_ALIASES.items())
def test_yancheng_aliases(yancheng, name, canonical):
    _camp, directory = yancheng
    res = directory.resolve(name)
    assert res.unit is not None and res.unit.name == canonical, (name, res)


def test_full_width_and_spaces(hejin):
    _camp, directory = hejin
    assert directory.resolve(" 市 统计局 ").unit.name == "统计局"


def test_groups_expand(hejin, yancheng):
    _c, hd = hejin
    group = hd.resolve("各成员单位").unit
    assert group.is_group
    members = {m.name for m in hd.expand(group.id)}
    assert {"统计局", "市场监督管理局", "发展和改革委员会", "人行河津市支行"} <= members
    lj = hd.resolve("河津市网络市场监管局际联席会议各成员单位").unit
    assert lj.is_group and hd.resolve("河津市网络市场监管局联席会议各成员单位").unit == lj
    _c, yd = yancheng
    counties = yd.resolve("各县(市、区)人民政府").unit
    assert {m.name for m in yd.expand(counties.id)} >= {"东台市", "射阳县", "亭湖区"}
    assert len(yd.expand(yd.resolve("各有关部门").unit.id)) >= 20


def test_fuzzy_gives_ranked_suggestions_not_guess(hejin):
    _c, directory = hejin
    res = directory.resolve("市场局监管")
    assert res.unit is None or res.unit.name == "市场监督管理局"
    assert res.suggestions and res.suggestions[0].unit.name == "市场监督管理局"
    assert [s.score for s in res.suggestions] == sorted((s.score for s in res.suggestions), reverse=True)


def test_unknown_name(hejin):
    _c, directory = hejin
    res = directory.resolve("气象局")
    assert res.unit is None
    res = directory.resolve("")
    assert res.unit is None and res.suggestions == []


def test_mentions_in_sentence(hejin):
    _c, directory = hejin
    found = directory.mentions("统计局和发改委各负责哪些指标")
    assert [u.name for u in found] == ["统计局", "发展和改革委员会"]
