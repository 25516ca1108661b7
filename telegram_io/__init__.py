"""The Telegram wire, shared by the handlers' replies and the delivery sender: one pacer
and the rate limiter PTB calls for every request. Below both, above the flows."""
