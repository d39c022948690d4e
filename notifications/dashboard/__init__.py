"""The back office's home: what needs attention at a glance (SPEC P-4).

`models` holds the tally the database keeps of the delivery log (migration 0021),
`figures` reads it into the dashboard's numbers, each with the delivery log's filter
naming exactly the rows it counts, `charts` draws them and `machinery` says whether
beat, the relay and the workers are alive.
"""
