"""A month of on-call: background incidents and noise through real routing and schedules."""

from gameday.forecast.model import Episode, ForecastResult, forecast, generate_episodes

__all__ = ["Episode", "ForecastResult", "forecast", "generate_episodes"]
