"""The engine half of the reliability matrix (see cases.py)."""
