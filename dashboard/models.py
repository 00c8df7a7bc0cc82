"""The dashboard keeps no tables of its own: its figures are computed from the workflow's tables
(``dashboard.stats``) and kept in the shared cache (``dashboard.overview``)."""
