"""What the Thotis team reads and does, one module a concept, imported by name
(``from scheduler.staff import reports``):

- ``moderation``: reported bookings, blocked addresses, the audit trail; ``trail``: its names
- ``reports``: the booking ledger and the statistics; ``insights``: weekly counts, utilisation,
  each mentor's connection health
- ``questions``: the visitors' questions as staff read them
- ``themes`` (pure grouping) and ``scrub`` (pure scrubbing); ``theme_computation``: the job
  that stores the themes; ``question_themes``: their reads and approval; ``question_dataset``:
  the anonymised JSONL of them
- ``privacy``: find, export or erase what is held for an address; ``privacy_requests``: a
  visitor's own request, confirmed by a mailed link
- ``models``: the domain's tables
"""
