"""Solve methods beyond one engine call (the solve layer grows here)."""
