-- Provenance in one row per person instead of one row per person and attribute.
--
-- `sources` lists the changes that set a person's attributes, newest first, each with its
-- source, its moment and the attributes it set that no later change has set again:
--   [{"source": "scim", "setAt": "2026-02-01T08:00:00+00:00", "attributes": ["legalName"]},
--    {"source": "csv",  "setAt": "2026-01-31T09:00:00+00:00", "attributes": ["workEmail", ...]}]
-- Every attribute appears in one change at most. A bulk import wrote about ten provenance
-- rows per person (each with its own index entry and foreign-key check, about a kilobyte in
-- all); one row of a few hundred bytes keeps the same facts. Authority (which source owns an
-- attribute) stays in attribute_authority.

CREATE TABLE person_sources (
  person_id text PRIMARY KEY REFERENCES people (id),
  sources jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(sources) = 'array')
);

-- `older` with the changes in `newer` put first: each attribute `newer` sets leaves the older
-- change that set it, and changes left with no attribute are dropped.
CREATE FUNCTION person_sources_merge(older jsonb, newer jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT newer || COALESCE((
    SELECT jsonb_agg(jsonb_set(g, '{attributes}', (g -> 'attributes') - taken.a) ORDER BY n)
    FROM jsonb_array_elements(COALESCE(older, '[]'::jsonb)) WITH ORDINALITY AS o(g, n),
      (SELECT COALESCE(array_agg(x), '{}') AS a
         FROM jsonb_array_elements(newer) AS c, jsonb_array_elements_text(c -> 'attributes') AS x) AS taken
    WHERE jsonb_array_length((g -> 'attributes') - taken.a) > 0
  ), '[]'::jsonb)
$$;

INSERT INTO person_sources (person_id, sources)
SELECT person_id,
  jsonb_agg(jsonb_build_object('source', source, 'setAt', set_at, 'attributes', attributes)
    ORDER BY set_at DESC, source)
FROM (
  SELECT person_id, source, set_at, jsonb_agg(attribute ORDER BY attribute) AS attributes
  FROM person_attribute_sources
  GROUP BY person_id, source, set_at
) AS changes
GROUP BY person_id;

DROP TABLE person_attribute_sources;
