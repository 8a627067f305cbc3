-- Strong Customer Authentication (issue 16).
--
-- A card attempt the gateway answered "authentication required" stays pending, with the URL
-- of the cardholder's challenge (3-D Secure) and when it is given up (business clock): the
-- order stays processing and is shown as requires_action until the challenge is passed or
-- refused (the gateway's signed event, or the partner's return), or expires (cancelled at the
-- gateway: no charge). The card itself is never here: the gateway's payment-method id only.
ALTER TABLE payments ADD COLUMN action_url TEXT;
ALTER TABLE payments ADD COLUMN action_expires_at INTEGER;
