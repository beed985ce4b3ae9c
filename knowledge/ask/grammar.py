"""The words of the question grammar: numbers in every written form, the phrases that mark each
kind of question, captions that name an indicator, and short unit names where a unit stands.

The interpretation is deliberately rule-based and explainable: numbers in any written form
(第12项, 十二号指标, full-width １２) mean an indicator; a named unit means its duties;
"谁负责" means "who is responsible for the indicator named by these words"; time words mean
phases. When two readings compete the caller gets both and asks back instead of guessing.
"""

from __future__ import annotations

import re
import unicodedata

from knowledge.numbers import read_number
from knowledge.text import simplified, words_of
from knowledge.units import UnitDirectory, UnitRef, normalize

CN_NUM = "零〇一二两三四五六七八九十百"
NUM = rf"(\d{{1,3}}|[{CN_NUM}]{{1,4}})"
INDICATOR_PATTERNS = [
    re.compile(rf"第\s*{NUM}\s*(?:项|号|条|个)?\s*(?:指标|三级指标)"),
    # not "哪一项指标", "每一项指标", "我们一项指标没完成" (一项 is "one indicator"; 第一项 is the first)
    re.compile(rf"(?<![哪每任这那某])(?!一\s*项){NUM}\s*(?:号|项)\s*指标(?!\s*(?:里|中|当中))"),  # not "在41项指标里": all of them
    # "指标12", "编号为14的指标"; not "指标一共多少分" (一共), "指标一下" …
    re.compile(rf"(?:指标|ind|编号)\s*(?:第|no\.?|#|为|是)?\s*{NUM}(?![共下些起般样律直定致同块家位个人年次])"),
    # "18号是什么指标", "19号谁牵头": a bare "N号" opening the question, not a day ("12号前交")
    # "28项怎么才能拿分", "33项国家级媒体报道能得几分": "N项" opening a question is indicator N
    re.compile(rf"^(?:请问|问一下|问下|想问一下|那|那么)?\s*{NUM}\s*项(?!\s*(?:任务|主要任务))(?!.*(?:加起来|总共|一共|合计))"),
    re.compile(rf"^(?:那|那么)?\s*{NUM}\s*(?:号|项)?\s*(?:呢|吗)(?![\u4e00-\u9fff]{{0,2}}号)"),  # "28呢 符合几项能得分"
    re.compile(rf"^(?:请问|问一下|问下|想问一下|那|那么)?\s*{NUM}\s*号\s*(?=是|谁|怎么|的(?!前)|要求|需要|要交|几分|多少分|有什么|讲|说|呢|[?？]|$)"),
    # "32号认可包括哪些形式": an opening "N号" no month has (32 and over) is an indicator whatever follows
    re.compile(r"^(?:请问|问一下|问下|想问一下|那|那么)?\s*(3[2-9]|[4-9]\d)\s*号(?!\s*任务)"),
    re.compile(rf"第\s*{NUM}\s*(?:项|号|条)(?!\s*任务)"),
    # "第29、30项都是谁负责": the first of a list whose counter comes at its end (the rest: LISTED)
    re.compile(rf"第\s*{NUM}(?=(?:\s*[、,，和与及]\s*(?:第\s*)?(?:\d{{1,3}}|[{CN_NUM}]{{1,4}}))+\s*(?:项|号|条)(?!\s*任务))"),
    # "16、17、18这三项的责任单位", "16和17项谁负责": a list of numbers opening the question, its
    # counter (or "这三项") after the last one
    re.compile(r"^(?:请问|问一下|问下|想问一下|那|那么)?\s*(\d{1,3})(?=(?:\s*[、,，和与及]\s*\d{1,3})+\s*"
               r"(?:项|号|条|这[两二三四五六几]?[项个条]|那[两二三四五六几]?[项个条]|几[项个条]|指标)(?!\s*任务))"),
    re.compile(r"#\s*(\d{1,3})"),
    re.compile(r"^(\d{1,2})\s*-\s*\d(?!\d)"),  # "10-2是什么": indicator 10, scoring item 2
    re.compile(rf"^{NUM}\s*(?:号|项)[?？。!！]*$"),
]
TASK_PATTERNS = [
    re.compile(rf"第\s*{NUM}\s*(?:项|个|条)?\s*(?:主要)?任务"),
    re.compile(rf"任务\s*(?:编号|第)?\s*(?:为|是)?\s*{NUM}(?![样起共下些块般定致同直律])"),  # not "任务一样吗"
]
# "(二)1", "（二）第1项任务": Yancheng numbers its tasks afresh in each section.
SECTION_TASK = re.compile(rf"(?:[(（]\s*([一二三四五六七八九十])\s*[)）]|第([一二三四五六七八九十])(?:部分|节|方面)|"
                           rf"^([一二三四五六七八九十])、)"
                           rf"\s*(?:的)?\s*(?:第)?\s*{NUM}\s*(?:项|条|个)?\s*(?:是)?(?:什么|啥|哪个)?\s*(?:主要)?(?:任务)?"
                           # "(二)3 是什么任务,谁牵头", "（一）2是谁的活": the task, whose units its card lists
                           rf"(?:[,，、]?\s*(?:是什么任务|是什么|是啥|是哪个|由谁负责|谁牵头|谁负责|谁来做|谁管|是谁的活|"
                           rf"是谁的任务|是谁的|谁的|哪些单位|哪个单位|哪几个单位|的责任单位|责任单位))*"
                           rf"\s*(?:呢|吗|啊)?[?？。]*$")
