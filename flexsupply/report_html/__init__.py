"""Former path of ``flexsupply.report``, kept so that existing scripts still import."""

from flexsupply.report import *  # noqa: F403  (every public name, as the package lists them)
from flexsupply.report import __all__ as __all__
