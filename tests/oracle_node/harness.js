'use strict';
// The Express oracle (tests/oracle_node.rs): load one app's entry module as node runs it, with
// an empty environment, and print as JSON what the real libraries made of it. `express` is a
// stub that records `app.set`/`app.enable`; the real express-session and connect-redis are
// wrapped to record their options; the real ioredis and node-redis clients are constructed, and
// their sockets are intercepted (recorded, never opened), so no network is used.
const Module = require('module');
const path = require('path');
const net = require('net');
const tls = require('tls');
const { Duplex } = require('stream');

const record = { trustProxy: [], sessions: [], stores: [], clients: [], sockets: [], errors: [] };
const modules = path.join(__dirname, 'node_modules');
const realLoad = Module._load;
const real = (name) => realLoad(require.resolve(name, { paths: [modules] }), null, false);

// The app's package.json picks the major version: `redis: ^5` loads the `redis-5` alias of
// package.json here when there is one, else the default version.
let wanted = {};
try {
  const manifest = JSON.parse(require('fs').readFileSync(path.join(process.cwd(), 'package.json'), 'utf8'));
  wanted = { ...manifest.devDependencies, ...manifest.dependencies };
} catch (_) {
  // No manifest: the default versions.
}
function pick(name) {
  const major = /(\d+)/.exec(wanted[name] || '');
  if (!major) return name;
  try {
    require.resolve(`${name}-${major[1]}`, { paths: [modules] });
    return `${name}-${major[1]}`;
  } catch (_) {
    return name;
  }
}

// A socket that never connects: writes are swallowed, 'connect' never comes.
function pendingSocket() {
  const s = new Duplex({ read() {}, write(_c, _e, cb) { cb(); } });
  for (const m of ['setNoDelay', 'setKeepAlive', 'setTimeout', 'ref', 'unref']) s[m] = () => s;
  s.connecting = true;
  return s;
}
function intercept(kind) {
  return (...args) => {
    const o = typeof args[0] === 'object' && args[0] !== null ? args[0] : { port: args[0], host: args[1] };
    record.sockets.push({ kind, host: o.host, port: o.port, path: o.path });
    return pendingSocket();
  };
}
net.connect = net.createConnection = intercept('tcp');
tls.connect = intercept('tls');

function cookieOf(c) {
  if (c === undefined || c === null) return null;
  return { secure: c.secure, httpOnly: c.httpOnly, sameSite: c.sameSite };
}

function expressStub() {
  const settings = {};
  const app = function () {};
  app.locals = {};
  app.set = (key, value) => {
    if (key === 'trust proxy') record.trustProxy.push(value);
    settings[key] = value;
    return proxy;
  };
  app.enable = (key) => app.set(key, true);
  app.disable = (key) => app.set(key, false);
  app.get = (key, ...rest) => (rest.length === 0 ? settings[key] : proxy);
  app.listen = () => ({ close() {}, on() {}, address() { return {}; } });
  const proxy = new Proxy(app, {
    get(target, prop) {
      if (prop in target || prop === '__esModule' || typeof prop === 'symbol') return target[prop];
      return () => proxy;
    },
  });
  return proxy;
}
// Not an ES module: TypeScript's `import express from 'express'` then takes the function itself.
const express = new Proxy(expressStub, {
  get(target, prop) {
    if (prop in target || prop === '__esModule' || typeof prop === 'symbol') return target[prop];
    return () => () => {};
  },
});

const realSession = real('express-session');
function session(options) {
  const o = options || {};
  record.sessions.push({
    hasStore: o.store !== undefined,
    secretType: Array.isArray(o.secret) ? 'array' : typeof o.secret,
    resave: o.resave,
    saveUninitialized: o.saveUninitialized,
    proxy: o.proxy,
    cookie: cookieOf(o.cookie),
  });
  return realSession(options);
}
Object.assign(session, realSession);