AND = re.compile(r"(和|与|跟|及|、|以及|还有)")
LISTED = re.compile(rf"(?<![这那几每哪])(?:第|#|指标)?\s*{NUM}\s*(?:号|项)?(?=\s*(?:号|项|指标|和|与|跟|及|、|以及|还有|有什么|的区别|是|都|分别|各|由|谁|这|那|$))")
# not "我们各单位的材料…": every unit, not the asker's own
MY = re.compile(r"(我们(?!各|每个|所有|东部|中部|西部)|我单位|本单位|我局|我委|我办|我们局|我们委|我的|咱们(?!各|每个|所有)|我方)")
WHO = re.compile(r"(谁(?:来)?(?:报|提供|统计|填|上报|出数据|抓|主抓)|谁负责|谁牵头|谁来|由谁|哪个单位|哪些单位|哪个部门|哪些部门|责任单位|牵头单位|配合单位|谁管|归谁|"
                  r"是谁的活|谁的活|是谁的事|是谁的任务|谁的任务|谁干|谁做|归哪个|找谁|找哪个|问谁|向谁|哪几个单位|"
                  r"哪几个部门|是谁的)")
# "双千兆放在哪个任务里", "网剑行动属于哪条": the items a topic sits in, and their units (no unit named)
WHERE_ITEM = re.compile(r"(?:放在|放到|列在|写在|归在|属于)(?:哪|什么)\s*一?[条个项块部]?分?(?:指标|任务)?(?:里|里面|中)?")
PHASE = re.compile(r"(阶段|什么时候|啥时候|啥时|最晚|何时|什么时间|时间段|哪段时间|起止时间|起止日期|时间节点|截止|期限|进度安排|实施步骤|验收|时间表|几月|deadline|日程|"
                    r"多长时间|多久|要搞几年|用几年|几年完成|创建周期|周期多长|时限)")
SEARCH = re.compile(r"(相关|有关|关于|涉及|方面)")
DETAIL = re.compile(r"((?:怎么|如何|怎样|几|多少)\s*(?:给|打|算|评|计|拿|得)分|怎么打分|怎么算分|怎么算|怎么计算|如何计算|计算方法|计算公式|如何打分|如何评分|打分标准|评分标准|"
                     r"计分|要求是什么|有什么要求|需要什么材料|需要哪些材料|要哪些材料|要什么材料|要提供什么|要交什么|"
                     r"考核什么|怎么评|评估方式|评估方法|几分|能得|怎么拿分|怎么得分|拿满分|要哪些数据|需要什么数据|"
                     r"要什么数据|哪些数据|要求多少|要达到多少|达到多少|要多少|标准是多少|是多少|多少学时|多少次|多少个百分点)")
OVERVIEW = re.compile(r"(总分|满分|多少分|合格标准|合格线|算合格|验收合格|合格要求|才算通过|才算过|及格线|及格|通过线|达标线|达标标准|怎样算达标|怎么算通过|一共多少|"
                       r"多少项指标|(?<![这那哪])几项指标|多少个指标|(?<![这那哪])几个指标|加起来|合计|总共|一共几|多少项任务|(?<![这那哪])几项任务|多少个任务|"
                       r"(?<![这那哪])几个任务|指标体系|一级指标|二级指标)|"  # "那几个指标": the ones named, not a count
                       # "怎么样算创建合格", "达到什么标准才算创建成功": a how/what frame before a pass word
                       r"(?:怎么样|怎样|怎么|如何|什么|啥)[^,,。?？]{0,6}?(?:合格|及格|达标|过关)")
THANKS = re.compile(r"^(嗯+|好的?|好滴|谢谢|多谢|感谢|谢了|辛苦了?|收到|明白了?|了解|知道了|ok|okay|thanks|👍|🙏|[,，。!！~\s])+$", re.I)
CONTACTS = re.compile(r"(联络员是谁|联络员[^,，。?？]{0,4}的是谁|联络员(?:叫|姓)(?:啥|什么|哪个|哪位)|联络员(?:的)?名字|谁是.{0,6}联络员|联系人|联络员有哪些|联系谁)")
# "联络员由谁担任", "联络员一般是单位里谁来当": who acts as liaison officer is the document's rule, on the leading-group card
LIAISON_RULE = re.compile(r"(联络员[^,，。?？]{0,8}(?:由谁|谁来|谁当|谁担任|担任|来当|怎么定|怎么确定|是什么人|(?:什么|啥|哪个|哪一)级别|要求|职责|(?:按|依)(?:什么|啥)|标准|定人|怎么选|如何确定|"
                           r"干啥|干什么|做什么|条件)|谁.{0,3}当联络员|联络员[^,，。?？]{0,12}(?:什么人|哪类人|哪个级别|什么级别)来?(?:当|担任))")
