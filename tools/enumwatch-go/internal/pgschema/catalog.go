package pgschema

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"enumwatch-go/internal/snapshot"
)

// Enum is an enum type as the schema files leave it.
type Enum struct {
	Schema, Name string
	Values       []string
	Where        string // file:line of its CREATE TYPE
}

// Catalog is the enum types a sequence of schema files creates, replayed statement by statement
// the way PostgreSQL (and sqlc's catalog) would run them: CREATE TYPE … AS ENUM, ALTER TYPE … ADD
// VALUE [IF NOT EXISTS] [BEFORE|AFTER], RENAME VALUE, RENAME TO, SET SCHEMA, DROP TYPE, and
// ALTER SCHEMA … RENAME TO / DROP SCHEMA for the types they carry.
type Catalog struct {
	enums    map[[2]string]*Enum
	Warnings []string
}

// NewCatalog is an empty catalog.
func NewCatalog() *Catalog { return &Catalog{enums: map[[2]string]*Enum{}} }

// Enums are the catalog's enum types, sorted by schema and name.
func (c *Catalog) Enums() []*Enum {
	out := make([]*Enum, 0, len(c.enums))
	for _, e := range c.enums {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Schema != out[j].Schema {
			return out[i].Schema < out[j].Schema
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Lookup finds an enum type by schema and name.
func (c *Catalog) Lookup(schema, name string) *Enum { return c.enums[[2]string{schema, name}] }

// SchemaFiles lists the SQL files that sqlc reads for a config's `schema` paths, in sqlc's order
// (sqlc v1.31.1, internal/sql/sqlpath/read.go, Glob): a path with *, ?, [ or ] is a pattern; a
// directory stands for the files directly in it, by name; only names ending in ".sql" count,
// not hidden ones (".x.sql") and not golang-migrate's down migrations ("*.down.sql").
func SchemaFiles(paths []string) ([]string, error) {
	var expanded, files, out []string
	for _, p := range paths {
		if strings.ContainsAny(p, "*?[]") {
			matches, err := filepath.Glob(p)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", p, err)
			}
			expanded = append(expanded, matches...)
		} else {
			expanded = append(expanded, p)
		}
	}
	for _, p := range expanded {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", p, snapshot.Reason(err))
		}
		if !info.IsDir() {
			files = append(files, filepath.Clean(p))
			continue
		}
		listing, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", p, snapshot.Reason(err))
		}
		for _, entry := range listing {
			files = append(files, filepath.Join(p, entry.Name()))
		}
	}
	for _, f := range files {
		base := filepath.Base(f)
		if strings.HasSuffix(f, ".sql") && !strings.HasPrefix(base, ".") && !strings.HasSuffix(base, ".down.sql") {
			out = append(out, f)
		}
	}
	return out, nil
}

// Preprocess does to a schema file what sqlc does before parsing it (sqlc v1.31.1,
// internal/migrations/migrations.go): everything from a migration tool's "down" marker on is
// dropped (goose "-- +goose Down", sql-migrate "-- +migrate Down", tern "---- create above /
// drop below ----", dbmate "-- migrate:down", matched at the start of a line in any case), and
// psql meta-command lines (a backslash then a letter, "!", "?" or ";": pg_dump's "\restrict")
// are left out. Lines are blanked rather than removed, so that line numbers stay the file's.
func Preprocess(contents string) string {
	lines := strings.Split(contents, "\n")
	for i, line := range lines {
		lower := strings.ToLower(line)
		for _, marker := range []string{"-- +goose down", "-- +migrate down", "---- create above / drop below ----", "-- migrate:down"} {
			if strings.HasPrefix(lower, marker) {
				return strings.Join(lines[:i], "\n")
			}
		}
		if len(line) >= 2 && line[0] == '\\' && (isASCIILetter(line[1]) || strings.IndexByte("!?;", line[1]) >= 0) {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

func isASCIILetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// ReadFile parses one schema file and applies its statements. display is the file's name in
// messages. Unreadable or unparsable files are errors (exit 2), with file:line:column.
func (c *Catalog) ReadFile(path, display string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return snapshot.Errorf("%s: cannot read: %s", display, snapshot.Reason(err))
	}
	text := string(data)
	if !utf8.ValidString(text) {
		return snapshot.Errorf("%s: cannot parse: not valid UTF-8", display)
	}
	if i := strings.IndexByte(text, 0); i >= 0 {
		return snapshot.Errorf("%s:%d: cannot parse: a NUL byte", display, lineOf(text, i))
	}
	return c.Apply(Preprocess(text), display)
}

// Apply parses SQL text and applies its statements.
func (c *Catalog) Apply(text, display string) error {
	stmts, err := Parse(text)
	if err != nil {
		if syntax, ok := err.(*SyntaxError); ok {
			if syntax.Position > 0 {
				line, col := charPosition(text, syntax.Position)
				return snapshot.Errorf("%s:%d:%d: cannot parse: %s", display, line, col, oneLine(syntax.Message))
			}
			return snapshot.Errorf("%s: cannot parse: %s", display, oneLine(syntax.Message))
		}
		return snapshot.Errorf("%s: %v", display, err)
	}
	for _, s := range stmts {
		where := fmt.Sprintf("%s:%d", display, lineOf(text, skipTrivia(text, s.Location)))
		if err := c.apply(s.Stmt, where); err != nil {
			return err
		}
	}
	return nil
}

type stringNode struct {
	String *struct {
		Sval string `json:"sval"`
	} `json:"String"`
}

func strs(nodes []stringNode) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if n.String != nil {
			out = append(out, n.String.Sval)
		}
	}
	return out
}

