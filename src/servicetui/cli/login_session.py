"""What `servicetui serve --login` runs for each browser session: the officer's app behind the login
screen (servicetui.tui.web.login), on the database the server names. A process entry point, so it
lives with the command line, above the TUI."""

from __future__ import annotations

import argparse
import sys

from servicetui.cli.main import CliState, UserError, one_line
from servicetui.tui.web.login import login_app_class


def main(argv: list[str] | None = None) -> None:
    """`python -m servicetui.cli.login_session --db DB --lang zh|en [--today YYYY-MM-DD]`; what
    `servicetui serve --login` runs for each browser session."""
    parser = argparse.ArgumentParser(prog="python -m servicetui.cli.login_session", description=main.__doc__)
    parser.add_argument("--db", default=None)
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--today", default=None)
    args = parser.parse_args(argv)
    state = CliState(db=args.db, lang=args.lang, user=None)
    try:
        if args.today:
            from datetime import date

            state.today = date.fromisoformat(args.today)
        engine = state.ready_engine()
    except UserError as exc:
        print(f"servicetui: {exc.en if state.lang == 'en' else exc.zh}", file=sys.stderr)
        sys.exit(2)
    except ValueError as exc:
        print(f"servicetui: --today: {one_line(exc)}", file=sys.stderr)
        sys.exit(2)
    login_app_class()(engine, lang=state.lang, today=state.today).run()


if __name__ == "__main__":
    main()