# "实施办法是哪天印发的", "文号是多少": the document itself
DOCUMENT = re.compile(r"(印发|发文|文号|解读|发布时间|哪天发|什么时候发的|哪年发|哪个文件|什么文件|文件名|文件全称|方案全称|"
                       r"(?:什么时候|啥时候|何时|哪天|哪年|几号)(?:发布|下发|出台|发的)|发布(?:日期|的日子)|"
                       r"文件的名称|依据的文件|出台)")
LEVELS = ("促进发展", "规范监管", "优化服务", "探索创新", "综合保障", "发展规模", "发展质量", "完善监管", "规范执法",
          "服务网络经营", "服务网络消费", "创新工作", "创新效果", "组织机制保障", "工作基础保障")
FIRST_LEVELS = LEVELS[:5]
# "创新那个大类", "服务消费者那块": a level named by a part of its name before a word for a category
_LEVEL_PART = re.compile(r"(?:搞|做|抓|管)?([\u4e00-\u9fff]{2,6}?)(?:的)?\s*(?:那个|这个|那一|这一|那|这)?\s*"
                         r"(?:大类|大块|块|板块|一级指标|二级指标|类指标)")
# each first-level indicator with its two second-level ones, as the national system orders them
_CHILDREN = {first: LEVELS[5 + 2 * i:7 + 2 * i] for i, first in enumerate(FIRST_LEVELS)}


def levels_in(body: str) -> list[str]:
    """Every level ``body`` names by its whole name, a first-level one dropped when one of its own
    second levels is named too ("规范监管底下“完善监管”这个二级指标" asks of 完善监管; "组织机制保障跟工作
    基础保障各占几分" of both)."""
    named = [lv for lv in LEVELS if lv in body]
    return [lv for lv in named if not set(_CHILDREN.get(lv, ())) & set(named)]


def level_in(body: str) -> str | None:
    """The level ``body`` names: by its whole name, or by a part of it before 大类/那块 ("搞创新那个
    大类" is 探索创新; "服务消费者那块" is 服务网络消费, the plan's name without its 网络), when only
    one level fits (a 大类 or 一级指标 is a first-level one)."""
    if named := levels_in(body):
        return named[0]
    for m in _LEVEL_PART.finditer(body):
        part = m.group(1)
        pool = FIRST_LEVELS if re.search(r"大类|大块|一级", m.group(0)) else LEVELS
        fits = [lv for lv in pool if part in lv or (bare := lv.replace("网络", "")) in part or part in bare]
        parents = [lv for lv in fits if lv in _CHILDREN and set(fits) <= {lv, *_CHILDREN[lv]}]
        if len(fits) == 1 or parents:  # "创新那块": 探索创新, whose parts 创新工作 and 创新效果 also fit
            return parents[0] if parents else fits[0]
    return None


LEADERS = re.compile(r"(在不在(?:里面|里头|其中|名单|里边)|在(?:里面|里头|其中|名单里)(?:吗|没有|不)|"
                     r"(?:在|进了?|属于|是不是|算不算).{0,3}领导小组|成员是谁|谁在领导小组|谁是成员|"
                     r"(?:成员|组长|人员|领导).{0,5}(?:变了|变动|调整|更换|换了|调走|离职)|领导小组.{0,6}(?:组成|构成)|"
                     r"领导小组.{0,4}(?:是干|干啥|干什么|做什么|职责|作用|是什么)|"
                     r"组长|副组长|挂帅|一把手|负总责|领导小组名单|领导小组里|领导小组成员|换人|替补|人员变动|成员变动|办公室设在|办公室在哪|办公室设哪|办公室负责(?:啥|什么|哪些|干)|办公室(?:是)?干(?:啥|什么)|办公室(?:的)?职责|办公室设在哪|办公室放在|办公室主任|领导小组办公室|牵头部门是|分管.{0,4}(?:市长|领导)|副市长是谁|"
                      r"市长是谁|领导小组成员|联络员职责|谁是联络员|成员单位有哪些|哪些成员单位)")
# "在主要任务里有啥活，跟谁一起": who else each row names, beside the unit's own list
PARTNERS = re.compile(r"(?:跟|和|同|与)谁(?:一起|一块|合作|配合|搭档)|还有谁|(?:跟|和|同|与)哪些(?:单位|部门)(?:一起|合作|配合)?|"
                      r"一起的(?:还有|有)|谁(?:跟|和)(?:我们|俺们|咱们)一起")
SHARED = re.compile(r"(重合|重复|共同|一起|一块|一道|同时|都负责|都要|都参与|都有|都挂|都列|都在|都涉及|交叉|重叠|共有|合作|一样|相同|区别|不同|对比|比较)")
WHO_FILLER = re.compile(r"(是|由|牵头|负责|配合|来做|来管|的工作|工作|这块|那块|这一块|那一块|这件事|这事|呢|啊|吧|那条|这条|那几[个项条]|这几[个项条]|那些|这些|那项|这项|"
                         r"那个|这个|要数据|要材料|拿数据|要|单位|部门)")
IS_IT = re.compile(r"(是不是.{0,12}(?:负责|牵头|配合|管)的?|是否.{0,12}(?:负责|牵头|配合)|是.{0,12}(?:负责|牵头|配合|管)的?吗|"
                    r"归.{0,12}管吗)")
