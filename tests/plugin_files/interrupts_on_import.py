"""A policy file that raises KeyboardInterrupt while it is imported (a plugin's bug, not the
user's Ctrl-C): it must be reported as a broken policy file, exit 2, not as an interrupt."""

raise KeyboardInterrupt
