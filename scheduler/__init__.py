"""The application core: settings, database, services, outbox, periodic jobs and the CLI."""