GOALS = re.compile(r"((?:创建|整个|总共|一共)[^,，。?？]{0,4}(?:要|需要|用|花)(?:多长时间|多久|几年)|(?:创建|整个创建|创建工作)的?(?:期限|周期|时限)(?:是)?(?:多久|多长|几年|多长时间)|创建目标|总目标|目标是什么|什么目标|工作目标|要达到什么|创建要求|主要目标|目标是(?:几|多少)年|(?:几|多少)年(?:之)?内)")
MY_OWE = re.compile(r"(交什么|要交|提交什么|需要提交|哪些材料|什么材料)")
MY_DUTY = re.compile(r"负责|任务|干什么|做什么|做啥|干嘛|哪些工作|工作有哪些|做些什么|做些啥|做哪些|干些什么|干啥|职责|清单|牵头|配合|哪几项|几项|多少项|哪些项|多少分|总分|一共|活儿|啥活|"
                      r"什么活|哪些活|有活|有没有活|有什么活|分到|分了|分给|涉及|承担|管哪些|管什么|要管")
NATURE = re.compile(r"(定量\s*[+＋和与及]\s*定性|定性\s*[+＋和与及]\s*定量|定量|定性)")
# "哪些指标要专家评估", "只用数据比对的", "不需要专家评估的": the 评估方式 column
METHOD = re.compile(r"(专家评估|资料审查|数据比对)")
# "评估方式有哪几种", "有哪些评估方法": the methods themselves
METHODS_ASKED = re.compile(r"评估(?:方式|方法)(?:有|分|是)?(?:哪几种|哪些|几种|什么)|(?:哪几种|哪些|几种)评估(?:方式|方法)")
ONLY = re.compile(r"(只用|只需|只要|仅|单纯|纯|只有|只)")
NOT = re.compile(r"(不需要|不用|不要|无需|没有|不含|不是)")
# "怎么提交材料", "材料发给谁", "怎么登记成联络员", "交的材料谁审核": how to use the bot itself
HOWTO = {
    "submit": re.compile(r"((怎么|如何|咋|在哪|哪里|去哪)(提交|交|上传|报送|报|发)|材料(怎么|如何|咋)(交|提交|上传|报)|"
                         r"(材料|佐证).{0,3}(发给谁|交给谁|交到哪|发到哪|给谁)|^(发给谁|交给谁))"),
    "register": re.compile(r"((怎么|如何|咋)(登记|注册|绑定|加入|认证|报名)|新来的联络员|换了?联络员|联络员(换人|变了|变更))"),
    "review": re.compile(r"(谁(来)?审核|谁审|审核(流程|结果|多久)|(被)?退回|被拒|打回|审核不通过)"),
}
# "哪些指标要用国家统计局的数据", "12315平台的数据用在哪几个指标", "数据来源是国家网络交易监管平台的指标"
# "主要任务有哪些", "主要任务分几块,各有几项": the list of tasks by section
TASK_LIST = re.compile(r"((多少|几)\s*(条|项|个)\s*(主要)?任务|(主要)?任务(有哪些|都有哪些|都有什么|分几|一共|总共|列表|清单|分哪几|有几)|几大(块|类|部分)任务|"
                        r"任务.{0,4}(几块|几部分|几大块|几类))")
SOURCE = re.compile(r"(?:要用到|需要用到|要用|用到|用的是|需要用|来自|来源于|取自|(?<=指标)用)([^,,。?？]{2,20}?)(?:的)?(?:数据|统计数据)|"
                     r"([^,,。?？]{2,20}?)的数据(?:用在|用于|要用在)|数据来源(?:是|为|包括|有)(?!哪|什么|啥|谁)([^,,。?？]{2,20}?)(?:的指标|的|$)")
# with a source the plan names: the words that make the question one about the 数据来源 column
SOURCE_FRAME = re.compile(r"(数据来源|来源|来自|取自|数据|资料|用在|用于|用到)")
LEVEL_POINTS = re.compile(r"(几分|多少分|至少|及格|合格|才算过|达标|得分率)")
OWE = re.compile(r"((?:还剩|剩下|剩余).{0,4}(?:没交|未交|没提交)|哪些单位交了|哪几个单位交了|谁交了|还欠|还差|还没交|没交|未交|未提交|没提交|提交情况|交了没有|进度怎么样|完成情况|欠哪些|欠什么|"
                  r"缺哪些|缺什么材料|还要交|还需要交|交齐)")
# "副组长有几位", "住建局的任务有几条", "一共多少个指标": a count, not a list ("几分" is points).
COUNT = re.compile(r"(?<![哪第这那])(?:几|多少)\s*(?:小|大)?(?:个|位|名|人|项|条|家|类|大类|块|部分|方面|阶段|步|组|款)|(?:出现|点名|列名|提到|写到)了?(?:几|多少)次|(?:指标|任务)数(?![据量字])|(?:数量|人数|个数|项数)(?:是|有)?多少|(?:共|一共|总共)?有多少\s*[?？呢啊]*$")
# "邮管局的成员是谁", "林业局也在领导小组?": whether (and who of) a unit is in the leading group
# "药监在不在里面": "里面" with no list named is the leading group's (the one list a unit is "in")
IN_IT = r"在不在(?:里面|里头|其中|名单|里边)|在(?:里面|里头|其中|名单里)(?:吗|没有|不)"
MEMBER_OF = re.compile(r"成员是谁|谁是成员|谁在(?:领导)?小组|(?:在|进了?|属于|是不是|算不算).{0,3}(?:领导)?小组|"
                       r"(?:领导)?小组(?:里|里面|里头|中)?(?:的)?(?:是谁|是哪位|有谁|有哪些人|是哪些人)|" + IN_IT)
