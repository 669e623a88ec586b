// The part of ltijs 5.9.9 that Accrue uses. @types/ltijs describes v4 and is wrong in places.
declare module 'ltijs' {
  type Doc = Record<string, unknown>;
  export interface LtijsStoragePlugin {
    setup(): Promise<boolean>;
    Close(): Promise<boolean>;
    Get(encKey: string | false, collection: string, query?: Doc): Promise<Doc[] | false>;
    Insert(encKey: string | false, collection: string, item: Doc, index?: Doc): Promise<boolean>;
    Replace(encKey: string | false, collection: string, query: Doc, item: Doc, index?: Doc): Promise<boolean>;
    Modify(encKey: string | false, collection: string, query: Doc, modification: Doc): Promise<boolean>;
    Delete(collection: string, query: Doc): Promise<boolean>;
  }
  export interface AuthConfig {
    method: 'JWK_SET' | 'JWK_KEY' | 'RSA_KEY';
    key: string;
  }
  export interface PlatformInput {
    url: string;
    name: string;
    clientId: string;
    authenticationEndpoint: string;
    accesstokenEndpoint: string;
    authorizationServer?: string;
    authConfig: AuthConfig;
  }
  export interface LtijsPlatform {
    platformUrl(): Promise<string>;
    platformClientId(): Promise<string>;
    platformName(name?: string): Promise<string>;
    platformId(): Promise<string>;
    platformKid(): Promise<string>;
    platformActive(active?: boolean): Promise<boolean>;
    platformPublicKey(): Promise<string>;
    platformPrivateKey(): Promise<string>;
    platformAuthConfig(): Promise<AuthConfig>;
    platformAuthenticationEndpoint(): Promise<string>;
    platformAccessTokenEndpoint(): Promise<string>;
    platformAuthorizationServer(): Promise<string>;
    platformAccessToken(scopes: string): Promise<{ access_token: string; token_type: string; expires_in: number }>;
    platformJSON(): Promise<Record<string, unknown>>;
    delete(): Promise<boolean>;
  }
  export interface LtijsProvider {
    setup(encryptionKey: string, database: { plugin: LtijsStoragePlugin }, options?: Record<string, unknown>): LtijsProvider;
    registerPlatform(platform: PlatformInput): Promise<LtijsPlatform>;
    getPlatform(url: string, clientId?: string): Promise<LtijsPlatform | LtijsPlatform[] | false>;
    getPlatformById(id: string): Promise<LtijsPlatform | false>;
    getAllPlatforms(): Promise<LtijsPlatform[]>;
    deletePlatformById(id: string): Promise<boolean>;
    Database: LtijsStoragePlugin;
    Grade: {
      submitScore(idtoken: unknown, lineItemId: string, score: Record<string, unknown>): Promise<unknown>;
      getLineItems(idtoken: unknown, options?: Record<string, unknown>): Promise<unknown>;
      createLineItem(idtoken: unknown, lineItem: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown>;
    };
    NamesAndRoles: { getMembers(idtoken: unknown, options?: Record<string, unknown>): Promise<unknown> };
    DeepLinking: {
      createDeepLinkingForm(idtoken: unknown, contentItems: unknown[], options?: Record<string, unknown>): Promise<string>;
      createDeepLinkingMessage(idtoken: unknown, contentItems: unknown[], options?: Record<string, unknown>): Promise<string>;
    };
  }
  export const Provider: LtijsProvider;
}
