"""Queue use cases: each one write of the office unit of work (counter.unit_of_work).

Every write locks the office, runs the day rollover (registered here) if the business day has
changed, does its work, and appends TicketEvent rows with the office's next sequence numbers. Only
after the commit are the events published on the bus, so a rolled-back call is never shown.

The parts, one module each: `issue` (tickets and the walk-in rule), `calling` (calls and ticket
actions), `counters` (staff at counters), `printing` (the print outbox, printer states), `reads`,
`views` (tickets and lines as shown, with their waits), `waits` (the office's forecast),
`rollover` (the day end), `base` (the plumbing) and `shared`.
"""

from counter.service.base import installation_namespace
from counter.service.calling import CallingUseCases
from counter.service.issue import IssueUseCases, office_hours
from counter.service.printing import PrintUseCases
from counter.service.reads import QueueReads
from counter.service.shared import EVENT_KIND, PAUSE_REASONS, ticket_not_found
from counter.service.views import Issuing, ServiceQueue, TicketView
from counter.service.waits import counter_mix, counter_policy
from counter.unit_of_work import day_start, local_day


class QueueService(IssueUseCases, CallingUseCases, PrintUseCases, QueueReads):
    """The queue's use cases. Blocking database work runs in worker threads."""


__all__ = [
    "EVENT_KIND",
    "PAUSE_REASONS",
    "Issuing",
    "QueueService",
    "ServiceQueue",
    "TicketView",
    "counter_mix",
    "counter_policy",
    "day_start",
    "installation_namespace",
    "local_day",
    "office_hours",
    "ticket_not_found",
]