SOLE = re.compile(r"只有.{0,12}(?:一家|一个(?:责任)?(?:单位|部门)|自己)|单一(?:责任)?(?:单位|部门)|只写了?|只列了?|仅有|仅列|单独负责|独自负责|独家负责|一家负责|一家独担|独担|独自承担|单独承担|没有配合|"
                  r"单独扛|独自扛|一家扛|自己扛|单独(?:牵头|承担|管)|(?:只有|只)(?:一个|一家)(?:具体)?(?:的)?(?:责任)?(?:单位|部门)")
# "在指标表里没被点名", "没有分到指标": named nowhere in the indicator table
UNLISTED = re.compile(r"(?:没|未|不)(?:有)?(?:被)?(?:点名|列名|列出|列入|写进|写到|出现|提到)|没有(?:分到)?(?:指标|任务)|不在指标|"
                      r"(?:一个|一项|一条|任何)(?:指标|任务)?(?:也|都)?(?:没|没有|未)(?:分到|分配|挂|摊到|轮到|负责)")
# "局长叫啥", "参加领导小组的是局长吗", "是哪位领导", "领导小组 成员 谁": a person, by post or name
UNIT_PERSON = re.compile(r"(?:正|副)?局长|一把手|主要负责人|主要领导|(?:哪位|哪个|什么|啥)领导|领导是|叫啥|叫什么|名字|姓名|"
                         r"谁(?:参加|去|来参加|代表)|(?:参加|进).{0,6}(?:是谁|是哪位|的是)|(?:小组|成员)\s*(?:里|中)?\s*(?:的)?\s*(?:是)?\s*谁")
# "联席会议各成员单位具体包括哪些单位", "各有关部门指哪些": a group's members asked for
GROUP_MEMBERS = re.compile(r"包括|包含|有哪些|有哪几|是哪些|是哪几|都有谁|都是谁|都有哪|指哪些|指的是|具体是|由哪些|涵盖|范围")
# "指标7一共有几个责任单位", "第19项有几家单位": one indicator's units counted
UNIT_COUNT = re.compile(r"(?:几|多少)\s*(?:个|家)\s*(?:责任|牵头|配合)?(?:单位|部门)|几家|"
                        r"(?:责任|负责|牵头|配合)(?:单位|部门)[^,，。?？]{0,4}(?:有|是|共|一共|总共)?\s*(?:几|多少)\s*(?:个|家)?")
# "第10项的材料截止到哪天": one indicator's deadline
DUE_ASKED = re.compile(r"截止|最晚|期限|哪天|几号交|什么时候交|何时交|啥时候交|deadline")
# "发改有但工信没有的", "邮管局比交通局多哪些": what the first has and the second has not (少: the reverse)
ONE_SIDED = re.compile(r"有[^,,。?？]{0,3}(?:但|而|可|、)[^,,。?？]{1,10}?没有|比[^,,。?？]{1,12}?(多|少)(?:哪|什么|出|几|些|了)")
# A body's name as officers write one ("商务局", "住建委"), not 格局/布局
UNITISH = re.compile(r"([\u4e00-\u9fff]{2,4}?(?<![格布当大全结开出])(?:局|委))(?![\u4e00-\u9fff]?长|面)")
# "符合一项即可得3分的指标": the rows scored by any one of their items
ANY_ONE = re.compile(r"(?:符合|满足|达到|做到|具备)(?:其中)?(?:任意|任何|任)?一项(?:即|就)?(?:可|能)")
# "只负责一项指标的单位有哪些", "负责指标数正好是两项的单位", "哪几家单位在分工表里只有一项指标":
# units with that many named indicators
UNITS_WITH = re.compile(rf"(?:只|仅|正好|恰好|刚好)\s*(?:负责|有|挂|分到|分了|管)?了?\s*{NUM}\s*[项个]指标的(?:单位|部门)|"
                        rf"(?:单位|部门)[^,，。?？的]{{0,8}}(?:只|仅|正好|恰好|刚好)\s*(?:负责|有|挂|分到|分了|管)?了?\s*{NUM}\s*[项个]指标|"
                        rf"指标(?:数|数量)?\s*(?:正好|恰好|刚好|只有|仅)\s*(?:是|为|有)?\s*{NUM}\s*[项个]的(?:单位|部门)")
EXCEPT = re.compile(r"除了|除去|以外|之外|不算|不含")
RANK = re.compile(r"(最多|最少|排名|排第一|排前|多的是|少的是)")
# "加起来几分", "一共多少分": a sum of points over what the question names
POINTS_SUM = re.compile(r"(加起来|一共|总共|合计|共计|总计|累计|总分|合起来|算下来).{0,6}(几分|多少分)|(几分|多少分).{0,4}(加起来|总共|一共)|"
                        r"(总分|总分值|分数|分值|分)(?:是|有|一共|共)?(?:多少|几)|"
                        r"(分数|分值).{0,6}(加起来|合计|总共|一共|共计|总计|合起来|算下来)")
