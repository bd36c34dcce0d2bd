#!/usr/bin/env python
"""Django's command-line utility; `siliu` (installed in .venv/bin) does the same."""

from siliu.cli import main

if __name__ == "__main__":
    main()
