import os


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "change-me")
    SESSION_TYPE = "redis"
    SESSION_REDIS_URL = "redis://redis-sessions:6379/0"
    SESSION_COOKIE_SECURE = os.getenv("SESSION_COOKIE_SECURE", "True")
