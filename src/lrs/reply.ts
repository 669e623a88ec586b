/** What a resource handler answers; the router writes it (status, headers, JSON or raw body). */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  body?: Buffer;
}

export const noContent = (headers?: Record<string, string>): Reply => ({ status: 204, headers });
