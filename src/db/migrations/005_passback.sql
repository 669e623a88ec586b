-- Passback: the durable outbox of AGS scores (and the certificate link) owed to the LMS, line items resolved per
-- resource link, and a circuit per platform so a recovered platform's backlog drains at once.

CREATE TABLE passback_outbox (
  id                bigserial PRIMARY KEY,
  -- The caller's identity of this score (e.g. claim:<claim id>:award): enqueueing it twice is a no-op.
  idempotency_key   text NOT NULL UNIQUE,
  kind              text NOT NULL,
  platform_id       text NOT NULL,
  user_sub          text NOT NULL,
  -- The learner's line item as known at enqueue: the launch's lineitem URL, else lineitems URL + resource link + tag.
  target_key        text NOT NULL,
  lineitems_url     text,
  lineitem_url      text,                  -- from the launch, or resolved (found or created) by a delivery
  resource_link_id  text,
  -- Everything else a delivery needs without the launch session: score fields, comment, certificate URL,
  -- line item label/maximum/tag/resourceId, the granted AGS scopes and the Canvas flag.
  payload           jsonb NOT NULL,
  -- The AGS score timestamp, fixed at enqueue: a redelivery sends the same one, so a platform treats it as the
  -- same score (AGS 2.0 §3.4.8), and an older score can never overwrite a newer one.
  score_timestamp   timestamptz NOT NULL,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'superseded')),
  attempts          integer NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz NOT NULL DEFAULT now(),
  locked_until      timestamptz,           -- lease of the worker delivering it; an expired lease is taken over
  locked_by         text,
  last_error        text,
  last_attempt_at   timestamptz,
  retry_since       timestamptz NOT NULL DEFAULT now(),  -- the max-age clock; reset by a retry by hand
  superseded_by     bigint,
  delivered_at      timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX passback_outbox_due ON passback_outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX passback_outbox_target ON passback_outbox (platform_id, target_key, user_sub, id) WHERE status IN ('pending', 'failed');
CREATE INDEX passback_outbox_status ON passback_outbox (status, id DESC);
CREATE INDEX passback_outbox_platform ON passback_outbox (platform_id) WHERE status = 'pending';

-- A resource link's line item, found or created once and shared by every learner's delivery. `creating_until`
-- is a lease so that only one worker (of any process) searches and creates it at a time.
CREATE TABLE passback_lineitem (
  platform_id     text NOT NULL,
  target_key      text NOT NULL,
  lineitem_url    text,
  creating_until  timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform_id, target_key)
);

-- Consecutive platform-level failures (timeouts, refused connections, 5xx). When open, only one row at a time
-- probes the platform (at probe_at); the probe's success deletes the row and makes the waiting scores due now.
CREATE TABLE passback_circuit (
  platform_id  text PRIMARY KEY,
  failures     integer NOT NULL DEFAULT 0,
  open         boolean NOT NULL DEFAULT false,
  opened_at    timestamptz,
  probe_at     timestamptz,
  last_error   text,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
