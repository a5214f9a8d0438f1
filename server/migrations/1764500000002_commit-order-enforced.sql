-- Up Migration

-- Commit order (G5) no longer rests on every writer remembering to take the organization's version: a row of a
-- replicated table (or a tombstone) may only be written at a version its own transaction took.
--
-- take_org_versions bumps the organization's version row (held locked until commit, so version order is commit
-- order) and records the range this transaction took, as 'org:first:last', in a transaction-local setting.
-- The setting follows savepoints: rolled back with the subtransaction that took the versions, exactly as the
-- bump itself is, so a command undone to its savepoint leaves no range behind for a later write to misuse.
CREATE FUNCTION take_org_versions(p_org_id uuid, p_count integer) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_last bigint;
  v_first bigint;
  v_taken text := current_setting('janix.org_versions', true);
BEGIN
  IF p_count < 1 THEN
    RAISE EXCEPTION 'take_org_versions: count must be at least 1, got %', p_count;
  END IF;
  INSERT INTO org_versions (org_id, version) VALUES (p_org_id, p_count)
  ON CONFLICT (org_id) DO UPDATE SET version = org_versions.version + p_count
  RETURNING version INTO v_last;
  v_first := v_last - p_count + 1;
  -- Versions taken earlier in this transaction are still held (nobody else can take any in between).
  IF coalesce(v_taken, '') <> '' AND split_part(v_taken, ':', 1) = p_org_id::text THEN
    v_first := split_part(v_taken, ':', 2)::bigint;
  END IF;
  PERFORM set_config('janix.org_versions', p_org_id::text || ':' || v_first || ':' || v_last, true);
  RETURN v_last;
END
$$;

-- One check per statement over its new rows (a transition table), so a bulk load pays once, not per row.
CREATE FUNCTION require_org_version() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_taken text := current_setting('janix.org_versions', true);
  v_org text;
  v_first bigint;
  v_last bigint;
  v_bad record;
BEGIN
  IF coalesce(v_taken, '') = '' THEN
    v_org := '';
    v_first := 1;
    v_last := 0;
  ELSE
    v_org := split_part(v_taken, ':', 1);
    v_first := split_part(v_taken, ':', 2)::bigint;
    v_last := split_part(v_taken, ':', 3)::bigint;
  END IF;
  SELECT n.org_id, n.version INTO v_bad FROM new_rows n
  WHERE n.org_id::text <> v_org OR n.version < v_first OR n.version > v_last
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION '% row written at version % without taking that version of its organization in this transaction',
      TG_TABLE_NAME, v_bad.version
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Take the organization''s versions first (take_org_versions): version order must be commit order.';
  END IF;
  RETURN NULL;
END
$$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['events', 'ticket_types', 'people', 'orders', 'tickets', 'tombstones'] LOOP
    EXECUTE format(
      'CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION require_org_version()', t || '_insert_takes_org_version', t);
    EXECUTE format(
      'CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION require_org_version()', t || '_update_takes_org_version', t);
  END LOOP;
END
$$;

GRANT EXECUTE ON FUNCTION take_org_versions(uuid, integer) TO janix_app;

-- Down Migration
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['events', 'ticket_types', 'people', 'orders', 'tickets', 'tombstones'] LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_insert_takes_org_version', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_update_takes_org_version', t);
  END LOOP;
END
$$;
DROP FUNCTION IF EXISTS require_org_version();
DROP FUNCTION IF EXISTS take_org_versions(uuid, integer);
