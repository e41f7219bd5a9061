const connectRedis = globalThis.__redlineStubs['connect-redis'];
export default connectRedis.default;
export const RedisStore = connectRedis.RedisStore;
