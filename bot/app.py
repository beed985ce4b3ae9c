"""The one place the application is assembled, so tests build exactly what production runs.

Handler order matters: python-telegram-bot tries groups in ascending order and, within a
group, the first matching handler wins. The order below is commented where it matters.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from sqlmodel import select
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Update,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import outbox
from bot.context import BotContext, Services
from bot.housekeeping import SWEEP_EVERY, SWEEP_FIRST, sweep_job
from bot.inbox import ChatOrderedProcessor, DurableQueue
from bot.settings import Settings
from bot.store import open_store
from handlers import (
    ask,
    captions,
    chats,
    errors,
    fallback,
    figures,
    office,
    registration,
    review,
    schedule,
    submit,
)
from knowledge import chats as bindings
from knowledge import lexicon
from knowledge.clock import Clock, SystemClock
from knowledge.models import Campaign
from knowledge.search_index import index_of

log = logging.getLogger(__name__)

PRIVATE_COMMANDS = [
    ("my", "本单位负责的指标和任务"), ("unit", "某个单位的指标和任务,如 /unit 发改委"),
    ("ind", "某项指标的要求,如 /ind 12"), ("find", "按主题查找,如 /find 跨境电商"),
    ("phase", "实施阶段和时间"), ("submit", "提交佐证材料"), ("status", "本单位材料提交情况"),
    ("withdraw", "撤回未审核的材料,如 /withdraw 15"), ("figure", "填写定量指标的数据"),
    ("score", "按已填数据计算得分,如 /score 1"), ("reminders", "本单位近期提醒"),
    ("mute", "暂停私信提醒,如 /mute 7"), ("start", "登记为联络员"), ("help", "使用说明"),
]
GROUP_COMMANDS = [c for c in PRIVATE_COMMANDS if c[0] != "start"] + [("setup", "绑定本群(办公室管理员)")]
OFFICE_COMMANDS = GROUP_COMMANDS + [("review", "待审核材料"), ("pause", "暂停全部提醒"), ("resume", "恢复提醒"),
                                    ("due", "设置某项指标的截止日期"), ("acks", "提醒签收情况"),
                                    ("digest", "本周进度周报"), ("export", "导出台账和佐证材料包"), ("bind", "回复某人消息:登记为某单位联络员"), ("revoke", "回复某人消息:撤销登记")]


async def post_init(app: Application) -> None:
    """Before updates flow: take up what a stopped process left (updates stored but unfinished,
    messages being sent), learn the bot's username, publish the command menus per scope."""
    services: Services = app.bot_data["services"]
    if isinstance(app.update_queue, DurableQueue):
        app.update_queue.replay(app)
    outbox.reclaim(services)
    services.bot_username = app.bot.username or ""
    warm_up(services)
    try:
        await app.bot.set_my_commands([BotCommand(*c) for c in PRIVATE_COMMANDS],
                                      scope=BotCommandScopeAllPrivateChats())
        await app.bot.set_my_commands([BotCommand(*c) for c in GROUP_COMMANDS],
                                      scope=BotCommandScopeAllGroupChats())
        with services.session() as session:
            offices = [c for c in bindings.all_office_chats(session=session) if c.channel == outbox.TelegramOutbox.channel]
        for chat in offices:
            await app.bot.set_my_commands([BotCommand(*c) for c in OFFICE_COMMANDS],
                                          scope=BotCommandScopeChat(chat.chat_id))
    except Exception:  # menus are a convenience; never block start-up on them
        log.warning("could not set the command menus", exc_info=True)


def warm_up(services: Services) -> None:
    """Build each campaign's lexicon and search index and load the pinyin tables now (about 1–1.5 s
    in all, measured in ``benchmarks/search_cost.py``), not on the first officer's question."""
    try:
        with services.session() as session:
            for camp in session.exec(select(Campaign)):
                services.directory(session, camp)  # the units and the plan's lexicon
                index_of(session, camp)
        lexicon.warm()
    except Exception:  # a slower first answer is better than no start
        log.warning("could not prepare the question path at start", exc_info=True)


