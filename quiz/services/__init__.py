"""State changes of the quiz app, one module per job."""
