"""``python -m scheduler``: the command line (see scheduler/cli.py)."""

from scheduler.cli import main

raise SystemExit(main())
