const session = globalThis.__redlineStubs['express-session'];
export default session;
export const { Store, MemoryStore, Cookie, Session } = session;
