"""Ticket taking: the kiosk pages and the ticket-issuing API."""
