"""``python -m bot`` is ``minegnk-bot``."""

from bot.cli import main

raise SystemExit(main())
