"""The WeCom (企业微信 / 政务微信) wire: its callback encryption and the callbacks it posts,
checked before anything else reads them. Knows nothing of campaigns or Telegram."""