function recorded(Base) {
  return class RecordedStore extends Base {
    constructor(options) {
      super(options);
      record.stores.push({ prefix: this.prefix, ttl: this.ttl, disableTTL: this.disableTTL });
    }
  };
}
const realConnectRedis = real(pick('connect-redis'));
let connectRedis;
if (typeof realConnectRedis === 'function') {
  // connect-redis 6 and older: `require('connect-redis')(session)` makes the class.
  connectRedis = (sessionModule) => recorded(realConnectRedis(sessionModule));
} else {
  const RecordedStore = recorded(realConnectRedis.default || realConnectRedis.RedisStore);
  connectRedis = { ...realConnectRedis, RedisStore: RecordedStore };
  if (realConnectRedis.default) connectRedis.default = RecordedStore;
  Object.defineProperty(connectRedis, '__esModule', { value: true });
}

const ioredisModule = real(pick('ioredis'));
const RealIORedis = typeof ioredisModule === 'function' ? ioredisModule : ioredisModule.default;
class IORedis extends RealIORedis {
  constructor(...args) {
    super(...args);
    const o = this.options;
    record.clients.push({
      lib: 'ioredis',
      host: o.host, port: Number(o.port), path: o.path || null, tls: !!o.tls,
      password: o.password ?? null, username: o.username ?? null, db: Number(o.db || 0),
      sentinel: Array.isArray(o.sentinels),
    });
  }
}
for (const name of ['default', 'Redis']) {
  Object.defineProperty(IORedis, name, { value: IORedis, configurable: true });
}

const realRedis = real(pick('redis'));
function createClient(...args) {
  const client = realRedis.createClient(...args);
  const o = client.options || {};
  const socket = o.socket || {};
  record.clients.push({
    lib: 'node-redis',
    host: socket.host ?? 'localhost', port: Number(socket.port ?? 6379), path: socket.path ?? null,
    tls: !!socket.tls, password: o.password ?? null, username: o.username ?? null,
    db: Number(o.database ?? 0), sentinel: false,
  });
  return client;
}
const redis = new Proxy(realRedis, {
  get(target, prop) {
    return prop === 'createClient' ? createClient : target[prop];
  },
});

const stubs = {
  express, 'express-session': session, 'connect-redis': connectRedis, ioredis: IORedis, redis,
  dotenv: real('dotenv'),
};
Module._load = function load(request, parent, isMain) {
  if (Object.prototype.hasOwnProperty.call(stubs, request)) return stubs[request];
  if (request === 'dotenv/config') return stubs.dotenv.config();
  return realLoad.call(this, request, parent, isMain);
};

// TypeScript modules are compiled first, to CommonJS, as ts-node or tsc with esModuleInterop do.
const typescript = real('typescript');
require.extensions['.ts'] = (module, filename) => {
  const source = require('fs').readFileSync(filename, 'utf8');
  const { outputText } = typescript.transpileModule(source, {
    compilerOptions: {
      module: typescript.ModuleKind.CommonJS,
      target: typescript.ScriptTarget.ES2020,
      esModuleInterop: true,
    },
    fileName: filename,
  });
  module._compile(outputText, filename);
};

process.on('uncaughtException', (e) => record.errors.push(String(e && e.message)));
process.on('unhandledRejection', (e) => record.errors.push(String(e && e.message)));
// express-session's deprecation notices go to stderr; keep stdout for the record.
const entry = path.resolve(process.argv[2]);
if (entry.endsWith('.mjs')) {
  // ES modules: loader hooks resolve the stubbed packages to esm/*.mjs, which hand out the
  // objects above.
  globalThis.__redlineStubs = stubs;
  const { pathToFileURL } = require('url');
  Module.register('./esm/hooks.mjs', pathToFileURL(__filename));
  import(pathToFileURL(entry).href).catch((e) => record.errors.push(String(e && e.message)));
} else {
  try {
    require(entry);
  } catch (e) {
    record.errors.push(String(e && e.message));
  }
}
setTimeout(() => {
  process.stdout.write(JSON.stringify(record));
  process.exit(0);
}, 200);
