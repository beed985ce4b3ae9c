"""Unit lists as plans write them, and the unit directory built from every form seen.

A list is split at top level only (``各县(市、区)人民政府`` is one unit), a trailing 等 marks
an open list, and a generic level after a ``各…`` unit (``各乡镇人民政府、街道办事处``) stays
with it. Forms that differ only by the usual abbreviations (发改委 / 发展和改革委员会,
监管 / 监督管理), by 和, or by one inserted character in a long name are one unit; a name
that starts with another city's name where the document's own city is meant is one unit too,
with a candidate correction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Common abbreviations of government bodies (any city's plan uses them): short -> full.
ABBREVIATIONS = {
    "发改委": "发展和改革委员会", "发改局": "发展和改革局", "工信局": "工业和信息化局",
    "人社局": "人力资源和社会保障局", "住建局": "住房和城乡建设局", "交通局": "交通运输局",
    "文广旅局": "文化广电和旅游局", "文旅局": "文化和旅游局", "卫健委": "卫生健康委员会",
    "医保局": "医疗保障局", "邮管局": "邮政管理局", "市监局": "市场监督管理局",
    "市场监管局": "市场监督管理局", "应急局": "应急管理局", "生态环境局": "生态环境局",
    "商务局": "商务局", "统计局": "统计局",
}
UNIT_END = re.compile(
    r"(局|委|办|部|院|会|关|行|社|中心|政府|处|所|站|队|馆|司|厅|区|县|公司|单位|组|办事处|集团|团|部门|"
    r"支行|分行|分局|协会|商会|[)）])$")
# Everyday short forms of a body by what its name says (any city's officers use these).
EVERYDAY = [
    (r"工业和?信息化", ["工信局", "工信"]), (r"住房和?城乡建设", ["住建局", "住建"]),
    (r"人力资源和?社会保障", ["人社局", "人社"]), (r"文化广电和?旅游", ["文广旅局", "文旅局", "文旅"]),
    (r"^文化和?旅游", ["文旅局", "文旅"]), (r"发展和?改革", ["发改委", "发改局", "发改"]),
    (r"市场监督管理|市场监管", ["市监局", "市场监管局", "市场监管", "市场局"]), (r"行政审批", ["审批局"]),
    (r"消费者(权益保护)?协会", ["消协", "消费者协会"]), (r"^(人行|人民银行|中国人民银行)", ["人行", "人民银行"]),
    (r"供销合作", ["供销社"]), (r"卫生健康", ["卫健委", "卫健"]), (r"医疗保障", ["医保局", "医保"]),
    (r"邮政管理", ["邮管局", "邮政局"]), (r"交通运输", ["交通局", "交通"]), (r"农业农村", ["农业局", "农业农村"]),
    (r"科学技术|科技局$", ["科技局", "科技"]), (r"网信办", ["网信办", "网信"]), (r"宣传部", ["宣传部"]),
    (r"融媒体", ["融媒体", "融媒中心"]), (r"自然资源", ["自然资源", "自资局"]), (r"教育局", ["教育"]),
    (r"公安局", ["公安"]), (r"财政局", ["财政"]), (r"税务局", ["税务"]), (r"商务局", ["商务"]),
]
AREA = re.compile(r"^(?:[\u4e00-\u9fff]{0,3}?)(经开区|开发区|高新区|经济技术开发区)")
GROUP_WORDS = ("成员单位", "领导小组", "有关部门", "相关部门", "有关单位", "相关单位")
# A level of local government that 各 distributes over: 各乡镇人民政府、街道办事处.
GENERIC_LEVEL = re.compile(r"^(街道办事处|街道|社区|乡镇人民政府|镇人民政府|村委会|居委会|管委会)$")
_SPLIT = "、，,；; \t\u3000"


def split_units(clause: str) -> tuple[list[str], bool]:
    """``市A、市B,各乡镇人民政府、街道办事处等`` -> (units, open)."""
    pieces: list[str] = []
    depth = 0
    cur = ""
    for ch in clause.strip().strip("。；;，,、"):
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        if depth == 0 and ch in _SPLIT:
            pieces.append(cur)
            cur = ""
        else:
            cur += ch
    pieces.append(cur)
    out: list[str] = []
    is_open = False
    for raw in pieces:
        piece = raw.strip()
        if not piece:
            continue
        if piece.endswith("等") and len(piece) > 2:
            piece, is_open = piece[:-1], True
        if out and out[-1].startswith("各") and GENERIC_LEVEL.match(piece):
            out[-1] = f"{out[-1]}、{piece}"
            continue
        out.append(piece)
    return out, is_open


def unit_like(text: str) -> bool:
    """Whether a cell or a clause piece names a body (ends like one, no sentence marks)."""
    text = text.strip().removesuffix("等")
    if not text or len(text) > 40 or re.search(r"[。；;：:]", text) or text[0].isdigit():
        return False
    return bool(UNIT_END.search(text)) or any(w in text for w in GROUP_WORDS)


def is_group(text: str) -> bool:
    return any(text.endswith(w) or text == w or text == "各" + w for w in GROUP_WORDS)


def key(text: str) -> str:
    """What two forms of one unit share: no 各, abbreviations folded, no 和, no spaces."""
    text = re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")").removeprefix("各")
    core = text.removeprefix("市")
    text = ("市" if text.startswith("市") else "") + ABBREVIATIONS.get(core, core)
    return text.replace("监督管理", "监管").replace("和", "")


def _one_insert(a: str, b: str) -> bool:
    if len(a) > len(b):
        a, b = b, a
    if len(b) != len(a) + 1 or len(a) < 8:
        return False
    return any(b[:i] + b[i + 1:] == a for i in range(len(b)))


def canonical(form: str) -> str:
    """The directory name: abbreviation spelt out, without the city's 市 (市委… keeps it), no 各."""
    text = form.removeprefix("各")
    if text.startswith("市") and not text.startswith("市委"):
        core = text[1:]
        return ABBREVIATIONS.get(core, core)
    return text


