"""Everything else: unknown commands, stickers and media without a purpose, edited messages."""

from __future__ import annotations

from telegram import Chat, Update

from bot.context import BotContext
from bot.render import render
from handlers.ask import addressed_to_bot
from handlers.common import respond


async def unknown_command(update: Update, context: BotContext) -> None:
    """An unknown command: say which ones exist (in groups only when it was meant for us)."""
    message = update.effective_message
    text = message.text or ""
    command = text.split()[0] if text else ""
    if message.chat.type != Chat.PRIVATE and "@" in command and not command.lower().endswith(
            "@" + (context.bot.username or "").lower()):
        return  # a command for another bot
    await respond(update, render("unknown_command", command=command.split("@")[0]))


async def other_message(update: Update, context: BotContext) -> None:
    """Stickers, voice, locations …: in private, explain what the bot understands."""
    if update.effective_chat.type == Chat.PRIVATE or addressed_to_bot(update, context.bot.username):
        await respond(update, render("not_understood"))
