"""The catalogue of stamp issues: ``services`` add an issue (checked, with its picture: an upload or a
placeholder drawn by ``placeholder``), ``selectors`` list them; ``views``, ``api`` serve them."""
