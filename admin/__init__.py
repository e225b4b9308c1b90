"""Administration of an office: everything it configures, without touching the database."""
