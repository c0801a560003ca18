"""The top floor: demo data for `scripts/serve` (seed_demo), built through every app's
services. Nothing imports it."""