# "40项指标分数加起来": a number of items summed is a quantity, not the number of one item
SUM_OF = re.compile(r"(加起来|一共|总共|合计|共计|总计|累计|合起来|算下来)")
# "各管几项,有什么不同", "对比一下", "区别": units set side by side, not only what they share
COMPARE = re.compile(r"(多了|少了|多出|少哪|区别|不同|不一样|差别|差异|对比|比较|相比|比一比|各管|各自|分别|各有|各负责|各是|各几|各多少|哪个多|谁多|多几)|"
                     # "邮管局比交通局多哪些", "两家的指标一样吗": one against the other
                     r"比[^,,。?？]{1,12}?(?:多|少)(?:哪|什么|出|几|些|的|了)|一样(?:吗|么|嘛|不)|是否一样|相同吗|"
                     # "发改有但工信没有的": what one has and the other has not
                     r"有[^,,。?？]{0,3}(?:但|而|可|、)[^,,。?？]{1,10}?没有|"
                     # "谁的指标多", "哪个负责的指标多", "哪家分高": which of them has more (a frame word and a measure)
                     r"(?:谁|哪个|哪家|哪一个|哪边|哪一家)[^,,。?？]{0,8}?(?:更)?(?:多|少|高|低)")
# "3分的指标", "1.5分的": indicators of one value (not "几分", "满分", "多少分")
POINTS_OF = re.compile(rf"(?<![\d.几少满总])(\d+(?:\.\d+)?|[{CN_NUM}]{{1,2}})\s*分(?:值)?[”\"’」]?(?:的|值的|(?=指标|的指标|那几?[个项]))")
# "大数据管理局在领导小组里是谁": a name shaped like a unit's, whether or not the directory knows it
NAMED_UNIT = re.compile(r"((?!领导)[\u4e00-\u9fff]{2,10}?(?:管理局|局|委员会|委|中心|海关|支行|分局))")
# "8月份要做什么", "十月是哪个阶段": a month, and a frame asking what falls in it
MONTH = re.compile(r"(?<![\d\-—~至到])(1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])\s*月份?(?![\d\-—~至到]|底前|前)")
IN_MONTH = re.compile(r"(做什么|干什么|做啥|干啥|要做|要干|干嘛|哪个阶段|什么阶段|阶段|重点|任务|工作|安排|忙什么|搞什么)")
# "有几个人在领导小组里", "进小组的是哪位": the leading group, also by its short name 小组
GROUP_WORD = re.compile(r"(?:领导)?小组")
# The question's own words, taken out before looking for an indicator it names (by reading).
ASKED_FILLER = re.compile(r"(什么时候|何时|哪天|截止日期|截止时间|截止|期限|时间节点|之前|以前|提交|提供|准备|交|材料|佐证|指标|"
                          r"创建工作|创建|示范区|工作|整个|全部|所有|各项|任务|我们单位|我们局|我单位|本单位|我们|咱们|我局|"
                          r"需要|要|什么|哪些|啥|的|吗|呢|[?？。,,])")
MEANT_FILLER = re.compile(r"(总分|满分|多少分|能拿|拿到|得到|得满分|达标|合格|及格|多少|占比|一共|总共|加起来|合计|几分|才能|可以|"
                          r"指标体系|评估|指标|任务|体系|标准|是什么|是不是|有|几个|几项|这些|那些|全部|所有|\d+\s*分?(?!\s*(?:年|个月|%))|[?？。,,])")
PHASE_FILLER = re.compile(r"(什么时候|哪个阶段|阶段|时间|几月|截止|交|提交|开始|结束|是|的|吗|呢|[?？。,,])")
# "要先报哪里", "向哪个部门提": where a step's report goes, which the phase's text says if anything.
WHERE_TO = ("先报", "报哪", "报到哪", "交到哪", "交给谁", "报给谁", "报送", "上报", "向哪", "向谁", "哪个部门", "哪一级")
# The words that name a step of the work ("评估验收什么时候" asks about a phase, whichever the city names).
STEP_WORDS = ("阶段", "验收", "部署", "实施", "推进", "总结", "评估")
# A question word: the text asks something ("评分专家是哪些人"), it is not a stray phrase ("电商").
ASKS = re.compile(r"(什么|啥|哪|谁|几|多少|吗|怎么|如何|是否|要不要|能不能|可不可以|有没有|还是|[?？])")
TASK_WORD = re.compile(r"任务")
INDICATOR_WORD = re.compile(r"指标")
UNIT_LIKE = re.compile(
    r"^(?:市)?((?!我|本|咱)[^,,。的]{1,12}?(?:局|委|办|中心|部|协会|支行|海关|政府|管委会|社))"
    r"(?:的|都|要负责|负责|有哪些|有什么|有啥|有没有|有指标|有任务|要做|要干|干什么|牵头|配合|承担|需要|分了|分到|"
    r"分得|管哪些|管什么|涉及)")
