"""Advance booking: slots, bookings, check-in at the kiosk or by staff, imports, figures."""
