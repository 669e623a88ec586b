import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import request from 'supertest';
import { runCli } from '../../src/cli/main';
import { loadConfig } from '../../src/config';
import { canvasDeveloperKey, moodleToolSettings } from '../../src/lti';
import { toolRegistrationRequest } from '../../src/lti/registration';
import { harness } from '../helpers/harness';

const SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
];

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdin: Readable.from([]), out: (l) => out.push(l), err: (l) => err.push(l) }, { NODE_ENV: 'test' });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

type CanvasKey = ReturnType<typeof canvasDeveloperKey>;

describe('Registration manifests (Canvas developer key, Moodle tool settings)', () => {
  it('when `manifest write` runs for a public URL, then the Canvas JSON points every URL at that tool', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'accrue-manifest-'));
    try {
      const r = await cli(['manifest', 'write', '--public-url', 'https://ce.example.edu/accrue/', '--out', out]);
      expect(r.code, r.err).to.equal(0);
      expect(r.out).to.contain(path.join(out, 'canvas-developer-key.json')).and.contain(path.join(out, 'moodle-tool-settings.md'));
      const key = JSON.parse(fs.readFileSync(path.join(out, 'canvas-developer-key.json'), 'utf8')) as CanvasKey;
      expect(key).to.include({
        title: 'Accrue',
        oidc_initiation_url: 'https://ce.example.edu/accrue/lti/login',
        target_link_uri: 'https://ce.example.edu/accrue/lti/launch',
        public_jwk_url: 'https://ce.example.edu/accrue/lti/keys',
      });
      expect(key.description).to.be.a('string').that.is.not.empty;
      expect(key.scopes).to.have.members(SCOPES);
      const ext = key.extensions[0]!;
      expect(ext).to.include({ platform: 'canvas.instructure.com', domain: 'ce.example.edu', privacy_level: 'public' });
      const placements = Object.fromEntries(ext.settings.placements.map((p) => [p.placement, p]));
      expect(Object.keys(placements)).to.have.members(['course_navigation', 'assignment_selection', 'link_selection']);
      expect(placements.course_navigation!.message_type).to.equal('LtiResourceLinkRequest');
      expect(placements.assignment_selection!.message_type).to.equal('LtiDeepLinkingRequest');
      expect(placements.link_selection!.message_type).to.equal('LtiDeepLinkingRequest');
      for (const p of ext.settings.placements) expect(p.target_link_uri).to.equal('https://ce.example.edu/accrue/lti/launch');
      expect(key.custom_fields).to.be.an('object').that.is.not.empty;

      const moodle = fs.readFileSync(path.join(out, 'moodle-tool-settings.md'), 'utf8');
      for (const line of [
        '| LTI version | LTI 1.3 |', '| Public key type | Keyset URL |',
        '| Public keyset | https://ce.example.edu/accrue/lti/keys |', '| Initiate login URL | https://ce.example.edu/accrue/lti/login |',
        '| Redirection URI(s) | https://ce.example.edu/accrue/lti/launch |', '| Tool URL | https://ce.example.edu/accrue/lti/launch |',
        '| IMS LTI Assignment and Grade Services | Use this service for grade sync and column management |',
        'IMS LTI Names and Role Provisioning', 'Share launcher\'s name with tool', 'https://ce.example.edu/accrue/lti/register',
      ]) expect(moodle).to.contain(line);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('when the public URL given is not an http(s) URL, then `manifest write` exits 2 and writes nothing', async () => {
    const out = path.join(os.tmpdir(), `accrue-manifest-none-${process.pid}-${Date.now()}`);
    const r = await cli(['manifest', 'write', '--public-url', 'accrue.example.edu', '--out', out]);
    expect(r.code).to.equal(2);
    expect(r.err).to.contain('--public-url must be an http(s) URL');
    expect(fs.existsSync(out)).to.equal(false);
  });

  it('when the manifests are compared with dynamic registration, then both give platforms the same endpoints and scopes', () => {
    const tool = { publicUrl: 'https://accrue.example.edu', name: 'Accrue', description: 'CE credit' };
    const key = canvasDeveloperKey(tool);
    const dr = toolRegistrationRequest({ ...tool, autoActivate: false }, undefined);
    expect(key.oidc_initiation_url).to.equal(dr.initiate_login_uri);
    expect(key.public_jwk_url).to.equal(dr.jwks_uri);
    expect(dr.redirect_uris).to.include(key.target_link_uri);
    expect(dr.scope.split(' ')).to.have.members(key.scopes);
  });

  it('when the committed manifest/ files are compared with the generator for https://accrue.example.edu, then they are identical', () => {
    const config = loadConfig({ env: {} });
    const tool = { publicUrl: 'https://accrue.example.edu', name: config.toolName, description: config.toolDescription };
    const dir = path.resolve(__dirname, '..', '..', 'manifest');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'canvas-developer-key.json'), 'utf8'))).to.deep.equal(canvasDeveloperKey(tool));
    expect(fs.readFileSync(path.join(dir, 'moodle-tool-settings.md'), 'utf8')).to.equal(moodleToolSettings(tool));
  });

  it('when the manifest is generated for the running instance, then its URLs are served: keyset, login initiation, launch', async () => {
    const { accrue } = harness();
    const key = canvasDeveloperKey({ publicUrl: accrue.url, name: 'Accrue', description: '' });
    const jwks = await request(key.public_jwk_url).get('');
    expect(jwks.status).to.equal(200);
    expect((jwks.body as { keys: unknown[] }).keys).to.be.an('array').that.is.not.empty;
    // A login initiation without parameters is refused as such (not a 404), and a GET on the launch says it needs a POST.
    const login = await request(key.oidc_initiation_url).get('');
    expect(login.status).to.equal(400);
    expect(login.text).to.contain('MISSING_ISS');
    const launch = await request(key.target_link_uri).get('');
    expect(launch.status).to.equal(405);
    expect(launch.text).to.contain('LAUNCH_NEEDS_POST');
  });
});
