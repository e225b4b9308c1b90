"""LINE Official Account: link a ticket to a citizen's LINE chat and push its notices."""
