"""The `servicetui` command line (`cli.main`; one module per area of sub-commands)."""

from __future__ import annotations


def start() -> None:
    """The `servicetui` console script (and `python -m servicetui`).

    The cyclic garbage collector waits while the program starts. The start-up imports (click and
    Textual, then SQLAlchemy and the models in the app's opening worker) create a few hundred thousand
    long-lived objects and no garbage, and the collector's passes over them took 10–25 % of the time to
    the home list's rows. A sub-command turns it back on as it starts (`cli.main.cli`); the app does
    once its first screen is up (`ServiceApp.settle_memory`, after freezing what the start built)."""
    import gc

    gc.disable()
    from servicetui.cli.main import main as run

    run()
