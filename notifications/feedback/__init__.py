"""What providers tell us after sending (SPEC N-7, C-2), all in one place.

- `status`: a provider's word on one message moves its delivery forward;
- `email`: anymail's tracking signal (delivered, opened, bounced, complained);
- `views`: Twilio's signed callbacks, message and call status, and inbound SMS;
- `keywords`: what people text back (STOP, START, OUI/NON, AIDE).

Bounces, complaints and STOP feed the suppression list (`notifications.suppressions`).
"""
