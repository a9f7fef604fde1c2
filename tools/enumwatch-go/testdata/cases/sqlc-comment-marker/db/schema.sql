-- Deployed with search_path = app: the types live in schema app, which the schema file does not
-- say. COMMENT ON TYPE puts a marker in the doc comment sqlc generates ("// enumwatch:enum …").
CREATE TYPE status AS ENUM ('draft', 'published');
COMMENT ON TYPE status IS 'The state of a post.
enumwatch:enum app.status';

CREATE TYPE visibility AS ENUM ('public', 'private');
COMMENT ON TYPE visibility IS 'enumwatch:enum app.visibility';
