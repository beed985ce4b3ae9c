"""Time: phases, deadlines, Chinese working days, due reminders, their claims and sending (through
an ``Outbox``, ``reminders.outbox``), the weekly digest, 签收. Never imports telegram or jinja2."""
