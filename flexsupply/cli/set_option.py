"""The ``--set PATH=VALUE`` option's help, shared by commands that read a scenario.

Kept apart from ``solver_flags.py`` so that ``validate`` imports no solver code (and so no
numpy); ``solver_flags`` re-exports it.
"""

SET_HELP = (
    "Override a scenario field, PATH=VALUE (repeatable); list items by id or index, "
    "e.g. suppliers.QR-HZ.moq=50 or presale.deposit_share=0.2."
)
