"""The use cases: load, decide, save, commit, and return what to show. No Telegram here:
the handlers (and any other front door) drive these, and render what they return."""
