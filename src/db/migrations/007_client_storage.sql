-- LTI launches without third-party cookies (1EdTech LTI Client Side postMessages, LTI OIDC Login with Client Side
-- postMessages): what a login needs to be completed through platform storage, or restarted in a new window.

-- sha256 of the secret the login puts in platform storage under `nonce_<nonce>`; the secret under `state_<state>`
-- is the browser binding already kept in browser_binding (the same value the state cookie carries).
ALTER TABLE lti_login_state ADD COLUMN storage_nonce_binding text;

-- The login initiation's own parameters (iss, login_hint, lti_message_hint, target_link_uri, client_id,
-- lti_deployment_id), so that a browser that can neither keep the state cookie nor reach platform storage can
-- restart the same login in a new, first-party window.
ALTER TABLE lti_login_state ADD COLUMN login_params jsonb;
