-- B9's peer: what PostGraphile serves, as a PostGraphile user would expose Imail's tables.
-- Run by Imail.Bench (Peers/PostGraphileSchema.cs) as the database owner, in the bench database
-- only; never a migration of the project. {{...}} are filled in by the bench: the authenticator's
-- password for this run, and the API's consent rules (refusal memory, time zone).
--
-- The usual PostGraphile set-up (its docs: "The Default Role", "Security", "JWT guide"):
-- PostGraphile connects as a NOINHERIT login role that can only switch to the roles of the
-- callers; the server puts the verified token's role and subject in pgSettings, which
-- PostGraphile applies with set_config() in each request's transaction. Access mirrors Imail's:
-- `users`/`user(id)` for staff, `me` for a user, each person's shared profile fields for that
-- person only, `consentStatus` for anyone.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'imail_graphile_authenticator') THEN
    CREATE ROLE imail_graphile_authenticator LOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'imail_anonymous') THEN CREATE ROLE imail_anonymous; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'imail_user') THEN CREATE ROLE imail_user; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'imail_staff') THEN CREATE ROLE imail_staff; END IF;
END
$$;
ALTER ROLE imail_graphile_authenticator PASSWORD '{{Password}}';
GRANT imail_anonymous, imail_user, imail_staff TO imail_graphile_authenticator;

DROP SCHEMA IF EXISTS imail_graphile CASCADE;
CREATE SCHEMA imail_graphile;
GRANT USAGE ON SCHEMA imail_graphile TO imail_anonymous, imail_user, imail_staff;

-- Who is asking, from the pgSettings of the request.
CREATE FUNCTION imail_graphile.current_role_claim() RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('jwt.claims.role', true), '') $$;
CREATE FUNCTION imail_graphile.current_user_id() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('jwt.claims.user_id', true), '')::uuid $$;
COMMENT ON FUNCTION imail_graphile.current_role_claim() IS '@behavior -queryField';
COMMENT ON FUNCTION imail_graphile.current_user_id() IS '@behavior -queryField';

-- Accounts: staff see every one, a person their own (the row filter plays the part of an RLS policy).
CREATE VIEW imail_graphile.users AS
  SELECT u.id, u.email
  FROM public.users AS u
  WHERE imail_graphile.current_role_claim() = 'staff' OR u.id = imail_graphile.current_user_id();
COMMENT ON VIEW imail_graphile.users IS E'@primaryKey id\n@behavior -insert -update -delete';

-- The consent period in force for each account (the current one, else the last ended, as
-- ConsentBook.InForceForUserAsync orders them), one row per purpose the banner asks about;
-- past the period's end nothing is granted (Consent.StatusAt).
CREATE VIEW imail_graphile.user_consents AS
  SELECT u.id AS user_id, p.position, p.purpose,
         CASE WHEN c.ended_at IS NULL AND now() < c.expires_at THEN ch.granted END AS granted
  FROM public.users AS u
  CROSS JOIN (VALUES (1, 'STATISTICS', 'Statistics'), (2, 'PERSONALISATION', 'Personalisation')) AS p(position, purpose, stored)
  LEFT JOIN LATERAL (
    SELECT c.id, c.ended_at, c.expires_at FROM public.consents AS c
    WHERE c.user_id = u.id
    ORDER BY c.ended_at IS NOT NULL, c.first_deposit_at DESC
    LIMIT 1) AS c ON true
  LEFT JOIN public.consent_choices AS ch ON ch.consent_id = c.id AND ch.purpose = p.stored;
COMMENT ON VIEW imail_graphile.user_consents IS
  E'@primaryKey user_id,position\n@foreignKey (user_id) references imail_graphile.users (id)|@foreignSimpleFieldName consents\n@behavior -insert -update -delete -connection +list -query:resource:list -query:resource:connection -query:resource:single';

CREATE VIEW imail_graphile.connected_accounts AS
  SELECT a.id, a.user_id, a.provider, a.granted_scopes
  FROM public.connected_accounts AS a;
COMMENT ON VIEW imail_graphile.connected_accounts IS
  E'@primaryKey id\n@foreignKey (user_id) references imail_graphile.users (id)|@foreignSimpleFieldName connectedAccounts\n@behavior -insert -update -delete -connection +list -query:resource:list -query:resource:connection -query:resource:single';

