"""`python -m server`: the `woontoezicht` command (how the demo starts its scheduler as a child process)."""

from server.cli import main

main()
