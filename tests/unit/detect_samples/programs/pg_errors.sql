SELECT 1,
  x
FROM nowhere;
SELEC 1;
DO $$
BEGIN
  RAISE EXCEPTION 'quota exceeded'
    USING DETAIL = 'used 12 of 10 slots', HINT = 'raise the quota';
END
$$;
CREATE FUNCTION ratio(a int, b int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  RETURN a / b;
END
$$;
SELECT ratio(1, 0);
DO $$ BEGIN RAISE WARNING 'disk almost full' USING HINT = 'delete old files'; END $$;
DROP FUNCTION ratio(int, int);
