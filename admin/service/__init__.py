"""Admin use cases: one write transaction each, audit-logged in that same transaction.

Every change locks the office row first (as the queue does), so configuration and calls never
interleave half-way; a change the screens show (office, services, counters) also publishes an
`office.updated` event with the office's next sequence number after the commit.

The parts, one module each: `offices` (settings, holidays, targets, province accounts),
`services`, `counters`, `staff`, `devices`, `auditlog`, `configuration` (files in and out),
`base` (the plumbing) and `shared`.
"""

from admin.service.auditlog import AuditLogReads
from admin.service.configuration import ConfigurationUseCases
from admin.service.counters import CounterUseCases
from admin.service.devices import DeviceUseCases
from admin.service.offices import OfficeUseCases
from admin.service.services import ServiceUseCases
from admin.service.staff import StaffUseCases


class AdminService(
    OfficeUseCases,
    ServiceUseCases,
    CounterUseCases,
    StaffUseCases,
    DeviceUseCases,
    AuditLogReads,
    ConfigurationUseCases,
):
    """The admin's use cases, for the admin pages, the admin API and the command line."""


__all__ = ["AdminService"]
