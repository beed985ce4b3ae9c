"""The structured store: what the campaign documents say and what units have done.

Nothing in this package imports ``telegram``; it takes and returns plain values so the bot,
the command line and the tests all use the same functions.
"""
