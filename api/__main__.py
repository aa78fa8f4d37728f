"""``python -m api``: the command line (see api/cli.py; installed as ``thotis``)."""

from api.cli import main

raise SystemExit(main())
