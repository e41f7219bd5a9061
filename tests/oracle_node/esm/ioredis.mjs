const Redis = globalThis.__redlineStubs.ioredis;
export default Redis;
export { Redis };
export const Cluster = Redis.Cluster;
