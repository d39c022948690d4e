"""Messengers and per-organisation integrations (SPEC C-6, N-12).

- `models`: each organisation's connected providers (`Integration`, secrets encrypted at
  rest by `vault`), linked Telegram chats and their one-time link tokens, WhatsApp's
  approved templates and the 24-hour windows that inbound messages open;
- `integrations`: which bot or Twilio account serves an organisation (its own, else the
  platform's settings) and whether a channel is connected at all;
- `telegram_api`: the Bot API, over one requests session;
- `linking`: the portal's deep link and the bot's answer to it;
- `chat_links`: WhatsApp and Viber "open the chat" links for manual messages.

The channels themselves are `notifications.channels.telegram` and `.whatsapp`.
"""