-- What a connected service shared: its person only (staff are not granted this view, as Imail
-- refuses them `shared`).
CREATE VIEW imail_graphile.shared_fields AS
  SELECT f.id, f.connected_account_id, f.scope, f.name, f.value
  FROM public.connected_account_fields AS f;
COMMENT ON VIEW imail_graphile.shared_fields IS
  E'@primaryKey id\n@foreignKey (connected_account_id) references imail_graphile.connected_accounts (id)|@foreignSimpleFieldName shared\n@behavior -insert -update -delete -connection +list -query:resource:list -query:resource:connection -query:resource:single';

-- `me`: the caller's own account (PostGraphile's "current user" function).
CREATE FUNCTION imail_graphile.me() RETURNS imail_graphile.users LANGUAGE sql STABLE AS
  $$ SELECT * FROM imail_graphile.users WHERE id = imail_graphile.current_user_id() $$;

-- `consentStatus(visitorId:)`: an anonymous device's period in force (ConsentBook.InForceAnonymousAsync),
-- judged as Consent.StatusAt and ConsentStatus.For judge it: NEVER_ASKED without a known device or a
-- period; RENEWAL_REQUIRED when the period is over, a refusal's memory ran out, or the device's
-- cookie ended (then nothing is in force); else VALID. A purpose is effective when granted in a running period.
CREATE TYPE imail_graphile.purpose_status AS (purpose text, granted boolean, effective boolean);
CREATE TYPE imail_graphile.consent_status AS (state text, purposes imail_graphile.purpose_status[]);

CREATE FUNCTION imail_graphile.consent_status(visitor_id uuid) RETURNS imail_graphile.consent_status
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT CASE WHEN c.id IS NULL THEN 'NEVER_ASKED'
              WHEN c.over OR NOT c.cookie_holds OR now() >= c.ask_again_at THEN 'RENEWAL_REQUIRED'
              ELSE 'VALID' END,
         ARRAY(
           SELECT ROW(p.purpose,
                      CASE WHEN c.over OR NOT c.cookie_holds THEN NULL ELSE ch.granted END,
                      coalesce(NOT c.over AND c.cookie_holds AND ch.granted, false))::imail_graphile.purpose_status
           FROM (VALUES (1, 'STATISTICS', 'Statistics'), (2, 'PERSONALISATION', 'Personalisation')) AS p(position, purpose, stored)
           LEFT JOIN public.consent_choices AS ch ON ch.consent_id = c.id AND ch.purpose = p.stored
           ORDER BY p.position)
  FROM (SELECT $1 AS visitor_id) AS q
  LEFT JOIN public.visitors AS d ON d.id = q.visitor_id
  LEFT JOIN LATERAL (
    SELECT c.id,
           c.ended_at IS NOT NULL OR now() >= c.expires_at AS over,
           now() < d.cookie_expires_at AS cookie_holds,
           least(c.expires_at, (
             SELECT min(((r.decided_at AT TIME ZONE '{{TimeZone}}') + interval '{{RefusalMonths}} months') AT TIME ZONE '{{TimeZone}}')
             FROM public.consent_choices AS r WHERE r.consent_id = c.id AND NOT r.granted)) AS ask_again_at
    FROM public.consents AS c
    WHERE c.visitor_id = d.id AND c.user_id IS NULL
    ORDER BY c.ended_at IS NOT NULL, c.first_deposit_at DESC
    LIMIT 1) AS c ON true
$$;
COMMENT ON FUNCTION imail_graphile.consent_status(uuid) IS '@name consentStatus';

-- What each caller may use (PgRBACPlugin builds one schema from the union of these grants).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA imail_graphile FROM PUBLIC;
GRANT EXECUTE ON FUNCTION imail_graphile.current_role_claim(), imail_graphile.current_user_id() TO imail_anonymous, imail_user, imail_staff;
GRANT EXECUTE ON FUNCTION imail_graphile.consent_status(uuid) TO imail_anonymous, imail_user, imail_staff;
GRANT EXECUTE ON FUNCTION imail_graphile.me() TO imail_user;
GRANT SELECT ON imail_graphile.users, imail_graphile.user_consents, imail_graphile.connected_accounts TO imail_user, imail_staff;
GRANT SELECT ON imail_graphile.shared_fields TO imail_user;
