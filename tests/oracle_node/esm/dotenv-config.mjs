globalThis.__redlineStubs.dotenv.config();
