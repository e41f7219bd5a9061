import os

DEBUG = os.environ.get("DEBUG", "") == "1"

SESSION_ENGINE = "django.contrib.sessions.backends.cache"

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://redis-sessions:6379/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True},
    },
}

SESSION_COOKIE_HTTPONLY = False
