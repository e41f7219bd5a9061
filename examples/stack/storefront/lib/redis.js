const { createClient } = require('redis');

const client = createClient({
  url: process.env.REDIS_URL || 'redis://redis-sessions:6379',
  password: process.env.REDIS_PASSWORD || 'YourStrongRedisPassword123!',
  db: 2,
});
client.connect().catch(console.error);

module.exports = { client };
