const redis = globalThis.__redlineStubs.redis;
export default redis;
export const createClient = redis.createClient;
export const createCluster = redis.createCluster;
