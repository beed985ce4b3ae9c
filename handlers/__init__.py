"""The Telegram face: thin handlers that parse an update, call the core, render and reply."""
