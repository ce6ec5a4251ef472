"""servicetui in a browser: `servicetui serve` runs the same Textual app behind textual-serve.

    server.py       ServiceServer — textual-serve's Server with our page (no outside URL at all,
                    a local CJK-capable monospace font stack) and a Content-Security-Policy that
                    keeps it so
    login.py        the app behind a "who are you" screen (`servicetui serve --login` runs it per
                    session through `python -m servicetui.cli.login_session`)
    uploads.py      an import's file from the officer's computer: the upload box a session makes,
                    the rules the server's /servicetui/upload/<token> applies
    templates/      the page (app_index.html, with the upload dialog)
    static/         its stylesheet

Nothing here imports Textual at import time (tests/test_import_hygiene.py).
"""
