/**
 * LTI Dynamic Registration 1.0: the tool side. Given the platform's openid_configuration URL and a registration
 * token, check the platform's configuration (DR 3.5.1: its issuer shares the configuration URL's host; RS256 is
 * offered), POST the tool's configuration, then store the platform and the deployment it answers with.
 */
import { z } from 'zod';
import { AppError, ConflictError, ValidationError } from '../errors';
import type { PlatformRecord } from './model';
import type { PlatformRegistry } from './platforms';

export const SCOPES = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemRead: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  resultRead: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;

const platformConfigSchema = z.object({
  issuer: z.url(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
  registration_endpoint: z.url(),
  authorization_server: z.string().optional(),
  scopes_supported: z.array(z.string()).optional(),
  id_token_signing_alg_values_supported: z.array(z.string()),
  claims_supported: z.array(z.string()).optional(),
  'https://purl.imsglobal.org/spec/lti-platform-configuration': z.object({
    product_family_code: z.string(),
    version: z.string().optional(),
  }).loose(),
}).loose();

const registrationResponseSchema = z.object({
  client_id: z.string().min(1),
  'https://purl.imsglobal.org/spec/lti-tool-configuration': z.object({ deployment_id: z.string().min(1).optional() }).loose().optional(),
}).loose();

export interface ToolDescription {
  publicUrl: string;
  name: string;
  description: string;
  autoActivate: boolean;
}

/**
 * Whether the tool may send the registration token and its configuration to `endpoint`: on the issuer's own host
 * (by the issuer's scheme, or https), or over https on a host the operator allows (REGISTRATION_ENDPOINT_HOSTS, for a
 * platform whose registration service lives elsewhere). Anything else would hand the platform's one-time token, and
 * a request from the tool, to a host the platform never vouched for.
 */
export function registrationEndpointAllowed(options: { endpoint: string; issuer: string; allowedHosts: readonly string[] }): boolean {
  let endpoint: URL;
  let issuer: URL;
  try {
    endpoint = new URL(options.endpoint);
    issuer = new URL(options.issuer);
  } catch {
    return false;
  }
  if (endpoint.username || endpoint.password) return false;
  if (endpoint.host === issuer.host) return endpoint.protocol === 'https:' || endpoint.protocol === issuer.protocol;
  return endpoint.protocol === 'https:' && options.allowedHosts.some((h) => h.toLowerCase() === endpoint.hostname);
}

export class RegistrationError extends AppError {
  constructor(message: string, code = 'REGISTRATION_FAILED', httpStatus = 400) {
    super({ code, httpStatus, kind: 'validation', message });
  }
}

async function fetchJson(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000), redirect: 'error' });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

export function toolRegistrationRequest(tool: ToolDescription, offeredScopes: string[] | undefined) {
  const wanted = Object.values(SCOPES);
  const scope = (offeredScopes ? wanted.filter((s) => offeredScopes.includes(s)) : wanted).join(' ');
  const host = new URL(tool.publicUrl).host;
  return {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: `${tool.publicUrl}/lti/login`,
    redirect_uris: [`${tool.publicUrl}/lti/launch`],
    client_name: tool.name,
    jwks_uri: `${tool.publicUrl}/lti/keys`,
    token_endpoint_auth_method: 'private_key_jwt',
    scope,
    'https://purl.imsglobal.org/spec/lti-tool-configuration': {
      domain: host,
      description: tool.description,
      target_link_uri: `${tool.publicUrl}/lti/launch`,
      claims: ['iss', 'sub', 'name', 'given_name', 'family_name', 'email'],
      messages: [
        { type: 'LtiResourceLinkRequest', target_link_uri: `${tool.publicUrl}/lti/launch` },
        { type: 'LtiDeepLinkingRequest', target_link_uri: `${tool.publicUrl}/lti/launch`, label: `Add a ${tool.name} activity` },
      ],
    },
  };
}

export async function registerDynamically(options: {
  registry: PlatformRegistry; tool: ToolDescription; openidConfiguration: unknown; registrationToken: unknown;
  /** Hosts besides the issuer's where a registration_endpoint may be (https only). */
  registrationEndpointHosts: readonly string[];
}): Promise<PlatformRecord> {
  const configUrl = typeof options.openidConfiguration === 'string' ? options.openidConfiguration : '';
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(configUrl);
    if (!['http:', 'https:'].includes(parsedUrl.protocol)) throw new Error('scheme');
  } catch {
    throw new ValidationError('openid_configuration must be the URL of the platform\'s OpenID configuration.', undefined, 'MISSING_OPENID_CONFIGURATION');
  }
  let fetched;
  try {
    fetched = await fetchJson(configUrl, { headers: { accept: 'application/json' } });
  } catch {
    throw new RegistrationError('The platform\'s OpenID configuration could not be fetched.', 'PLATFORM_CONFIGURATION_UNREACHABLE', 424);
  }
  const parsed = platformConfigSchema.safeParse(fetched.body);
  if (fetched.status !== 200 || !parsed.success) {
    throw new RegistrationError('The platform\'s OpenID configuration is missing or incomplete.', 'INVALID_PLATFORM_CONFIGURATION');
  }
  const config = parsed.data;
  if (new URL(config.issuer).hostname !== parsedUrl.hostname) {
    throw new RegistrationError('The platform\'s issuer does not match the host of its OpenID configuration URL.', 'ISSUER_MISMATCH');
  }
  if (!config.id_token_signing_alg_values_supported.includes('RS256')) {
    throw new RegistrationError('The platform does not sign id_tokens with RS256.', 'UNSUPPORTED_ALG');
  }
  if (!registrationEndpointAllowed({ endpoint: config.registration_endpoint, issuer: config.issuer, allowedHosts: options.registrationEndpointHosts })) {
    throw new RegistrationError('The platform\'s registration endpoint is not on its issuer\'s host (nor on an allowed https host).', 'REGISTRATION_ENDPOINT_MISMATCH');
  }
  const token = typeof options.registrationToken === 'string' && options.registrationToken ? options.registrationToken : undefined;
  let answer;
  try {
    answer = await fetchJson(config.registration_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(toolRegistrationRequest(options.tool, config.scopes_supported)),
    });
  } catch {
    throw new RegistrationError('The platform\'s registration endpoint could not be reached.', 'REGISTRATION_ENDPOINT_UNREACHABLE', 424);
  }
  const reg = registrationResponseSchema.safeParse(answer.body);
  if (answer.status < 200 || answer.status >= 300 || !reg.success) {
    throw new RegistrationError(`The platform refused the registration (HTTP ${answer.status}).`, 'REGISTRATION_REFUSED', 424);
  }
  const deploymentId = reg.data['https://purl.imsglobal.org/spec/lti-tool-configuration']?.deployment_id;
  try {
    return await options.registry.register({
      issuer: config.issuer,
      clientId: reg.data.client_id,
      name: `${config['https://purl.imsglobal.org/spec/lti-platform-configuration'].product_family_code} (${parsedUrl.host})`,
      authEndpoint: config.authorization_endpoint,
      tokenEndpoint: config.token_endpoint,
      authorizationServer: config.authorization_server || config.token_endpoint,
      authConfig: { method: 'JWK_SET', key: config.jwks_uri },
      deploymentIds: deploymentId ? [deploymentId] : [],
      active: options.tool.autoActivate,
    });
  } catch (err) {
    if (err instanceof ConflictError) throw new RegistrationError('This platform and client id are already registered.', 'PLATFORM_EXISTS', 409);
    throw err;
  }
}
