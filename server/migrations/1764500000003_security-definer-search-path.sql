-- Up Migration

-- A SECURITY DEFINER function runs with its owner's rights; with `search_path = public` alone, pg_temp is
-- still searched first (implicitly) for tables and views, so a caller could shadow `devices` or `tombstones`
-- with a temporary table of its own. Naming pg_temp last closes that. Every such function gets it, whichever
-- migration made it; test/tenancy.test.ts fails on any that lacks it.
DO $$
DECLARE f regprocedure;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prosecdef AND n.nspname = 'public'
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = public, pg_temp', f);
  END LOOP;
END
$$;

-- Down Migration
-- Nothing to undo: pg_temp last is right for every version of these functions.
