"""Time: phases, deadlines, Chinese working days, due reminders. Never imports telegram."""
