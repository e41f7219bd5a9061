const dotenv = globalThis.__redlineStubs.dotenv;
export default dotenv;
export const config = dotenv.config;
