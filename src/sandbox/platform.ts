/**
 * A small but real LTI 1.3 platform: OIDC authorization endpoint (form_post), JWKS, OAuth2 client-credentials
 * token endpoint (private_key_jwt, checked against the tool's JWKS), AGS line items and scores, NRPS, deep-linking
 * return and dynamic-registration endpoints. It powers the sandbox LMS outside production and is the platform
 * that tests launch from. Its key and the scores it receives are kept in the database (sandbox_* tables).
 */
import crypto from 'node:crypto';
import express, { Router, type Request } from 'express';
import { createRemoteJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import type { Db } from '../db';
import { embedRouter, STORAGE_FRAME_NAME, type StorageMode } from './embed';

export interface PlatformOptions {
  db: Db;
  /** Issuer and base URL of the platform's endpoints (where its router is mounted). */
  issuer: string;
  clientId: string;
  deploymentId: string;
  tool: { loginUrl: string; launchUrl: string; jwksUrl: string };
  name?: string;
  /** Bearer token the registration endpoint requires (LTI Dynamic Registration); absent = no registration endpoint. */
  registrationToken?: string;
}

export interface LaunchScenario {
  sub: string;
  name?: string;
  email?: string;
  roles: string[];
  messageType?: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  contextId?: string;
  contextTitle?: string;
  resourceLinkId?: string;
  resourceLinkTitle?: string;
  custom?: Record<string, string>;
}

export const ROLES = {
  learner: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
  instructor: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
  admin: ['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator', 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
};

const AGS_SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
];
const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** An auto-submitting form_post response (OAuth 2.0 Form Post Response Mode). */
export function formPost(action: string, fields: Record<string, string>, title = 'Continuing…'): string {
  const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body><form id="f" method="post" action="${escapeHtml(action)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form>` +
    `<script>document.getElementById('f').submit()</script></body></html>`;
}

export class SandboxPlatform {
  readonly kid: string;
  private privateKey?: CryptoKey;
  private publicJwk?: JWK;
  private readonly toolKeys: ReturnType<typeof createRemoteJWKSet>;
  /** The last tool registration this platform received (dynamic registration), as the tool sent it. */
  lastRegistration?: Record<string, unknown>;

  constructor(readonly options: PlatformOptions) {
    this.kid = crypto.createHash('sha256').update(`sandbox:${options.issuer}`).digest('hex').slice(0, 16);
    this.toolKeys = createRemoteJWKSet(new URL(options.tool.jwksUrl), { cooldownDuration: 0 });
  }

  get authEndpoint() { return `${this.options.issuer}/auth`; }
  get tokenEndpoint() { return `${this.options.issuer}/token`; }
  get jwksUrl() { return `${this.options.issuer}/jwks`; }

  /** Loads the platform's signing key, making and storing one the first time (safe when several processes race). */
  async init(): Promise<this> {
    const { db } = this.options;
    let row = (await db.query<{ private_jwk: JWK; public_jwk: JWK }>('SELECT private_jwk, public_jwk FROM sandbox_key WHERE kid = $1', [this.kid])).rows[0];
    if (!row) {
      const pair = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
      await db.query('INSERT INTO sandbox_key (kid, private_jwk, public_jwk) VALUES ($1, $2, $3) ON CONFLICT (kid) DO NOTHING',
        [this.kid, JSON.stringify(await exportJWK(pair.privateKey)), JSON.stringify(await exportJWK(pair.publicKey))]);
      row = (await db.query<{ private_jwk: JWK; public_jwk: JWK }>('SELECT private_jwk, public_jwk FROM sandbox_key WHERE kid = $1', [this.kid])).rows[0]!;
    }
    this.privateKey = (await importJWK(row.private_jwk, 'RS256')) as CryptoKey;
    this.publicJwk = { ...row.public_jwk, kid: this.kid, alg: 'RS256', use: 'sig' };
    return this;
  }

  jwks() {
    return { keys: [this.publicJwk] };
  }

  /** The id_token claims this platform sends for a scenario. */
  claims(s: LaunchScenario & { nonce: string }): Record<string, unknown> {
    const contextId = s.contextId ?? 'sandbox-course';
    const messageType = s.messageType ?? 'LtiResourceLinkRequest';
    const claims: Record<string, unknown> = {
      iss: this.options.issuer,
      aud: this.options.clientId,
      sub: s.sub,
      nonce: s.nonce,
      name: s.name,
      email: s.email,
      'https://purl.imsglobal.org/spec/lti/claim/message_type': messageType,
      'https://purl.imsglobal.org/spec/lti/claim/version': '1.3.0',
      'https://purl.imsglobal.org/spec/lti/claim/deployment_id': this.options.deploymentId,
      'https://purl.imsglobal.org/spec/lti/claim/target_link_uri': this.options.tool.launchUrl,
      'https://purl.imsglobal.org/spec/lti/claim/roles': s.roles,
      'https://purl.imsglobal.org/spec/lti/claim/context': { id: contextId, label: contextId.toUpperCase(), title: s.contextTitle ?? 'Sandbox course', type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
      'https://purl.imsglobal.org/spec/lti/claim/tool_platform': { guid: this.kid, name: this.options.name ?? 'Accrue sandbox LMS', product_family_code: 'accrue-sandbox' },
      'https://purl.imsglobal.org/spec/lti/claim/launch_presentation': { document_target: 'iframe', return_url: `${this.options.issuer}/` },
      'https://purl.imsglobal.org/spec/lti/claim/custom': s.custom ?? {},
      'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': {
        scope: AGS_SCOPES,
        lineitems: `${this.options.issuer}/ags/${encodeURIComponent(contextId)}/lineitems`,
      },
      'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice': {
        context_memberships_url: `${this.options.issuer}/nrps/${encodeURIComponent(contextId)}/memberships`,
        service_versions: ['2.0'],
      },
    };
    if (messageType === 'LtiResourceLinkRequest') {
      claims['https://purl.imsglobal.org/spec/lti/claim/resource_link'] = { id: s.resourceLinkId ?? 'sandbox-activity', title: s.resourceLinkTitle ?? 'Sandbox activity' };
    } else {
      claims['https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings'] = {
        deep_link_return_url: `${this.options.issuer}/deep-link-return`,
        accept_types: ['ltiResourceLink'], accept_presentation_document_targets: ['iframe', 'window'], accept_multiple: false,
      };
    }
    return claims;
  }

  /** Signs claims as this platform does (RS256, its kid); `expiresIn` in seconds. */
  async sign(claims: Record<string, unknown>, options: { expiresIn?: number; issuedAt?: number } = {}): Promise<string> {
    if (!this.privateKey) throw new Error('platform not initialised');
    const iat = options.issuedAt ?? Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + (options.expiresIn ?? 300))
      .sign(this.privateKey);
  }

  get toolOrigin() { return new URL(this.options.tool.launchUrl).origin; }
  get storageFrameUrl() { return `${this.options.issuer}/storage-frame`; }

  /**
   * The URL a user's browser opens to start a launch: the tool's login initiation (LTI 1.3 Core 4.1), naming the
   * frame that answers platform-storage messages when there is one (LTI OIDC Login with LTI Client Side postMessages).
   */
  loginUrl(s: LaunchScenario, options: { storage?: StorageMode } = {}): string {
    const u = new URL(this.options.tool.loginUrl);
    const storage = options.storage ?? 'none';
    if (storage !== 'none') u.searchParams.set('lti_storage_target', storage === 'frame' ? STORAGE_FRAME_NAME : '_parent');
    u.searchParams.set('iss', this.options.issuer);
    u.searchParams.set('login_hint', s.sub);
    u.searchParams.set('target_link_uri', this.options.tool.launchUrl);
    u.searchParams.set('client_id', this.options.clientId);
    u.searchParams.set('lti_deployment_id', this.options.deploymentId);
    u.searchParams.set('lti_message_hint', Buffer.from(JSON.stringify(s)).toString('base64url'));
    return u.toString();
  }

  /** A course page of this platform that launches the scenario inside an iframe, with the given platform storage. */
  embedUrl(s: LaunchScenario, storage: StorageMode): string {
    const u = new URL(`${this.options.issuer}/embed`);
    u.searchParams.set('launch', Buffer.from(JSON.stringify(s)).toString('base64url'));
    u.searchParams.set('storage', storage);
    return u.toString();
  }

  router(): Router {
    const r = Router();
    const form = express.urlencoded({ extended: false, limit: '64kb' });
    r.get('/jwks', (_req, res) => res.json(this.jwks()));
    r.use(embedRouter(this));

    r.get('/.well-known/openid-configuration', (_req, res) => {
      res.json({
        issuer: this.options.issuer,
        authorization_endpoint: this.authEndpoint,
        token_endpoint: this.tokenEndpoint,
        jwks_uri: this.jwksUrl,
        registration_endpoint: `${this.options.issuer}/register`,
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
        token_endpoint_auth_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid', ...AGS_SCOPES, NRPS_SCOPE],
        response_types_supported: ['id_token'],
        id_token_signing_alg_values_supported: ['RS256'],
        claims_supported: ['iss', 'sub', 'aud', 'name', 'given_name', 'family_name', 'email'],
        subject_types_supported: ['public'],
        'https://purl.imsglobal.org/spec/lti-platform-configuration': {
          product_family_code: 'accrue-sandbox', version: '1.0',
          messages_supported: [{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest' }],
        },
      });
    });

    r.post('/register', express.json({ limit: '64kb' }), (req, res) => {
      if (!this.options.registrationToken || req.headers.authorization !== `Bearer ${this.options.registrationToken}`) {
        return res.status(401).json({ error: 'invalid_token' });
      }
      const b = req.body as Record<string, unknown>;
      const toolConfig = b['https://purl.imsglobal.org/spec/lti-tool-configuration'] as Record<string, unknown> | undefined;
      if (!Array.isArray(b.redirect_uris) || typeof b.initiate_login_uri !== 'string' || typeof b.jwks_uri !== 'string' || !toolConfig) {
        return res.status(400).json({ error: 'invalid_client_metadata' });
      }
      this.lastRegistration = b;
      res.json({ ...b, client_id: this.options.clientId, 'https://purl.imsglobal.org/spec/lti-tool-configuration': { ...toolConfig, deployment_id: this.options.deploymentId } });
    });

    r.get('/auth', async (req, res) => {
      const q = req.query as Record<string, string | undefined>;
      const fail = (status: number, error: string) => res.status(status).type('text').send(`Sandbox platform refused the authentication request: ${error}`);
      if (q.client_id !== this.options.clientId) return fail(400, 'unknown client_id');
      if (q.redirect_uri !== this.options.tool.launchUrl) return fail(400, 'redirect_uri is not registered');
      if (q.response_type !== 'id_token' || !q.scope?.split(' ').includes('openid') || q.response_mode !== 'form_post') return fail(400, 'invalid request');
      if (!q.nonce || !q.state || !q.login_hint) return fail(400, 'missing nonce, state or login_hint');
      let scenario: LaunchScenario;
      try {
        scenario = JSON.parse(Buffer.from(q.lti_message_hint ?? '', 'base64url').toString('utf8')) as LaunchScenario;
      } catch {
        return fail(400, 'unreadable lti_message_hint');
      }
      if (scenario.sub !== q.login_hint) return fail(400, 'login_hint does not match');
      const idToken = await this.sign(this.claims({ ...scenario, nonce: q.nonce }));
      res.type('html').send(formPost(q.redirect_uri, { id_token: idToken, state: q.state }, 'Launching Accrue…'));
    });

    r.post('/token', form, async (req, res) => {
      const b = req.body as Record<string, string | undefined>;
      const bad = (error: string) => res.status(400).json({ error });
      if (b.grant_type !== 'client_credentials') return bad('unsupported_grant_type');
      if (b.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' || !b.client_assertion) return bad('invalid_client');
      try {
        const { payload } = await jwtVerify(b.client_assertion, this.toolKeys, { algorithms: ['RS256'], audience: this.tokenEndpoint, issuer: this.options.clientId, subject: this.options.clientId });
        if (!payload.jti) return bad('invalid_client');
      } catch {
        return res.status(401).json({ error: 'invalid_client' });
      }
      const scope = (b.scope ?? '').split(' ').filter((s) => AGS_SCOPES.includes(s) || s === NRPS_SCOPE).join(' ');
      const accessToken = await new SignJWT({ scope, client_id: this.options.clientId })
        .setProtectedHeader({ alg: 'RS256', kid: this.kid }).setIssuedAt().setExpirationTime('1h').setAudience(this.options.issuer).sign(this.privateKey!);
      res.json({ access_token: accessToken, token_type: 'Bearer', expires_in: 3600, scope });
    });

    const requireScope = (scope: string) => async (req: Request) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token) return false;
      try {
        const { payload } = await jwtVerify(token, (await importJWK(this.publicJwk!, 'RS256')) as CryptoKey, { audience: this.options.issuer });
        return String(payload.scope ?? '').split(' ').includes(scope);
      } catch {
        return false;
      }
    };
    const json = express.json({ type: ['application/json', 'application/*+json'], limit: '64kb' });
    const lineItemUrl = (ctx: string, id: string) => `${this.options.issuer}/ags/${encodeURIComponent(ctx)}/lineitems/${encodeURIComponent(id)}`;
    type LineItemRow = { id: string; context_id: string; resource_link_id: string | null; label: string; score_maximum: string; tag: string | null; resource_id: string | null };
    const toLineItem = (row: LineItemRow) => ({
      id: lineItemUrl(row.context_id, row.id), label: row.label, scoreMaximum: Number(row.score_maximum),
      ...(row.resource_link_id ? { resourceLinkId: row.resource_link_id } : {}), ...(row.tag ? { tag: row.tag } : {}), ...(row.resource_id ? { resourceId: row.resource_id } : {}),
    });

    r.get('/ags/:ctx/lineitems', async (req, res) => {
      if (!(await requireScope('https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly')(req)) && !(await requireScope('https://purl.imsglobal.org/spec/lti-ags/scope/lineitem')(req))) return res.status(401).end();
      const params: unknown[] = [this.scopeKey(String(req.params.ctx))];
      let sql = 'SELECT * FROM sandbox_lineitem WHERE context_id = $1';
      if (typeof req.query.resource_link_id === 'string') { params.push(req.query.resource_link_id); sql += ` AND resource_link_id = $${params.length}`; }
      if (typeof req.query.tag === 'string') { params.push(req.query.tag); sql += ` AND tag = $${params.length}`; }
      const rows = (await this.options.db.query<LineItemRow>(sql + ' ORDER BY created_at', params)).rows;
      res.type('application/vnd.ims.lis.v2.lineitemcontainer+json').send(JSON.stringify(rows.map((row) => ({ ...toLineItem(row), id: lineItemUrl(String(req.params.ctx), row.id) }))));
    });

    r.post('/ags/:ctx/lineitems', json, async (req, res) => {
      if (!(await requireScope('https://purl.imsglobal.org/spec/lti-ags/scope/lineitem')(req))) return res.status(401).end();
      const b = req.body as Record<string, unknown>;
      if (typeof b.label !== 'string' || typeof b.scoreMaximum !== 'number' || !(b.scoreMaximum > 0)) return res.status(400).json({ error: 'label and a positive scoreMaximum are required' });
      const id = crypto.randomUUID();
      await this.options.db.query(
        'INSERT INTO sandbox_lineitem (id, context_id, resource_link_id, label, score_maximum, tag, resource_id) VALUES ($1,$2,$3,$4,$5,$6,$7)',
        [id, this.scopeKey(String(req.params.ctx)), b.resourceLinkId ?? null, b.label, b.scoreMaximum, b.tag ?? null, b.resourceId ?? null]);
      res.status(201).type('application/vnd.ims.lis.v2.lineitem+json')
        .send(JSON.stringify({ ...b, id: lineItemUrl(String(req.params.ctx), id) }));
    });

    r.post('/ags/:ctx/lineitems/:id/scores', json, async (req, res) => {
      if (!(await requireScope('https://purl.imsglobal.org/spec/lti-ags/scope/score')(req))) return res.status(401).end();
      const b = req.body as Record<string, unknown>;
      const progress = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'];
      const grading = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'];
      if (typeof b.userId !== 'string' || typeof b.timestamp !== 'string' || !progress.includes(String(b.activityProgress)) || !grading.includes(String(b.gradingProgress))) {
        return res.status(400).json({ error: 'invalid score' });
      }
      if (b.scoreGiven !== undefined && (typeof b.scoreGiven !== 'number' || typeof b.scoreMaximum !== 'number')) return res.status(400).json({ error: 'scoreGiven needs scoreMaximum' });
      const item = await this.options.db.query('SELECT 1 FROM sandbox_lineitem WHERE id = $1 AND context_id = $2', [req.params.id, this.scopeKey(String(req.params.ctx))]);
      if (item.rows.length === 0) return res.status(404).json({ error: 'no such line item' });
      await this.options.db.query('INSERT INTO sandbox_score (lineitem_id, user_id, score) VALUES ($1, $2, $3)', [req.params.id, b.userId, JSON.stringify(b)]);
      res.status(204).end();
    });

    r.get('/nrps/:ctx/memberships', async (req, res) => {
      if (!(await requireScope(NRPS_SCOPE)(req))) return res.status(401).end();
      res.type('application/vnd.ims.lti-nrps.v2.membershipcontainer+json').send(JSON.stringify({
        id: `${this.options.issuer}/nrps/${req.params.ctx}/memberships`,
        context: { id: req.params.ctx },
        members: [
          { status: 'Active', user_id: 'sandbox-learner', name: 'Sandbox Learner', roles: ROLES.learner },
          { status: 'Active', user_id: 'sandbox-instructor', name: 'Sandbox Instructor', roles: ROLES.instructor },
        ],
      }));
    });

    r.post('/deep-link-return', form, async (req, res) => {
      const jwt = (req.body as Record<string, string | undefined>).JWT;
      try {
        const { payload } = await jwtVerify(jwt ?? '', this.toolKeys, { algorithms: ['RS256'], audience: this.options.issuer, issuer: this.options.clientId });
        const items = (payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as unknown[]) ?? [];
        res.type('html').send(`<!doctype html><html lang="en"><head><title>Deep link received</title></head><body><main><h1>Deep link received</h1><pre>${escapeHtml(JSON.stringify(items, null, 2))}</pre></main></body></html>`);
      } catch {
        res.status(400).type('text').send('Sandbox platform refused the deep-linking response: invalid JWT.');
      }
    });
    return r;
  }

  /** Line items are kept per platform and context, so two platforms in one database never share a gradebook. */
  scopeKey(contextId: string): string {
    return `${this.kid}:${contextId}`;
  }

  async scores(): Promise<{ lineItem: string; label: string; userId: string; score: Record<string, unknown>; receivedAt: Date }[]> {
    const res = await this.options.db.query<{ label: string; lineitem_id: string; user_id: string; score: Record<string, unknown>; received_at: Date }>(
      `SELECT l.label, s.lineitem_id, s.user_id, s.score, s.received_at FROM sandbox_score s
         JOIN sandbox_lineitem l ON l.id = s.lineitem_id WHERE l.context_id LIKE $1 ORDER BY s.id DESC LIMIT 500`, [`${this.kid}:%`]);
    return res.rows.map((r) => ({ lineItem: r.lineitem_id, label: r.label, userId: r.user_id, score: r.score, receivedAt: r.received_at }));
  }
}