def kind_of(name: str) -> str:
    if is_group(name):
        return "group"
    if re.search(r"乡镇|街道|镇人民政府", name):
        return "township"
    if re.search(r"县|区", name) and re.search(r"人民政府|管委会|开发区|高新区", name):
        return "county"
    if re.search(r"(协会|商会|学会|联合会)$", name):
        return "organisation"
    return "department"


@dataclass
class Cluster:
    forms: list[str] = field(default_factory=list)
    count: int = 0
    in_leading_group: bool = False


@dataclass
class Directory:
    """Every unit form the document writes, grouped into units."""

    city: str
    clusters: list[Cluster] = field(default_factory=list)
    _typos: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    @property
    def corrections(self) -> list[dict]:
        """One candidate correction per form that names another city where this one is meant."""
        out = []
        for form, (fixed, wheres) in self._typos.items():
            other = form[:len(form) - len(fixed) + len(self.city)]
            out.append({"where": _where(wheres), "as_written": form, "corrected": fixed,
                        "why": f"本文件是{self.city}的文件,“{other}”应为“{self.city}”(同文其他处写"
                               f"“{fixed}”);单位按原文照录,解析为同一单位"})
        return out

    def add_all(self, entries: list[tuple[str, bool, str]]) -> None:
        """(form, in leading group, where) in document order; forms that start with another city's
        name go last, so that the document's own form they stand for is known by then."""
        for form, lg, where in sorted(entries, key=lambda e: self._own_city(e[0].strip()) is not None):
            self.add(form, leading_group=lg, where=where)

    def add(self, form: str, *, leading_group: bool = False, where: str = "") -> None:
        form = form.strip()
        if not form:
            return
        cluster = self._find(form)
        if cluster is None:
            fixed = self._own_city(form)
            cluster = self._find(fixed) if fixed else None
            if cluster is not None:
                self._typos[form] = (fixed, [])
        if form in self._typos:
            self._typos[form][1].append(where or "units")
        if cluster is None:
            cluster = Cluster()
            self.clusters.append(cluster)
        if form not in cluster.forms:
            cluster.forms.append(form)
        cluster.count += 1
        cluster.in_leading_group |= leading_group

    def _own_city(self, form: str) -> str | None:
        m = re.match(r"^([\u4e00-\u9fff]{2,3}市)(?!委|政府|人民)", form)
        if not m or m.group(1) == self.city or not self.city:
            return None
        return self.city + form[len(m.group(1)):]

    def _find(self, form: str) -> Cluster | None:
        k = key(form)
        for c in self.clusters:
            if any(key(f) == k or _one_insert(key(f), k) for f in c.forms):
                return c
        return None

    def _name(self, c: Cluster) -> str:
        own = [f for f in c.forms if not self._own_city(f)] or c.forms
        best = max(own, key=lambda f: (len(canonical(f)), -own.index(f)))
        return best if is_group(best) else canonical(best)

    def entries(self, *, leading_group_units: bool) -> tuple[list[dict], list[dict]]:
        """(units, groups) in the shape of SCHEMA.md; group members are TODO unless the text says."""
        units, groups = [], []
        taken: set[str] = set()
        for c in self.clusters:
            name = self._name(c)
            if name in taken:  # two units whose short names coincide: keep the written form
                name = c.forms[0]
            taken.add(name)
            if is_group(name):
                groups.append({"name": name, "written": list(c.forms)})
                continue
            short = name.removeprefix(self.city)
            aliases = [s for s, full in ABBREVIATIONS.items() if full == short and s != short]
            aliases += [f"市{a}" for a in aliases if not a.startswith("市")]
            aliases += self._everyday(name)
            first = c.forms[0]
            if first.startswith("市委"):
                full_name = f"中共{self.city}{first[1:]}"
            elif first.startswith("市") or first.startswith("各"):
                full_name = f"{self.city}{name}"
            else:
                full_name = name
            units.append({"name": name, "full_name": full_name, "kind": kind_of(name),
                          "written": list(c.forms), "aliases": aliases,
                          "member_of_leading_group": c.in_leading_group and leading_group_units})
        return _unique_aliases(units, groups), groups

    def _everyday(self, name: str) -> list[str]:
        """Short forms officers use: without the city (盐城海关 -> 海关), without 局 (统计局 -> 统计),
        the usual short names (工信局 …); a body of a development zone gets them with the zone's name."""
        out = []
        area = AREA.match(name)
        for pattern, forms in EVERYDAY:
            if re.search(pattern, name):
                out += [f"{z}{f}" for f in forms for z in ((area.group(1), "开发区") if area else ("",))]
        if area and len(name) - area.end() >= 2:
            out += [f"{area.group(1)}{name[area.end():]}", f"开发区{name[area.end():]}"]
        for prefix in filter(None, (self.city, self.city[:2])):
            if name.startswith(prefix) and len(name) - len(prefix) >= 2:
                out.append(name[len(prefix):])
                break
        if re.fullmatch(r"[\u4e00-\u9fff]{2,4}局", name):
            out.append(name[:-1])
        return out


