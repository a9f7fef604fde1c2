package pgschema

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func replay(t *testing.T, sql string) *Catalog {
	t.Helper()
	c := NewCatalog()
	if err := c.Apply(sql, "schema.sql"); err != nil {
		t.Fatal(err)
	}
	return c
}

func values(t *testing.T, c *Catalog, schema, name string) []string {
	t.Helper()
	e := c.Lookup(schema, name)
	if e == nil {
		t.Fatalf("no %s.%s in %v", schema, name, c.Enums())
	}
	return e.Values
}

func TestCreateEnumReadsWhatPostgreSQLReads(t *testing.T) {
	c := replay(t, `
		CREATE TYPE Order_Status AS ENUM ('it''s', E'new\nline', U&'d\0061t\+000061', $$dollar's$$, 'naïve');
		create type "Mixed Case"."Quoted ""Name""" as enum ();
		CREATE TYPE a.b.c AS ENUM ('x');
		CREATE TABLE t (s order_status);
		CREATE TYPE composite AS (a int);
		CREATE DOMAIN d AS text CHECK (VALUE IN ('x'));
		-- CREATE TYPE in_comment AS ENUM ('no');
		SELECT 'CREATE TYPE in_string AS ENUM (''no'')';
	`)
	if got := values(t, c, "public", "order_status"); !reflect.DeepEqual(got, []string{"it's", "new\nline", "data", "dollar's", "naïve"}) {
		t.Errorf("values: %q", got)
	}
	if e := c.Lookup("Mixed Case", `Quoted "Name"`); e == nil || len(e.Values) != 0 {
		t.Errorf("quoted names: %v", c.Enums())
	}
	if c.Lookup("b", "c") == nil {
		t.Error("catalog.schema.name")
	}
	if len(c.Enums()) != 3 {
		t.Errorf("only enums are enums: %v", c.Enums())
	}
	if e := c.Lookup("public", "order_status"); e.Where != "schema.sql:2" {
		t.Errorf("where: %s", e.Where)
	}
}

func TestAlterTypeReplaysInOrder(t *testing.T) {
	c := replay(t, `
		CREATE TYPE s AS ENUM ('b', 'd');
		ALTER TYPE s ADD VALUE 'a' BEFORE 'b';
		ALTER TYPE s ADD VALUE 'c' AFTER 'b';
		ALTER TYPE s ADD VALUE 'e';
		ALTER TYPE s ADD VALUE IF NOT EXISTS 'a';
		ALTER TYPE public.s RENAME VALUE 'e' TO 'E';
		CREATE SCHEMA x;
		CREATE TYPE moved AS ENUM ('m');
		ALTER TYPE moved SET SCHEMA x;
		ALTER TYPE x.moved RENAME TO arrived;
		CREATE SCHEMA old;
		CREATE TYPE old.t AS ENUM ('o');
		ALTER SCHEMA old RENAME TO new;
		CREATE TYPE gone AS ENUM ('g');
		DROP TYPE IF EXISTS gone, never_there CASCADE;
		CREATE SCHEMA doomed;
		CREATE TYPE doomed.t AS ENUM ('z');
		DROP SCHEMA doomed CASCADE;
	`)
	if got := values(t, c, "public", "s"); !reflect.DeepEqual(got, []string{"a", "b", "c", "d", "E"}) {
		t.Errorf("s: %q", got)
	}
	values(t, c, "x", "arrived")
	values(t, c, "new", "t")
	if c.Lookup("public", "gone") != nil || c.Lookup("doomed", "t") != nil || len(c.Enums()) != 3 {
		t.Errorf("dropped types remain: %v", c.Enums())
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings: %q", c.Warnings)
	}
}

func TestReplayWarnsAboutWhatPostgreSQLWouldRefuse(t *testing.T) {
	c := replay(t, "CREATE TYPE s AS ENUM ('a');\nALTER TYPE s ADD VALUE 'a';\nALTER TYPE s ADD VALUE 'z' BEFORE 'nope';\n"+
		"ALTER TYPE s RENAME VALUE 'nope' TO 'x';\nALTER TYPE missing ADD VALUE 'q';\n")
	want := []string{
		`schema.sql:2: ALTER TYPE public.s ADD VALUE: it already has "a"`,
		`schema.sql:3: ALTER TYPE public.s ADD VALUE: it has no value "nope" to place "z" next to; added at the end`,
		`schema.sql:4: ALTER TYPE public.s RENAME VALUE: it has no value "nope"`,
		`schema.sql:5: ALTER TYPE public.missing: no enum type of that name was created before`,
	}
	if !reflect.DeepEqual(c.Warnings, want) {
		t.Errorf("warnings:\n%s", strings.Join(c.Warnings, "\n"))
	}
	if got := values(t, c, "public", "s"); !reflect.DeepEqual(got, []string{"a", "z"}) {
		t.Errorf("s: %q", got)
	}
}

