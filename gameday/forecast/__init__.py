"""A month of on-call: background incidents and noise through real rules, routing and schedules."""

from gameday.forecast.episodes import Episode, generate_episodes
from gameday.forecast.model import ForecastResult, forecast

__all__ = ["Episode", "ForecastResult", "forecast", "generate_episodes"]
