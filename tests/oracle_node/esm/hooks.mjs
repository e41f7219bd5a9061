// ESM loader hooks of the Express oracle: the packages the harness stubs or wraps resolve to the
// modules of this folder, which hand out the harness's own objects (one record for CJS and ESM).
const STUBBED = {
  express: 'express.mjs',
  'express-session': 'express-session.mjs',
  'connect-redis': 'connect-redis.mjs',
  ioredis: 'ioredis.mjs',
  redis: 'redis.mjs',
  dotenv: 'dotenv.mjs',
  'dotenv/config': 'dotenv-config.mjs',
};

export async function resolve(specifier, context, next) {
  if (Object.prototype.hasOwnProperty.call(STUBBED, specifier)) {
    return { url: new URL(STUBBED[specifier], import.meta.url).href, shortCircuit: true };
  }
  return next(specifier, context);
}
