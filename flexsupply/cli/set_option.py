"""The ``--set PATH=VALUE`` option's help, shared by commands that read a scenario.

Kept apart from ``solve.py`` so that ``validate`` imports no solver code (and so no numpy).
"""

SET_HELP = (
    "Override a scenario field, PATH=VALUE (repeatable); list items by id or index, "
    "e.g. suppliers.HZ-QUICK.moq=50 or presale.deposit_share=0.2."
)
