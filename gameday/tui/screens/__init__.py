"""Screens: the main tabletop, help, debrief, facilitator menu, role picker, quit dialog."""
