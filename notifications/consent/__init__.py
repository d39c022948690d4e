"""Consent (SPEC N-20): one append-only ledger, and the states the engine reads.

- `models`: the ledger (`ConsentRecord`) and the states kept in step with it —
  preferences, the suppression list, contact points' opt-in, STOPs;
- `ledger`: the only writer: one record and its state changes, in one transaction;
- `state`: what the engine and the pages ask — may this delivery go, what is
  each of a person's channels;
- `replay`: the ledger read again from the start, compared with the states;
- `export`: one person's ledger.

The engine asks `state` before planning and again before sending: a STOP that
arrives between the two wins. Keywords people text are read in
`notifications.feedback.keywords`; preferences and unsubscribe links in
`notifications.preferences`; bounces and manual suppressions in
`notifications.suppressions`. All of them write through `ledger`.
"""
