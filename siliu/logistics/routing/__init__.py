"""Vehicle routing for delivery rounds: one problem shape, one model builder (PyVRP), used by the
platform's daily round planning and by the ``siliu routing`` workbench alike."""
