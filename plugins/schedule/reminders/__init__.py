"""The reminder engine: reminder rows kept in step with schedules, and their exactly-once delivery."""
