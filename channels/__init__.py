"""Faces beside Telegram's (``handlers/``): each turns its channel's frames into the same core calls."""