// qualified turns a parsed any_name ([name], [schema, name] or [catalog, schema, name]) into
// (schema, name): an unqualified type is public's, as sqlc assumes.
func qualified(parts []string) (string, string, bool) {
	switch len(parts) {
	case 1:
		return snapshot.DefaultSchema, parts[0], true
	case 2, 3:
		return parts[len(parts)-2], parts[len(parts)-1], true
	}
	return "", "", false
}

type listNode struct {
	List *struct {
		Items []stringNode `json:"items"`
	} `json:"List"`
}

func (l listNode) names() []string {
	if l.List == nil {
		return nil
	}
	return strs(l.List.Items)
}

func (c *Catalog) warn(where, format string, args ...any) {
	c.Warnings = append(c.Warnings, where+": "+fmt.Sprintf(format, args...))
}

func (c *Catalog) apply(node Node, where string) error {
	for kind, raw := range node {
		switch kind {
		case "CreateEnumStmt":
			var s struct {
				TypeName []stringNode `json:"typeName"`
				Vals     []stringNode `json:"vals"`
			}
			if err := json.Unmarshal(raw, &s); err != nil {
				return err
			}
			schema, name, ok := qualified(strs(s.TypeName))
			if !ok {
				return nil
			}
			key := [2]string{schema, name}
			if old, exists := c.enums[key]; exists {
				return snapshot.Errorf("%s: type %s already exists (created at %s)", where, snapshot.DisplayName(schema, name), old.Where)
			}
			c.enums[key] = &Enum{Schema: schema, Name: name, Values: strs(s.Vals), Where: where}
		case "AlterEnumStmt":
			var s struct {
				TypeName    []stringNode `json:"typeName"`
				OldVal      *string      `json:"oldVal"`
				NewVal      string       `json:"newVal"`
				Neighbor    *string      `json:"newValNeighbor"`
				After       bool         `json:"newValIsAfter"`
				SkipIfExist bool         `json:"skipIfNewValExists"`
			}
			if err := json.Unmarshal(raw, &s); err != nil {
				return err
			}
			schema, name, ok := qualified(strs(s.TypeName))
			if !ok {
				return nil
			}
			e := c.enums[[2]string{schema, name}]
			if e == nil {
				c.warn(where, "ALTER TYPE %s: no enum type of that name was created before", snapshot.DisplayName(schema, name))
				return nil
			}
			if s.OldVal != nil {
				at := index(e.Values, *s.OldVal)
				if at < 0 {
					c.warn(where, "ALTER TYPE %s RENAME VALUE: it has no value %s", snapshot.DisplayName(schema, name), strconv.Quote(*s.OldVal))
					return nil
				}
				e.Values[at] = s.NewVal
				return nil
			}
			if index(e.Values, s.NewVal) >= 0 {
				if !s.SkipIfExist {
					c.warn(where, "ALTER TYPE %s ADD VALUE: it already has %s", snapshot.DisplayName(schema, name), strconv.Quote(s.NewVal))
				}
				return nil
			}
			at := len(e.Values)
			if s.Neighbor != nil {
				if n := index(e.Values, *s.Neighbor); n >= 0 {
					at = n
					if s.After {
						at = n + 1
					}
				} else {
					c.warn(where, "ALTER TYPE %s ADD VALUE: it has no value %s to place %s next to; added at the end",
						snapshot.DisplayName(schema, name), strconv.Quote(*s.Neighbor), strconv.Quote(s.NewVal))
				}
			}
			e.Values = append(e.Values[:at:at], append([]string{s.NewVal}, e.Values[at:]...)...)
		case "RenameStmt":
			var s struct {
				RenameType string   `json:"renameType"`
				Object     listNode `json:"object"`
				Subname    string   `json:"subname"`
				Newname    string   `json:"newname"`
			}
			if err := json.Unmarshal(raw, &s); err != nil {
				return err
			}
			switch s.RenameType {
			case "OBJECT_TYPE":
				schema, name, ok := qualified(s.Object.names())
				if e := c.enums[[2]string{schema, name}]; ok && e != nil {
					delete(c.enums, [2]string{schema, name})
					e.Name = s.Newname
					c.enums[[2]string{schema, e.Name}] = e
				}
			case "OBJECT_SCHEMA":
				var moved []*Enum
				for key, e := range c.enums {
					if key[0] == s.Subname {
						delete(c.enums, key)
						moved = append(moved, e)
					}
				}
				for _, e := range moved {
					e.Schema = s.Newname
					c.enums[[2]string{e.Schema, e.Name}] = e
				}
			}
		case "AlterObjectSchemaStmt":
			var s struct {
				ObjectType string   `json:"objectType"`
				Object     listNode `json:"object"`
				NewSchema  string   `json:"newschema"`
			}
			if err := json.Unmarshal(raw, &s); err != nil {
				return err
			}
			if s.ObjectType == "OBJECT_TYPE" {
				schema, name, ok := qualified(s.Object.names())
				if e := c.enums[[2]string{schema, name}]; ok && e != nil {
					delete(c.enums, [2]string{schema, name})
					e.Schema = s.NewSchema
					c.enums[[2]string{e.Schema, e.Name}] = e
				}
			}
		case "DropStmt":
			var s struct {
				Objects    []json.RawMessage `json:"objects"`
				RemoveType string            `json:"removeType"`
			}
			if err := json.Unmarshal(raw, &s); err != nil {
				return err
			}
			for _, object := range s.Objects {
				switch s.RemoveType {
				case "OBJECT_TYPE":
					var t struct {
						TypeName *struct {
							Names []stringNode `json:"names"`
						} `json:"TypeName"`
					}
					if json.Unmarshal(object, &t) == nil && t.TypeName != nil {
						if schema, name, ok := qualified(strs(t.TypeName.Names)); ok {
							delete(c.enums, [2]string{schema, name})
						}
					}
				case "OBJECT_SCHEMA":
					var n stringNode
					if json.Unmarshal(object, &n) == nil && n.String != nil {
						for key := range c.enums {
							if key[0] == n.String.Sval {
								delete(c.enums, key)
							}
						}
					}
				}
			}
		}
	}
	return nil
}

