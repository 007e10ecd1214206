"""Real incidents as scenarios: a recorded window of metrics replayed, and the team's
recorded timeline as a ghost responder to compare with (``gameday import``)."""
