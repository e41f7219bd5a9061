// The storefront's sessions, moved to Redis by following the same guide as the PHP side.
require('dotenv').config();
const express = require('express');
const session = require('express-session');
const RedisStore = require('connect-redis').default;
const { client } = require('./lib/redis');

const app = express();
app.use(
  session({
    store: new RedisStore({ client }),
    secret: process.env.SESSION_SECRET || 'keyboard cat',
    cookie: { maxAge: 24 * 60 * 60 * 1000 },
  }),
);

app.get('/', (req, res) => {
  req.session.views = (req.session.views || 0) + 1;
  res.send(`views: ${req.session.views}`);
});

app.listen(3000);
