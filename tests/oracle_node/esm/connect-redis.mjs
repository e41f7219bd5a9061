const connectRedis = globalThis.__redlineStubs['connect-redis'];
export default connectRedis.default ?? connectRedis;
export const RedisStore = connectRedis.RedisStore;
