"""The Woontoezicht server: store, API, commands and scheduled jobs."""