def _unique_aliases(units: list[dict], groups: list[dict]) -> list[dict]:
    """An alias is kept only when it names one unit and is not another unit's name or written form."""
    taken = {f for e in units + groups for f in [e["name"], *e.get("written", [])]}
    count: dict[str, int] = {}
    for u in units:
        for a in dict.fromkeys(u["aliases"]):
            count[a] = count.get(a, 0) + 1
    for u in units:
        own = {u["name"], *u["written"]}
        u["aliases"] = [a for a in dict.fromkeys(u["aliases"]) if a not in own and a not in taken
                        and count[a] == 1]
    return units


def _where(wheres: list[str]) -> str:
    """``indicator 11 units`` ×3 -> ``indicator 11,12,13 units``."""
    heads: dict[str, list[str]] = {}
    for w in wheres:
        m = re.match(r"^(\w+) (\d+) (\w+)$", w)
        kind, num, fld = (m.group(1), m.group(2), m.group(3)) if m else (w, "", "")
        heads.setdefault(f"{kind}|{fld}", [])
        if num and num not in heads[f"{kind}|{fld}"]:
            heads[f"{kind}|{fld}"].append(num)
    parts = []
    for k, nums in heads.items():
        kind, fld = k.split("|")
        parts.append(" ".join(p for p in (kind, ",".join(nums), fld) if p))
    return "; ".join(parts)
