"""The digest chart: first-level score rates against the pass threshold, and units' progress.

Rendered with matplotlib and a real CJK font (Debian's fonts-wqy-microhei, installed by the
project's setup scripts); without one the chart is refused with a clear message rather than
drawn with boxes instead of characters.
"""

from __future__ import annotations

import io

from knowledge.projection import Digest

CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "SimHei")


class NoCJKFont(RuntimeError):
    """No Chinese font is installed; the message says how to install one."""


def _font() -> str:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in names:
            return name
    font_manager.fontManager.__init__()  # a font installed after matplotlib built its cache
    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in names:
            return name
    raise NoCJKFont("没有可用的中文字体,无法生成图表。请安装:apt-get install fonts-wqy-microhei")


def render_png(d: Digest, unit_rows: list[dict]) -> bytes:
    """A PNG with two panels: first-level rates vs the threshold, and per-unit progress."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _font()
    plt.rcParams["font.sans-serif"] = [font]
    plt.rcParams["axes.unicode_minus"] = False
    rows = sorted(unit_rows, key=lambda r: -(r["owed"] + r["accepted"]))[:15]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 6), gridspec_kw={"width_ratios": [1, 1.4]})
    names = [lv.name for lv in d.levels]
    conf = [float(lv.confirmed / lv.table * 100) if lv.table else 0 for lv in d.levels]
    proj = [float(lv.projected / lv.table * 100) if lv.table else 0 for lv in d.levels]
    xs = range(len(names))
    ax1.bar([x - 0.2 for x in xs], conf, width=0.4, label="已确认", color="#2e7d32")
    ax1.bar([x + 0.2 for x in xs], proj, width=0.4, label="预计(含待审核)", color="#81c784")
    ax1.axhline(d.pass_rate * 100, color="#c62828", linestyle="--", label=f"合格线 {d.pass_rate:.0%}")
    ax1.set_xticks(list(xs), names)
    ax1.set_ylim(0, 100)
    ax1.set_ylabel("得分率(%)")
    ax1.set_title(f"{d.campaign.city} 一级指标得分率(总分 已确认 {d.confirmed} / 预计 {d.projected} / 满分 {d.total_max})")
    ax1.legend(loc="upper right")
    labels = [r["unit"] for r in rows][::-1]
    accepted = [r["accepted"] for r in rows][::-1]
    owed = [r["owed"] for r in rows][::-1]
    ax2.barh(labels, accepted, color="#1565c0", label="已通过材料")
    ax2.barh(labels, owed, left=accepted, color="#ef9a9a", label="仍欠评分项")
    ax2.set_title("各单位进度")
    ax2.legend(loc="lower right")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()
