import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { CONFIG_DOCS, ConfigError, loadConfig, type Config } from '../src/config';

const SECRET = 'a-production-secret-of-at-least-32-chars';

/** The ConfigError loadConfig throws for this environment (fails the test when it does not throw). */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig({ env });
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('Configuration (src/config.ts)', () => {
  describe('defaults', () => {
    it('when no variable is set, then every key has its documented default and Accrue runs on embedded PGlite', () => {
      const c = loadConfig({ env: {} });
      expect(c).to.deep.include({
        port: 3000, publicUrl: 'http://localhost:3000', databaseUrl: '', dbPoolSize: 10, env: 'development', logLevel: 'info',
        secret: '', sandbox: true, autoActivatePlatforms: true, clockSkewSeconds: 60, idTokenMaxAgeSeconds: 300,
        stateTtlSeconds: 600, sessionTtlMinutes: 60, maxIdTokenBytes: 16384, corsOrigins: [], frameAncestors: [], toolName: 'Accrue',
      });
      expect(c.dataDir).to.equal(path.resolve('data'));
      expect(path.isAbsolute(c.dataDir)).to.equal(true);
    });

    it('when NODE_ENV is test, then config/test.json applies on top (any free port, silent logs)', () => {
      const c = loadConfig({ env: { NODE_ENV: 'test' } });
      expect(c).to.include({ env: 'test', port: 0, logLevel: 'silent', publicUrl: 'http://localhost:0' });
    });

    it('when a variable is set, then it wins over the files; an empty one is ignored; explicit overrides win over both', () => {
      const c = loadConfig({ env: { PORT: '8080', PUBLIC_URL: 'https://ce.example.edu/accrue/', CORS_ORIGINS: 'https://a.example, https://b.example', DB_POOL_SIZE: '', SANDBOX: 'false' } });
      expect(c).to.deep.include({ port: 8080, publicUrl: 'https://ce.example.edu/accrue', corsOrigins: ['https://a.example', 'https://b.example'], dbPoolSize: 10, sandbox: false });
      expect(loadConfig({ env: { PORT: '8080' }, overrides: { port: 9090 } }).port).to.equal(9090);
    });

    it('when a key is documented, then it has an environment variable, a doc line and a default in config/default.json', () => {
      const defaults = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
      const keys = Object.keys(loadConfig({ env: {} })) as (keyof Config)[];
      for (const key of keys) {
        expect(CONFIG_DOCS[key], key).to.exist;
        expect(CONFIG_DOCS[key].env, key).to.match(/^[A-Z][A-Z0-9_]+$/);
        expect(CONFIG_DOCS[key].doc.length, key).to.be.greaterThan(10);
        expect(defaults, key).to.have.property(key);
      }
    });
  });

  describe('bad values stop the start with a message naming the variable', () => {
    it('when PORT is not a port number, then the error names PORT', () => {
      expect(configError({ PORT: 'eighty' }).message).to.contain('PORT:');
      expect(configError({ PORT: '70000' }).message).to.contain('PORT:');
      expect(configError({ PORT: '-1' }).message).to.contain('PORT:');
    });

    it('when DATABASE_URL is not a postgres:// URL, then the error names DATABASE_URL', () => {
      expect(configError({ DATABASE_URL: 'mysql://db.example.edu/accrue' }).message).to.contain('DATABASE_URL: must start with postgres://');
    });

    it('when LTI_TOOL_KEY_BITS is not 2048, 3072 or 4096, or a REGISTRATION_ENDPOINT_HOSTS entry is not a host name, then the error names it', () => {
      expect(configError({ LTI_TOOL_KEY_BITS: '1024' }).message).to.contain('LTI_TOOL_KEY_BITS:');
      expect(configError({ REGISTRATION_ENDPOINT_HOSTS: 'https://reg.example.net/path' }).message).to.contain('REGISTRATION_ENDPOINT_HOSTS:');
    });

    it('when several values are bad, then every one is listed', () => {
      const message = configError({ PORT: 'x', LOG_LEVEL: 'chatty', SANDBOX: 'yes', PUBLIC_URL: 'ftp://x.example' }).message;
      for (const name of ['PORT:', 'LOG_LEVEL:', 'SANDBOX:', 'PUBLIC_URL:']) expect(message).to.contain(name);
    });

    it('when ACCRUE_SECRET is shorter than 32 characters, then the error names ACCRUE_SECRET', () => {
      expect(configError({ ACCRUE_SECRET: 'short' }).message).to.contain('ACCRUE_SECRET: must be at least 32 characters');
    });
  });

  describe('production', () => {
    it('when production runs without ACCRUE_SECRET, then it refuses to start, naming ACCRUE_SECRET', () => {
      const message = configError({ NODE_ENV: 'production', PUBLIC_URL: 'https://ce.example.edu', DATABASE_URL: 'postgres://db/accrue' }).message;
      expect(message).to.contain('ACCRUE_SECRET: required in production');
      expect(message).to.not.contain('PUBLIC_URL');
    });

    it('when production has an http or no PUBLIC_URL, then it refuses to start, naming PUBLIC_URL', () => {
      expect(configError({ NODE_ENV: 'production', ACCRUE_SECRET: SECRET, PUBLIC_URL: 'http://ce.example.edu' }).message).to.contain('PUBLIC_URL: required in production, and must be https://');
      expect(configError({ NODE_ENV: 'production', ACCRUE_SECRET: SECRET }).message).to.contain('PUBLIC_URL');
    });

    it('when production is configured, then the sandbox and platform auto-activation are off whatever the variables say', () => {
      const c = loadConfig({ env: { NODE_ENV: 'production', ACCRUE_SECRET: SECRET, PUBLIC_URL: 'https://ce.example.edu', SANDBOX: 'true', AUTO_ACTIVATE_PLATFORMS: 'true' } });
      expect(c).to.include({ env: 'production', sandbox: false, autoActivatePlatforms: false, secret: SECRET, publicUrl: 'https://ce.example.edu' });
    });
  });
});
