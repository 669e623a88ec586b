/**
 * Deep Linking 2.0 response (LTI-DL 2.0 section 4.5): the tool's signed LtiDeepLinkingResponse, posted by the
 * browser to the platform's deep_link_return_url. Signed by ltijs (`DeepLinking.createDeepLinkingForm`) with the
 * tool key of the platform registration. ltijs reads these fields of its "idtoken" object: iss, clientId,
 * deploymentId and platformContext.deepLinkingSettings {deep_link_return_url, accept_types, accept_multiple, data}.
 * We send no error messages, so ltijs's misspelt error claim (`errormsg ` with a trailing space) never goes out.
 */
import type { LtijsProvider } from 'ltijs';
import { ValidationError } from '../errors';
import type { LaunchContext } from './model';

/** An LTI resource link content item (LTI-DL 2.0 section 3.1), with the line item the platform should create. */
export interface ResourceLinkItem {
  type: 'ltiResourceLink';
  title: string;
  text?: string;
  url: string;
  custom?: Record<string, string>;
  lineItem?: { scoreMaximum: number; label: string; resourceId?: string; tag?: string };
}

/** The ltijs idtoken shape DeepLinking reads, built from our LaunchContext. */
export function ltijsIdToken(launch: LaunchContext) {
  const dl = launch.deepLinking;
  if (launch.messageType !== 'LtiDeepLinkingRequest' || !dl) {
    throw new ValidationError('This page answers a deep-linking request; open it from the LMS\'s "add external tool" flow.', undefined, 'NOT_DEEP_LINKING');
  }
  return {
    iss: launch.platform.issuer,
    clientId: launch.platform.clientId,
    deploymentId: launch.deploymentId,
    platformContext: {
      deepLinkingSettings: {
        deep_link_return_url: dl.returnUrl,
        accept_types: dl.acceptTypes,
        accept_multiple: dl.acceptMultiple === true,
        ...(dl.data !== undefined ? { data: dl.data } : {}),
      },
    },
  };
}

/**
 * The auto-submitting HTML form that returns `contentItems` to the platform. ltijs's template puts the return
 * URL into an attribute without escaping, so a URL that is not plain http(s) is refused before it gets there.
 */
export async function createDeepLinkingResponse(provider: LtijsProvider, launch: LaunchContext, contentItems: ResourceLinkItem[]): Promise<string> {
  const idtoken = ltijsIdToken(launch);
  const url = idtoken.platformContext.deepLinkingSettings.deep_link_return_url;
  if (!/^https?:\/\/[^\s"'<>]+$/.test(url)) throw new ValidationError('The platform\'s deep-linking return address is not a plain web address.', undefined, 'BAD_DEEP_LINK_RETURN_URL');
  if (!contentItems.some((i) => idtoken.platformContext.deepLinkingSettings.accept_types.includes(i.type))) {
    throw new ValidationError('The platform does not accept LTI resource links in this placement.', undefined, 'DEEP_LINK_TYPE_NOT_ACCEPTED');
  }
  return provider.DeepLinking.createDeepLinkingForm(idtoken, contentItems, {});
}
