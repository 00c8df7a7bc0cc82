"""The demo data of ``manage.py seed_demo``: people and places, then one story per workflow state, each built
through the workflow services and moved back to its demo dates. ``seeder.Seeder`` runs it all."""
