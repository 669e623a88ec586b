-- Foundation: settings, ltijs storage, LTI launch state, deployments, sessions, sandbox LMS.

CREATE TABLE app_setting (
  key        text PRIMARY KEY,
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- ltijs storage plugin: one row per ltijs document. `doc` holds the clear index fields (and, for encrypted
-- collections, iv + data). Unique keys are enforced here, by collection, not by ltijs.
CREATE TABLE ltijs_document (
  id         bigserial PRIMARY KEY,
  collection text NOT NULL,
  doc        jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at timestamptz
);
CREATE INDEX ltijs_document_doc ON ltijs_document USING gin (doc jsonb_path_ops);
CREATE INDEX ltijs_document_expiry ON ltijs_document (expires_at) WHERE expires_at IS NOT NULL;
CREATE UNIQUE INDEX ltijs_platform_url_client ON ltijs_document ((doc->>'platformUrl'), (doc->>'clientId')) WHERE collection = 'platform';
CREATE UNIQUE INDEX ltijs_platform_kid ON ltijs_document ((doc->>'kid')) WHERE collection = 'platform';
CREATE UNIQUE INDEX ltijs_platform_status_id ON ltijs_document ((doc->>'id')) WHERE collection = 'platformStatus';
CREATE UNIQUE INDEX ltijs_publickey_kid ON ltijs_document ((doc->>'kid')) WHERE collection = 'publickey';
CREATE UNIQUE INDEX ltijs_privatekey_kid ON ltijs_document ((doc->>'kid')) WHERE collection = 'privatekey';
CREATE UNIQUE INDEX ltijs_accesstoken_key ON ltijs_document ((doc->>'platformUrl'), (doc->>'clientId'), (doc->>'scopes')) WHERE collection = 'accesstoken';
CREATE UNIQUE INDEX ltijs_idtoken_key ON ltijs_document ((doc->>'iss'), (doc->>'clientId'), (doc->>'deploymentId'), (doc->>'user')) WHERE collection = 'idtoken';
CREATE UNIQUE INDEX ltijs_contexttoken_key ON ltijs_document ((doc->>'contextId'), (doc->>'user')) WHERE collection = 'contexttoken';
CREATE UNIQUE INDEX ltijs_nonce_key ON ltijs_document ((doc->>'nonce')) WHERE collection = 'nonce';
CREATE UNIQUE INDEX ltijs_state_key ON ltijs_document ((doc->>'state')) WHERE collection = 'state';

-- Deployments registered per platform (ltijs keeps none: LTI 1.3 Core 5.1.3 says the tool must check them).
CREATE TABLE lti_deployment (
  platform_id   text NOT NULL,          -- ltijs platform kid
  deployment_id text NOT NULL,
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform_id, deployment_id)
);

-- One row per OIDC login initiation; consumed (deleted) by the launch that answers it.
CREATE TABLE lti_login_state (
  state           text PRIMARY KEY,
  nonce           text NOT NULL UNIQUE,
  platform_id     text NOT NULL,
  browser_binding text NOT NULL,        -- sha256 of the value in the browser's state cookie
  target_link_uri text,
  storage_target  text,                 -- lti_storage_target, for client-side postMessage storage
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL
);
CREATE INDEX lti_login_state_expiry ON lti_login_state (expires_at);

-- Every nonce seen in an accepted id_token, kept past the token's lifetime to refuse replays.
CREATE TABLE lti_nonce (
  platform_id text NOT NULL,
  nonce       text NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (platform_id, nonce)
);
CREATE INDEX lti_nonce_expiry ON lti_nonce (expires_at);

-- A launch session: the LaunchContext of one accepted launch, reached by a short-lived signed token.
CREATE TABLE lti_session (
  id               uuid PRIMARY KEY,
  platform_id      text NOT NULL,
  deployment_id    text NOT NULL,
  sub              text NOT NULL,
  context_id       text,
  resource_link_id text,
  message_type     text NOT NULL,
  launch           jsonb NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL
);
CREATE INDEX lti_session_expiry ON lti_session (expires_at);
CREATE INDEX lti_session_user ON lti_session (platform_id, sub);

-- The built-in sandbox LMS (development only): its signing key, and the scores it received through AGS.
CREATE TABLE sandbox_key (
  kid         text PRIMARY KEY,
  private_jwk jsonb NOT NULL,
  public_jwk  jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sandbox_lineitem (
  id                text PRIMARY KEY,
  context_id        text NOT NULL,
  resource_link_id  text,
  label             text NOT NULL,
  score_maximum     numeric NOT NULL,
  tag               text,
  resource_id       text,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sandbox_score (
  id           bigserial PRIMARY KEY,
  lineitem_id  text NOT NULL,
  user_id      text NOT NULL,
  score        jsonb NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sandbox_score_lineitem ON sandbox_score (lineitem_id, user_id);
