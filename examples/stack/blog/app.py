import redis
from flask import Flask
from flask_session import Session

from config import Config

app = Flask(__name__)
app.config.from_object(Config)
app.config["SESSION_REDIS"] = redis.Redis(
    host="redis-sessions", port=6379, db=0, password="foobared"
)
Session(app)