func index(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// ParseTypeName reads a type name written as CREATE TYPE takes it — name, schema.name, "Quoted
// ""Name""", U&"\0041" — with PostgreSQL's parser, so that a marker names exactly the type that
// CREATE TYPE with the same text creates (unquoted names fold to lower case).
func ParseTypeName(text string) (string, string, error) {
	if strings.ContainsAny(text, "\x00\n\r") {
		return "", "", fmt.Errorf("not a type name")
	}
	stmts, err := Parse("CREATE TYPE " + text + " AS ENUM ()")
	if err != nil || len(stmts) != 1 {
		return "", "", fmt.Errorf("not a type name")
	}
	raw, ok := stmts[0].Stmt["CreateEnumStmt"]
	if !ok {
		return "", "", fmt.Errorf("not a type name")
	}
	var s struct {
		TypeName []stringNode `json:"typeName"`
		Vals     []stringNode `json:"vals"`
	}
	if err := json.Unmarshal(raw, &s); err != nil || len(s.Vals) != 0 {
		return "", "", fmt.Errorf("not a type name")
	}
	parts := strs(s.TypeName)
	if len(parts) < 1 || len(parts) > 2 {
		return "", "", fmt.Errorf("a type name has one or two parts")
	}
	schema, name, _ := qualified(parts)
	return schema, name, nil
}

// skipTrivia returns the offset of the first token at or after i: a statement's location
// includes the white space and comments before it.
func skipTrivia(text string, i int) int {
	for i < len(text) {
		switch {
		case text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r' || text[i] == '\f':
			i++
		case strings.HasPrefix(text[i:], "--"):
			end := strings.IndexByte(text[i:], '\n')
			if end < 0 {
				return len(text)
			}
			i += end + 1
		case strings.HasPrefix(text[i:], "/*"):
			depth := 0 // PostgreSQL's block comments nest
			for i < len(text) {
				if strings.HasPrefix(text[i:], "/*") {
					depth++
					i += 2
				} else if strings.HasPrefix(text[i:], "*/") {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
		default:
			return i
		}
	}
	return i
}

func lineOf(text string, offset int) int {
	if offset > len(text) {
		offset = len(text)
	}
	return strings.Count(text[:offset], "\n") + 1
}

// charPosition turns PostgreSQL's error cursor (characters from 1) into line and column.
func charPosition(text string, cursor int) (int, int) {
	line, col, n := 1, 1, 1
	for _, r := range text {
		if n == cursor {
			break
		}
		n++
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func oneLine(text string) string { return strings.Join(strings.Fields(text), " ") }