HELP = re.compile(r"^(帮助|help|怎么用|使用说明|你能做什么|你好|您好|hi|hello|菜单)[!！。?？]*$|"
                   r"(机器人|助手|^你|^您).{0,6}(能干啥|能做什么|能干什么|都能干|有什么功能|有啥功能|有啥用|怎么用)", re.I)
FILLER = re.compile(
    r"(请问|请|帮我|帮忙|查一下|查查|查询|看看|看一下|告诉我|顺便说下|顺便说一下|顺便问下|顺便问一下|顺便|一下|我想知道|想问下|想问|问一下|麻烦|您好|你好|这一项|这项|"
    r"这个指标|该项|该指标)")


def to_int(token: str) -> int | None:
    """'12', '十二', '１２' → 12; anything else (0, 20 digits, '²³') → None: ``knowledge.numbers``."""
    return read_number(token)


def strip_mention(text: str, bot_username: str | None) -> str:
    """``text`` without the bot's @mention (any case), and otherwise as written."""
    if not bot_username:
        return (text or "").strip()
    return re.sub(rf"@{re.escape(bot_username)}(?![A-Za-z0-9_])", " ", text or "", flags=re.I).strip()


# Colloquial forms the grammar reads as their standard ones ("咋算分" is 怎么算分).
COLLOQUIAL = [(re.compile(r"够(?=\s*\d)"), "达到"), (re.compile(r"甚么"), "什么"), (re.compile(r"(?<=[得拿给算占])(几|多少)份"), r"\1分"), (re.compile(r"咋(?=样|么|办|算|评|打|弄|搞|交|报|拿|得|填|写|计|给)"), "怎么"), (re.compile(r"啥时候|啥时(?!间)"), "什么时候"),
              (re.compile(r"(?<=每个)大项|(?<=每一)大项|(?<=每个)大类"), "一级指标")]  # "每个大项都要达到一定比例"

# What voice input writes down of speech: hesitations (呃, 嗯), and 那个 / 就是 said while thinking
# ("领导小组那个除了组长副组长…", "就是统计局跟市场监管局…"). They separate, like a pause; 那个 before
# what it points at ("那个指标", "那个阶段") is kept.
SPOKEN = re.compile(r"[呃嗯]+|那个(?!指标|任务|阶段|单位|部门|局|项|条|号)|(?:^|(?<=[\s,，。?？!！]))就是(?!说)")

# "两年以上", "三个月内": a duration in words is the plan's digits ("存续时间2年以上")
DURATION = re.compile(r"(?<![\d一二两三四五六七八九十])([两二三四五六七八九十])(?=\s*(?:年|个月)\s*(?:以上|以下|以内|及以上|内))")


def clean(text: str, bot_username: str | None = None) -> str:
    """Fold width and traditional characters, drop the bot's @mention and surrounding noise,
    and read colloquial forms and durations in words as standard ones."""
    text = strip_mention(simplified(text or ""), bot_username)
    for pattern, standard in COLLOQUIAL:
        text = pattern.sub(standard, text)
    if (spoken := SPOKEN.sub(" ", text)).strip():  # "嗯" alone is an answer ("ok"), not a pause
        text = spoken
    text = DURATION.sub(lambda m: str(to_int(m.group(1))), text)
    return re.sub(r"\s+", " ", text).strip()


ITEM = r"(?:\s*[-—.]\s*(\d)(?!\d))?"
# "#12 …", "指标12 …" name an indicator outright; "第12项 …", "十二号指标 …" only with 项/号, so
# "第4季度统计报表" is a file name, not indicator 4. Numbers as in questions, never four digits.
CAPTIONS = [
    re.compile(rf"^\s*(?:#|指标)\s*{NUM}(?!\d){ITEM}\s*(?:项|号)?(?:指标)?\s*(.*)$", re.S),
    re.compile(rf"^\s*第\s*{NUM}(?!\d)\s*(?:项|号){ITEM}\s*(?:指标)?\s*(.*)$", re.S),
    re.compile(rf"^\s*{NUM}(?!\d)\s*(?:项|号)\s*指标{ITEM}\s*(.*)$", re.S),
]


def parse_caption(caption: str) -> tuple[int, int | None, str] | None:
    """'#12 电商培训通知' → (12, None, '电商培训通知'); '#12-2 …' names scoring item 2."""
    text = unicodedata.normalize("NFKC", caption or "")
    for pattern in CAPTIONS:
        m = pattern.match(text)
        if m and (no := to_int(m.group(1))) is not None:
            return no, int(m.group(2)) if m.group(2) else None, m.group(3).strip()
    return None


# "指标23到25", "第31至33项": a run of indicators, not the first alone
INDICATOR_RANGE = re.compile(rf"(?:指标|第|#)\s*{NUM}\s*(?:项|号)?\s*(?:到|至|~|～|-|—)\s*(?:第)?\s*{NUM}(?!\d)\s*(?:项|号)?(?!\s*(?:任务|季度|月|年|日|天|周|个|条))")


def indicator_range(text: str) -> list[int]:
    """The indicators of a run the text names ("指标23到25" → 23, 24, 25); [] if none, or if it
    runs backwards or over more than six."""
    if (m := INDICATOR_RANGE.search(text)) and (a := to_int(m.group(1))) and (b := to_int(m.group(2))) \
            and 1 <= b - a <= 5:
        return list(range(a, b + 1))
    return []


