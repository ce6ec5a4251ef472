"""servicetui — a keyboard-driven desk for county chief service officers (首席服务官)."""

__version__ = "0.1.0"
