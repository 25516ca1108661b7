"""The WeCom front door: WeCom's callbacks into the bot, answered over the same flows as the
Telegram handlers, through WeCom's API. Beside the handlers, above the flows."""
