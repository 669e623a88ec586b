/**
 * LTI vocabulary (no I/O).
 * Platform: an LMS registration (issuer + client_id), identified by ltijs's kid. Deployment: one placement of the
 * tool in that platform (deployment_id). LaunchContext: what one accepted launch tells us.
 */
import type { AuthConfig } from 'ltijs';

export interface PlatformRecord {
  id: string;
  issuer: string;
  clientId: string;
  name: string;
  authEndpoint: string;
  tokenEndpoint: string;
  authorizationServer: string;
  authConfig: AuthConfig;
  active: boolean;
}

/** The parameters of an OIDC login initiation (LTI 1.3 Core 5.1.1), as the platform sent them. */
export interface LoginParams {
  iss?: string;
  login_hint?: string;
  target_link_uri?: string;
  lti_message_hint?: string;
  client_id?: string;
  lti_deployment_id?: string;
}

export type AppRole = 'learner' | 'instructor' | 'admin';
export type MessageType = 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';

export interface LaunchContext {
  platform: { id: string; issuer: string; clientId: string; name: string };
  deploymentId: string;
  messageType: MessageType;
  user: { sub: string; name?: string; givenName?: string; familyName?: string; email?: string };
  roles: string[];
  appRole: AppRole;
  context?: { id: string; label?: string; title?: string; type?: string[] };
  resourceLink?: { id: string; title?: string; description?: string };
  targetLinkUri?: string;
  custom: Record<string, string>;
  launchPresentation?: { documentTarget?: string; returnUrl?: string; locale?: string };
  ags?: { scope: string[]; lineItems?: string; lineItem?: string };
  nrps?: { contextMembershipsUrl: string; serviceVersions: string[] };
  deepLinking?: { returnUrl: string; acceptTypes: string[]; acceptMultiple?: boolean; data?: string };
  toolPlatform?: { productFamilyCode?: string; name?: string; guid?: string };
}

export const CLAIM = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  context: 'https://purl.imsglobal.org/spec/lti/claim/context',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  launchPresentation: 'https://purl.imsglobal.org/spec/lti/claim/launch_presentation',
  toolPlatform: 'https://purl.imsglobal.org/spec/lti/claim/tool_platform',
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
} as const;

const ROLE_PREFIX = /^http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/(membership|institution\/person|system\/person)#/;

/** Maps LIS role URIs to the page a user lands on; an administrator outranks an instructor, who outranks a learner. */
export function appRoleOf(roles: string[]): AppRole {
  const names = roles.map((r) => {
    const m = ROLE_PREFIX.exec(r);
    return { scope: m?.[1] ?? 'short', name: r.replace(ROLE_PREFIX, '').replace(/^.*#/, '') };
  });
  const has = (...n: string[]) => names.some((r) => n.includes(r.name));
  if (has('Administrator', 'SysAdmin')) return 'admin';
  if (has('Instructor', 'ContentDeveloper', 'TeachingAssistant', 'Mentor')) return 'instructor';
  return 'learner';
}