func TestErrorsSayWhere(t *testing.T) {
	for sql, want := range map[string]string{
		"CREATE TYPE s AS ENUM ('a');\n/* comment */ CREATE TYPE s AS ENUM ('b');": "schema.sql:2: type public.s already exists (created at schema.sql:1)",
		"-- ünïcödé\nCREATE TYPE s AS ENUM ('a',, 'b');":                           `schema.sql:2:28: cannot parse: syntax error at or near ","`,
		"CREATE TYPE s AS ENUM ('a'":                                               "schema.sql:1:27: cannot parse: syntax error at end of input",
		"CREATE TYPE s AS ENUM ('unterminated);":                                   `schema.sql:1:24: cannot parse: unterminated quoted string at or near "'unterminated);"`,
	} {
		err := NewCatalog().Apply(sql, "schema.sql")
		if err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %s", sql, err, want)
		}
	}
}

func TestPreprocessIsSqlcs(t *testing.T) {
	in := "\\restrict abc\nCREATE TYPE a AS ENUM ('x');\n\\connect db\n  \\not_at_start\n-- +goose Down\nDROP TYPE a;\n"
	want := "\nCREATE TYPE a AS ENUM ('x');\n\n  \\not_at_start"
	if got := Preprocess(in); got != want {
		t.Errorf("Preprocess = %q, want %q", got, want)
	}
	for _, marker := range []string{"-- +migrate Down", "---- create above / drop below ----", "-- migrate:down", "-- +GOOSE DOWN"} {
		if got := Preprocess("up\n" + marker + "\ndown\n"); got != "up" {
			t.Errorf("%s: %q", marker, got)
		}
	}
}

func TestSchemaFilesInSqlcsOrder(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.sql", "a.sql", "a.down.sql", ".hidden.sql", "notes.txt", "c.SQL", "sub/d.sql", "glob/x/1.sql", "glob/y/2.sql"} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := SchemaFiles([]string{dir, filepath.Join(dir, "glob", "*", "*.sql"), filepath.Join(dir, "sub", "d.sql")})
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, f := range got {
		r, _ := filepath.Rel(dir, f)
		rel = append(rel, r)
	}
	want := []string{"a.sql", "b.sql", "glob/x/1.sql", "glob/y/2.sql", "sub/d.sql"}
	if !reflect.DeepEqual(rel, want) {
		t.Errorf("files %q, want %q", rel, want)
	}
	if _, err := SchemaFiles([]string{filepath.Join(dir, "missing.sql")}); err == nil || !strings.HasSuffix(err.Error(), "missing.sql: no such file or directory") {
		t.Errorf("missing: %v", err)
	}
}

func TestParseTypeNameIsCreateTypes(t *testing.T) {
	for in, want := range map[string][2]string{
		"order_status":              {"public", "order_status"},
		"OrderStatus":               {"public", "orderstatus"},
		`"OrderStatus"`:             {"public", "OrderStatus"},
		"billing.currency":          {"billing", "currency"},
		`billing . "Cur ""rency"""`: {"billing", `Cur "rency"`},
		`"a.b".c`:                   {"a.b", "c"},
		`U&"new\000Aline"`:          {"public", "new\nline"},
		`public.int`:                {"public", "int"},
		"int":                       {"public", "int"}, // CREATE TYPE int AS ENUM () is valid: int is not reserved
		"  spaced  ":                {"public", "spaced"},
		`"東京"`:                      {"public", "東京"},
	} {
		schema, name, err := ParseTypeName(in)
		if err != nil || schema != want[0] || name != want[1] {
			t.Errorf("ParseTypeName(%q) = %q, %q, %v; want %q", in, schema, name, err, want)
		}
	}
	for _, bad := range []string{"", "select", "a.b.c", "a.", "a b", "a AS ENUM ('x')", "a AS ENUM (); DROP TABLE t; CREATE TYPE b",
		"a -- comment", "a /*", `"unterminated`, "a\nb", "a\x00"} {
		if s, n, err := ParseTypeName(bad); err == nil {
			t.Errorf("ParseTypeName(%q) = %q, %q: accepted", bad, s, n)
		}
	}
}
