"""Former path of ``flexsupply.scenario.overrides``, kept so that existing scripts still import."""

from flexsupply.scenario.overrides import Override, apply_overrides, load_with_overrides

__all__ = ["Override", "apply_overrides", "load_with_overrides"]
