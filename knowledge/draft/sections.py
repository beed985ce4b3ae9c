"""The parts of a plan and what its head says: 文号, issuer, title, date, goals, pass rule.

Headings are found by what every such plan writes (``三、主要任务``, ``四、实施步骤``,
``附件2``); nothing here knows a particular city.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

NUMERAL = "一二三四五六七八九十"
TOP = re.compile(rf"^\s*[{NUMERAL}]+\s*[、.．]\s*(.+)$")
SUB = re.compile(rf"^\s*[（(]\s*([{NUMERAL}]+)\s*[）)]\s*(.*)$")
HTML = re.compile(r"</?[a-zA-Z][^>]*>")
BOLD = re.compile(r"\*\*")

PROVINCES = {
    "东部": "北京 天津 河北 辽宁 上海 江苏 浙江 福建 山东 广东 海南",
    "中部": "山西 吉林 黑龙江 安徽 江西 河南 湖北 湖南",
    "西部": "内蒙古 广西 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆",
}
MUNICIPALITIES = {"北京", "天津", "上海", "重庆"}
AUTONOMOUS = {"内蒙古": "内蒙古自治区", "广西": "广西壮族自治区", "西藏": "西藏自治区",
              "宁夏": "宁夏回族自治区", "新疆": "新疆维吾尔自治区"}


@dataclass
class Plan:
    """The text as lines, with what the draft learns while reading it."""

    lines: list[str]
    corrections: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # what could not be read (Chinese, for the summary)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def correct(self, where: str, as_written: str, corrected: str, why: str) -> None:
        self.corrections.append({"where": where, "as_written": as_written, "corrected": corrected, "why": why})


def read_plan(text: str) -> Plan:
    return Plan(lines=[ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n")])


def top_heading(lines: list[str], word: str, start: int = 0) -> int | None:
    """Index of the ``X、…word…`` heading line."""
    for i in range(start, len(lines)):
        m = TOP.match(lines[i])
        if m and word in m.group(1) and len(lines[i]) < 40:
            return i
    return None


def attachments_start(lines: list[str]) -> int:
    """Where the attachments begin (the ``附件…`` list under the body), else the end."""
    for i, ln in enumerate(lines):
        if re.match(r"^\W*附\s*件\s*[:：]", ln.strip()):
            return i
    return len(lines)


def section(lines: list[str], words: tuple[str, ...]) -> list[str] | None:
    """The lines of the first top-level section whose heading has one of ``words``."""
    end_all = attachments_start(lines)
    for word in words:
        i = top_heading(lines[:end_all], word)
        if i is None:
            continue
        j = i + 1
        while j < end_all and not (TOP.match(lines[j]) and len(lines[j]) < 40):
            j += 1
        return lines[i + 1:j]
    return None


def paragraphs(lines: list[str]) -> list[str]:
    return [ln.strip() for ln in lines if ln.strip()]


def clean(text: str) -> str:
    return BOLD.sub("", HTML.sub("", text)).strip()


# --- the head -------------------------------------------------------------------------------

def head(plan: Plan) -> dict:
    lines, text = plan.lines, plan.text
    info: dict = {}
    m = re.search(r"[\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号", text)
    info["doc_number"] = m.group(0) if m else _todo(plan, "文号", "原文未能识别文号")
    notice = _notice_title(lines)
    if notice:
        info["issuer"], info["notice_title"], info["title"] = notice
    else:
        info["issuer"] = _todo(plan, "发文机关", "原文未能识别发文机关")
        info["title"] = _todo(plan, "方案标题", "原文未能识别方案标题")
    cm = re.match(r"^(.+?[市县区州盟])(?:人民政府|委员会|党委)", info["issuer"]) if notice else None
    info["city"] = cm.group(1) if cm else _todo(plan, "城市", "原文未能识别城市")
    province, region = _province(text)
    info["province"] = province or ""
    info["region"] = region or _todo(plan, "所在地区(东部/中部/西部)", "原文未写省份,无法确定东部/中部/西部")
    info["date"] = _date(plan, info.get("issuer", ""))
    goals_lines = section(lines, ("创建目标", "工作目标", "目标"))
    if goals_lines:
        paras = paragraphs(goals_lines)
        first = re.split(r"[。]", "".join(paras[:2]))[0]
        clauses = top_level_split(first, "，,")
        period = next((c for c in clauses if re.search(r"[年月]", c)), "")
        if period:
            info["goal_period"] = period.strip()
        goals = [clean(SUB.match(p).group(2)).split("。")[0] for p in paras if SUB.match(p)]
        if goals:
            info["goals"] = [{"title": g} for g in goals]
    m = re.search(r"本(?:方案|办法|实施办法|意见)由(.+?)负责解读", text)
    if m:
        info["interpreter"] = m.group(1)
    info.update(_pass_rule(plan))
    return info


def top_level_split(text: str, seps: str) -> list[str]:
    """Split at ``seps`` outside brackets."""
    out, cur, depth = [], "", 0
    for ch in text:
        depth += (ch in "(（[【") - (ch in ")）]】")
        if depth <= 0 and ch in seps:
            out.append(cur)
            cur, depth = "", 0
        else:
            cur += ch
    return [*out, cur]


def _todo(plan: Plan, what: str, value: str) -> str:
    plan.missing.append(what)
    return f"TODO: {value}"


def _notice_title(lines: list[str]) -> tuple[str, str, str] | None:
    """(issuer, notice title, plan title) from ``X关于印发《…》的通知`` (one or several lines)."""
    for i, ln in enumerate(lines[:80]):
        if "关于印发" not in ln and not (ln.strip().startswith("关于") and "印发" in "".join(lines[i:i + 3])):
            continue
        start = i - 1 if ln.strip().startswith("关于") and i and lines[i - 1].strip() else i
        joined = ""
        for part in lines[start:start + 6]:
            joined += part.strip()
            if "通知" in part:
                break
        m = re.match(r"^(.*?)\s*(关于印发(.+?)的通知)", joined)
        if not m:
            continue
        issuer = m.group(1).strip()
        inner = m.group(3).strip().removeprefix("《").removesuffix("》")
        title = inner.replace("〈", "《").replace("〉", "》")
        notice = re.sub(r"\s+", "", issuer + m.group(2))
        return issuer, notice, re.sub(r"\s+", "", title)
    return None


def _province(text: str) -> tuple[str | None, str | None]:
    counts: dict[str, int] = {}
    for region, names in PROVINCES.items():
        for name in names.split():
            full = name + ("市" if name in MUNICIPALITIES else "") if name in MUNICIPALITIES else (
                AUTONOMOUS.get(name, name + "省"))
            # a province is named in full (山西省…); a municipality's bare name may be a typo
            # for the city (天津市 for 河津市), so it counts only when no province is named
            n = text.count(full) * 1000 if name not in MUNICIPALITIES else text.count(full)
            n += text.count(name)
            if n:
                counts[f"{full}|{region}"] = n
    if not counts:
        return None, None
    best = max(counts, key=counts.get)
    full, region = best.split("|")
    return full, region


def _date(plan: Plan, issuer: str) -> str:
    """The date under the notice: ``2023年4月10日``; a damaged ``2023630`` read only when unique."""
    lines = plan.lines
    for ln in lines[:60]:
        m = re.fullmatch(r"\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*", ln)
        if m:
            return _iso(*map(int, m.groups())) or _todo(plan, "发文日期", f"原文日期“{ln.strip()}”无效")
    for ln in lines[:60]:
        m = re.fullmatch(r"\s*(\d{4})(\d{2,4})\s*", ln)
        if not m:
            continue
        year, rest = int(m.group(1)), m.group(2)
        readings = {d for i in (1, 2) if i < len(rest)
                    if (d := _iso(year, int(rest[:i]), int(rest[i:])))}
        published = re.search(r"发布日期\s*[:：]\s*(\d{4})-(\d{1,2})-(\d{1,2})", plan.text)
        pub = _iso(*map(int, published.groups())) if published else None
        if len(readings) == 1 or (pub and pub in readings):
            reading = pub if pub in readings else readings.pop()
            plan.correct("campaign.date", ln.strip(), reading,
                         "落款日期丢失“年”“月”“日”,只有这一种读法" + (f";网页发布日期为 {pub}" if pub else ""))
            return reading
        return _todo(plan, "发文日期", f"原文日期“{ln.strip()}”有多种读法")
    return _todo(plan, "发文日期", "原文未能识别发文日期")


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _pass_rule(plan: Plan) -> dict:
    for ln in plan.lines:
        if "合格标准" not in ln:
            continue
        raw = ln.strip()
        text = re.sub(r"\$\s*\\geq\s*([\d.]+)\s*\\?%\s*\$", r"≥\1%", raw)
        text = re.sub(r"\s*(≥|>=)\s*", "≥", text)
        text = re.sub(r"(\d)\s+分", r"\1分", text)
        text = re.sub(r"\s+(?=[。,，])", "", text).replace("得分率 ", "得分率")
        if text != raw:
            plan.correct("campaign.pass_rule_text", raw, text,
                         "公式符号或空格残留(如 LaTeX 的 $\\geq 75\\%$),还原为文字")
        out: dict = {"pass_rule_text": text}
        total = re.search(r"总分\s*≥\s*(\d+(?:\.\d+)?)\s*分", text)
        rate = re.search(r"得分率\s*≥\s*(\d+(?:\.\d+)?)\s*%", text)
        if total and rate:
            out["pass_rule"] = {"total": int(float(total.group(1))), "level1_rate": float(rate.group(1)) / 100}
        else:
            plan.missing.append("合格标准的数值")
        return out
    plan.missing.append("合格标准(本文未写,按全国版本)")
    return {}
