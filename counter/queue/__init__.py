"""The pure queue domain: ticket states, ordering policy, numbering, errors. No I/O, no clock."""
