"""The admin's badge colours: unfold's label variants for the colour names of the choices modules."""

# Badge variants of unfold's label helper for the colour names used in the choices modules.
BADGE_VARIANTS = {
    "blue": "info",
    "indigo": "primary",
    "purple": "primary",
    "amber": "warning",
    "green": "success",
    "teal": "success",
    "red": "danger",
    "grey": "default",
}
