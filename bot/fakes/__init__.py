"""Local stand-ins for Telegram, so nothing here needs the network.

They serve the tests, the benchmarks and ``liaison-bot chat``: ``api`` is an in-process Bot
API (``LocalBotApi``, and ``LocalRequest`` to plug it into python-telegram-bot), ``server``
serves it over HTTP on 127.0.0.1 for the real polling loop, ``console`` is the terminal chat,
``html`` checks messages against Telegram's HTML rules.
"""