def build_application(settings: Settings, *, engine: Engine | None = None, clock: Clock | None = None,
                      request: BaseRequest | None = None, get_updates_request: BaseRequest | None = None,
                      rate_limit: bool = True, reminders: bool = True) -> Application:
    """Assemble handlers, services, the durable inbox, rate limiter and error handler for ``settings``."""
    token = settings.token or "0:LOCAL"
    services = Services(settings=settings, engine=engine or open_store(settings), clock=clock or SystemClock())
    queue = DurableQueue(services)
    builder = (ApplicationBuilder().token(token)
               .base_url(settings.telegram_base_url).base_file_url(settings.telegram_base_file_url)
               .context_types(ContextTypes(context=BotContext))
               .defaults(Defaults(parse_mode="HTML"))
               .update_queue(queue).concurrent_updates(ChatOrderedProcessor(services))
               .post_init(post_init))
    if request is not None:
        builder = builder.request(request).get_updates_request(get_updates_request or request)
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.build()
    app.bot_data["services"] = services

    # Group 0: status updates first, so a migration is recorded before anything else runs.
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, chats.migrated))
    # Edited messages and channel posts are not questions; they fall through to nothing.
    # Callback buttons, most specific prefixes first.
    app.add_handler(CallbackQueryHandler(registration.registration_button, pattern=r"^reg:[cpu]:\d+(:\d+)?$"))
    app.add_handler(CallbackQueryHandler(registration.approval_button, pattern=r"^apv:\d+:[01]$"))
    app.add_handler(CallbackQueryHandler(chats.setup_button, pattern=r"^setup:\d+:[lo]$"))
    app.add_handler(CallbackQueryHandler(ask.open_button, pattern=r"^[iut]:\d+:\d+$"))
    # "查看全部成员 / 完整时间表 / 指标体系" under a short reply; a word it no longer knows is stale.
    app.add_handler(CallbackQueryHandler(ask.open_button, pattern=r"^m:\d+:[a-z]+$"))
    app.add_handler(CallbackQueryHandler(submit.submit_button, pattern=r"^sb:(p|i|t|ok|x):\d+(:\d+){0,2}$"))
    app.add_handler(CallbackQueryHandler(review.review_button, pattern=r"^rv:\d+:[apr]$"))
    app.add_handler(CallbackQueryHandler(schedule.ack_button, pattern=r"^ack:\d+$"))
    # Commands (only in messages, not edits).
    msgs = filters.UpdateType.MESSAGE
    for name, callback in (("start", registration.start), ("help", ask.help_command),
                           ("my", ask.question_command), ("unit", ask.question_command),
                           ("ind", ask.question_command), ("find", ask.question_command),
                           ("phase", _phase), ("setup", chats.setup),
                           ("bind", chats.bind), ("revoke", chats.revoke),
                           ("submit", submit.submit_command), ("review", review.review_command),
                           ("status", ask.question_command), ("withdraw", review.withdraw_command),
                           ("figure", figures.figure_command), ("score", figures.score_command),
                           ("reminders", schedule.reminders_command), ("mute", schedule.mute_command),
                           ("pause", schedule.pause_command), ("resume", schedule.pause_command),
                           ("due", schedule.due_command), ("acks", schedule.acks_command),
                           ("digest", office.digest_command), ("export", office.export_command)):
        app.add_handler(CommandHandler(name, callback, filters=msgs))
    app.add_handler(MessageHandler(msgs & filters.COMMAND, fallback.unknown_command))
    # Files and photos are evidence (captioned "#12 …", or inside a /submit flow).
    app.add_handler(MessageHandler(msgs & (filters.Document.ALL | filters.PHOTO), captions.captioned_file))
    # Text: a reply to a review prompt, then a /submit flow, then registration, then a question.
    app.add_handler(MessageHandler(msgs & filters.TEXT, _text))
    # Anything else addressed to us (stickers, voice …) gets a hint.
    app.add_handler(MessageHandler(msgs & ~filters.StatusUpdate.ALL, fallback.other_message))
    app.add_error_handler(errors.on_error)
    _schedule(app, reminders)
    return app


def _schedule(app: Application, reminders: bool) -> None:
    """The repeating jobs: reminders and digests due (rows in the database, not jobs), the daily
    sweep of unreferenced files, and a pass over the outbox for receipts, cards and reminders
    whose first attempt failed."""
    if app.job_queue is None:
        return
    if reminders:
        app.job_queue.run_repeating(outbox.tick, interval=60, first=5, name="reminders")
        app.job_queue.run_repeating(sweep_job, interval=SWEEP_EVERY, first=SWEEP_FIRST, name="files-sweep")
    app.job_queue.run_repeating(outbox.pass_over, interval=outbox.FLUSH_EVERY, first=1, name="outbox")


async def _phase(update: Update, context: BotContext) -> None:
    """/phase shows the timeline; /phase set|shift changes it (office)."""
    if (context.args or [""])[0] in ("set", "shift"):
        await schedule.phase_admin(update, context)
    else:
        await ask.question_command(update, context)


async def _text(update: Update, context: BotContext) -> None:
    """Route a text message to the first feature that claims it."""
    if await review.review_reply(update, context):
        return
    private = update.effective_chat.type == "private"
    # A /submit flow takes notes and links in private, and in the group when addressed to the bot.
    if (private or ask.addressed_to_bot(update, context.bot.username)) and await submit.collect(update, context):
        return
    if private and await registration.typed_unit(update, context):
        return
    await ask.free_text(update, context)