def numbers_in(patterns: list[re.Pattern[str]], text: str) -> list[int]:
    out: list[int] = []
    for pat in patterns:
        for m in pat.finditer(text):
            value = to_int(m.group(1))
            if value is not None and value not in out:
                out.append(value)
        if out:
            break
    return out


# "公安负责哪些指标", "公安和网信办都要负责哪些任务": a short name (公安, 商务, 税务) is a topic inside
# most sentences, so it counts as a unit only where a unit stands: before a duty word or beside
# another unit, in a question about duties that does not ask for a topic ("教育培训相关指标").
BARE = re.compile(r"(?:^|[和与跟、及但]|(?<=[,，])|(?<=俺们|我们|咱们))([\u4e00-\u9fff]{2,4}?)(?=(?:这边|这块|方面)?(?:都要|都|要|需要|还)?"
                   r"(?:负责|牵头|配合|有哪些|有什么|有啥|哪些|哪几|要做|要干|干什么|干啥|弄啥|弄什么|做啥|承担|分了|分到|"
                   r"要准备|准备|要交|要提供|有的|在的|有份|有几|几项|几个|有多少|有但|有而|没有|"
                   r"涉及|共同|有共同|一起|的指标|的任务|的主要任务|主要任务|在不在|在里面|在名单)|[和与跟、及]|\s+(?:的)?(?:指标|任务|主要任务)|"
                   r"\s*在(?:主要)?(?:任务|指标)|(?:的|呢)?[?？]*$)")
DUTY_WORD = re.compile(r"(负责|牵头|配合|任务|指标|活|干|弄|做|承担|职责|共同|一起|重叠|交叉|准备|材料|对比|比较|在不在|在里面|在名单)")
HALF = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:的|呢)?[?？]*$")  # "文旅的?": a unit on its own


def bare_units(body: str, directory: UnitDirectory) -> list[UnitRef]:
    """Units named by a bare short name where a unit stands (see ``BARE``)."""
    out: list[UnitRef] = []
    bare = () if not (DUTY_WORD.search(body) or HALF.match(body)) or SEARCH.search(body) else BARE.finditer(body)
    for m in bare:
        word = m.group(1)
        ids = directory.forms.get(normalize(word)) or set()
        if not ids and word.endswith("部门") and len(word) > 3:  # "统计部门" → 统计(局)
            ids = directory.forms.get(normalize(word[:-2])) or set()
        if len(ids) == 1 and (ref := directory.units[next(iter(ids))]) not in out:
            out.append(ref)
    return out + [ref for ref in standalone_units(body, directory) if ref not in out]


# Words that may stand beside a short unit name without making it part of a topic: joining words,
# the asker's own, and words that open a question about it ("税务 几项", "市监和交通 谁多",
# "住建 组里谁"). A neighbour that is any other word ("科技创新", "教育培训") makes it a topic.
_BESIDE_BEFORE = re.compile(r"^(?:和|跟|与|及|同|而|但|比|比起|还有|以及|或|或者|我们|俺们|咱们|我|问下|请问|问一下|查下|看下|那|那个|就是)$")
_BESIDE_AFTER = re.compile(r"^(?:和|跟|与|及|同|还有|以及|或|或者|这边|那边|这块|方面|呢|吗|的|谁|几|多|有|在|是|都|要|还|也|"
                           r"负责|牵头|配合|指标|任务|主要任务|组里|组|共同|一起|啥|什么|哪|分|能|需要|算|占|比|没|不|有|少|"
                           r"这?[两三四几]家|[两三四]个单位)")  # "公安和交通两家都有份的"
_ASKS_OF_UNIT = re.compile(r"几|多少|谁多|谁少|谁的|组里|成员|区别|不同|差别|共同|都有|一样|对比|比较")


def standalone_units(body: str, directory: UnitDirectory) -> list[UnitRef]:
    """Units named by a short form the tokenizer finds standing on its own in a question about
    units: "公安 跟 交通 共同的指标", "财政局和发改 谁指标多", "税务 几项".

    ``BARE`` reads a short name by the words right after it; this reads it by its words: the
    short form is one word of the question, and the words beside it are joining or question
    words, not a second content word that would make it a topic ("科技创新谁负责")."""
    if not (DUTY_WORD.search(body) or _ASKS_OF_UNIT.search(body)) or SEARCH.search(body):
        return []
    out: list[UnitRef] = []
    for piece in re.split(r"[\s,，。?？!！、;；:：]+", body):
        words = words_of(piece)
        for i, word in enumerate(words):
            ids = directory.forms.get(normalize(word)) if len(word) >= 2 else None
            if not ids or len(ids) != 1:
                continue
            before = words[i - 1] if i else ""
            after = words[i + 1] if i + 1 < len(words) else ""
            if (not before or _BESIDE_BEFORE.match(before)) and (not after or _BESIDE_AFTER.match(after)) \
                    and (ref := directory.units[next(iter(ids))]) not in out:
                out.append(ref)
    return out


def wants_of(text: str) -> str:
    task, ind = bool(TASK_WORD.search(text)), bool(INDICATOR_WORD.search(text))
    return "tasks" if task and not ind else "indicators" if ind and not task else "both"
