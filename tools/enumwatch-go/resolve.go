package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"enumwatch-go/internal/drift"
	"enumwatch-go/internal/gocode"
	"enumwatch-go/internal/pgschema"
	"enumwatch-go/internal/snapshot"
	"enumwatch-go/internal/sqlc"
)

// target is a sqlc-generated package with the enum types its schema files leave.
type target struct {
	sqlc.Target
	catalog *pgschema.Catalog // nil when the engine is not PostgreSQL
}

type reader struct {
	display  func(string) string
	warnings []string
}

func (r *reader) warn(format string, args ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf(format, args...))
}

// loadTargets reads every sqlc config of the project and replays the schema files of each
// PostgreSQL entry. Entries that read the same schema files share one catalog.
func (r *reader) loadTargets(configs []string) ([]*target, error) {
	// sqlc takes sqlc.yaml before sqlc.yml, and refuses a directory with YAML and JSON both.
	byDir := map[string][]string{}
	var dirs []string
	for _, c := range configs {
		d := filepath.Dir(c)
		if _, ok := byDir[d]; !ok {
			dirs = append(dirs, d)
		}
		byDir[d] = append(byDir[d], filepath.Base(c))
	}
	var out []*target
	catalogs := map[string]*pgschema.Catalog{}
	for _, d := range dirs {
		names := strings.Join(byDir[d], " ")
		if strings.Contains(names, "sqlc.json") && strings.Contains(names, "sqlc.y") {
			return nil, snapshot.Errorf("%s: both sqlc.json and sqlc.(yaml|yml) present: sqlc refuses that, and so does enumwatch-go", r.display(d))
		}
		name := byDir[d][0]
		for _, preferred := range sqlc.ConfigNames {
			if strings.Contains(" "+names+" ", " "+preferred+" ") {
				name = preferred
				break
			}
		}
		path := filepath.Join(d, name)
		targets, err := sqlc.Load(path, r.display(path))
		if err != nil {
			return nil, err
		}
		for _, t := range targets {
			entry := &target{Target: t}
			out = append(out, entry)
			if t.Engine != "postgresql" {
				continue
			}
			files, err := pgschema.SchemaFiles(t.Schema)
			if err != nil {
				return nil, snapshot.Errorf("%s: %s: schema %v", t.Config, t.Entry, err)
			}
			key := strings.Join(files, "\x00")
			if c, ok := catalogs[key]; ok {
				entry.catalog = c
				continue
			}
			c := pgschema.NewCatalog()
			for _, f := range files {
				if err := c.ReadFile(f, r.display(f)); err != nil {
					return nil, err
				}
			}
			r.warnings = append(r.warnings, c.Warnings...)
			catalogs[key] = c
			entry.catalog = c
		}
	}
	return out, nil
}

// sqlcName finds the CREATE TYPE that sqlc named t after, in the configs that generate t's
// package.
// With quiet set (the type is marked, so its name is known), it only looks, and says nothing.
func (r *reader) sqlcName(t *gocode.Type, targets []*target, quiet bool) *pgschema.Enum {
	if quiet {
		saved := r.warnings
		defer func() { r.warnings = saved }()
	}
	var mine []*target
	for _, tg := range targets {
		for _, d := range tg.Dirs {
			if d == t.Dir {
				mine = append(mine, tg)
				break
			}
		}
	}
	if len(mine) == 0 {
		r.warn("%s: %s is an enum type sqlc generated, but no sqlc.yaml, sqlc.yml or sqlc.json in the project generates %s: its PostgreSQL name is unknown, so it is left out (mark it //enumwatch:enum schema.name)",
			t.Where, t.Name, r.display(t.Dir))
		return nil
	}
	var candidates []*pgschema.Enum
	var configs []string
	postgres := false
	for _, tg := range mine {
		configs = append(configs, tg.Config+" "+tg.Entry)
		if tg.catalog == nil {
			continue
		}
		postgres = true
		for _, e := range tg.catalog.Enums() {
			if sqlc.GoName(e.Schema, e.Name, tg.Naming) != t.Name {
				continue
			}
			duplicate := false
			for _, c := range candidates {
				duplicate = duplicate || (c.Schema == e.Schema && c.Name == e.Name)
			}
			if !duplicate {
				candidates = append(candidates, e)
			}
		}
	}
	switch {
	case !postgres:
		r.warn("%s: %s comes from %s, whose engine is not PostgreSQL: left out", t.Where, t.Name, strings.Join(configs, ", "))
		return nil
	case len(candidates) == 0:
		r.warn("%s: %s: no CREATE TYPE … AS ENUM in the schema files of %s gets this name from sqlc: left out (is the generated code older than the schema? run sqlc generate, or mark it //enumwatch:enum schema.name)",
			t.Where, t.Name, strings.Join(configs, ", "))
		return nil
	case len(candidates) > 1:
		var names []string
		var exact []*pgschema.Enum
		for _, c := range candidates {
			names = append(names, snapshot.DisplayName(c.Schema, c.Name)+" ("+c.Where+")")
			if equal(c.Values, valuesOf(t)) {
				exact = append(exact, c)
			}
		}
		if len(exact) == 1 {
			r.warn("%s: %s is sqlc's name for %s: sqlc generates Go that does not compile; %s has the same values, so it is taken (rename one with sqlc's `rename` option)",
				t.Where, t.Name, strings.Join(names, " and "), snapshot.DisplayName(exact[0].Schema, exact[0].Name))
			return exact[0]
		}
		r.warn("%s: %s is sqlc's name for %s: sqlc generates Go that does not compile; left out (rename one with sqlc's `rename` option, or mark the type //enumwatch:enum schema.name)",
			t.Where, t.Name, strings.Join(names, " and "))
		return nil
	}
	return candidates[0]
}

func valuesOf(t *gocode.Type) []string {
	out := make([]string, len(t.Values))
	for i, v := range t.Values {
		out[i] = v.Value
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// sqlcUnescaped is what Go makes of a label that sqlc wrote between double quotes as it is (sqlc
// v1.31.1, internal/codegen/golang/templates/template.tmpl: `{{.Name}} {{.Type}} =
// "{{.Value}}"`, text/template, no escaping): a backslash in the label starts a Go escape.
func sqlcUnescaped(label string) (string, bool) {
	if !strings.Contains(label, `\`) {
		return "", false
	}
	v, err := strconv.Unquote(`"` + label + `"`)
	return v, err == nil
}

// crossCheck names the ways the code's values differ from the schema files' labels: a value
// spelled differently (the post-mortem's PascalCase against snake_case, or a backslash sqlc
// did not escape), a value the schema lacks, a label no constant writes, another order. The
// snapshot keeps what the code writes; these are warnings.
func (r *reader) crossCheck(t *gocode.Type, e *pgschema.Enum) {
	code := valuesOf(t)
	if equal(code, e.Values) {
		return
	}
	where := map[string]gocode.Value{}
	for _, v := range t.Values {
		where[v.Value] = v
	}
	name := snapshot.DisplayName(e.Schema, e.Name) + " (" + e.Where + ")"
	missing, unexpected, pairs := drift.ValueDifferences(code, e.Values)
	// Labels with a backslash that Go read as an escape pair first.
	var rest []string
	for _, v := range missing {
		paired := false
		for i, label := range unexpected {
			if go_, ok := sqlcUnescaped(label); ok && go_ == v {
				r.warn("%s: %s writes %s, but %s has the label %s: sqlc copies a label into a Go string literal without escaping it, so Go reads its backslash as an escape, and the database will refuse the value (rename the label, or write the constant by hand)",
					where[v].Where, where[v].Const, strconv.Quote(v), name, strconv.Quote(label))
				unexpected = append(unexpected[:i:i], unexpected[i+1:]...)
				paired = true
				break
			}
		}
		if !paired {
			rest = append(rest, v)
		}
	}
	stale := ""
	if t.Sqlc && t.Marker == nil {
		stale = " (is the generated code older than the schema? run sqlc generate)"
	}
	for _, p := range pairs {
		r.warn("%s: %s writes %s, but %s spells it %s: the snapshot keeps what the code writes, which the database will refuse; change the constant, or the schema and its migration%s",
			where[p.Code].Where, where[p.Code].Const, strconv.Quote(p.Code), name, strconv.Quote(p.Database), stale)
	}
	for _, v := range rest {
		r.warn("%s: %s writes %s, which %s does not have: the database will refuse it%s",
			where[v].Where, where[v].Const, strconv.Quote(v), name, stale)
	}
	for _, label := range unexpected {
		r.warn("%s: %s has the label %s, which no constant of %s writes%s", t.Where, name, strconv.Quote(label), t.Name, stale)
	}
	if len(pairs) == 0 && drift.OrderDiffers(code, e.Values, pairs) {
		r.warn("%s: %s lists its values in another order than %s: the snapshot keeps the code's order, and order matters to PostgreSQL (ORDER BY, <)%s",
			t.Where, t.Name, name, stale)
	}
}

// read reads a project: every enum type its Go code writes, with the PostgreSQL name of each.
func (r *reader) read(root string) ([]snapshot.Enum, error) {
	files, err := gocode.Walk(root, sqlc.ConfigNames)
	if err != nil {
		return nil, err
	}
	targets, err := r.loadTargets(files.Sqlc)
	if err != nil {
		return nil, err
	}
	scanned, err := gocode.Scan(files.Go, r.display)
	if err != nil {
		return nil, err
	}
	r.warnings = append(r.warnings, scanned.Warnings...)

	var enums []snapshot.Enum
	index := map[[2]string]int{}
	for _, t := range scanned.Types {
		var schema, name string
		var created *pgschema.Enum
		switch {
		case t.Marker != nil:
			// The marker names the type; the schema files, when they have it, are compared. A
			// sqlc type whose marker moves it elsewhere (a search_path the schema files do not
			// show) is compared with the CREATE TYPE sqlc generated it from.
			schema, name = t.Marker.Schema, t.Marker.Name
			for _, tg := range targets {
				if tg.catalog != nil && created == nil {
					created = tg.catalog.Lookup(schema, name)
				}
			}
			if created == nil && t.Sqlc {
				created = r.sqlcName(t, targets, true)
			}
		case t.Sqlc:
			created = r.sqlcName(t, targets, false)
			if created == nil {
				continue
			}
			schema, name = created.Schema, created.Name
		default:
			if t.Methods && len(t.Values) > 0 {
				r.warn("%s: %s has string constants and a Scan or Value method, like a database enum, but no //enumwatch:enum marker: it is not in the snapshot (mark it //enumwatch:enum schema.name if PostgreSQL stores it as an enum)",
					t.Where, t.Name)
			}
			continue
		}
		if len(t.Values) == 0 {
			if t.Marker != nil {
				return nil, snapshot.Errorf("%s: %s is marked //enumwatch:enum %s but its package has no constants of type %s: they are the labels",
					t.Marker.Where, t.Name, snapshot.DisplayName(schema, name), t.Name)
			}
			r.warn("%s: %s has no constants (an enum type without labels): left out", t.Where, t.Name)
			continue
		}
		if created != nil {
			r.crossCheck(t, created)
		}
		key := [2]string{schema, name}
		if i, ok := index[key]; ok {
			if !equal(enums[i].Values, valuesOf(t)) {
				r.warn("%s: %s is %s, which %s defines with other values: %v vs %v; keeping the first",
					t.Where, t.Name, snapshot.DisplayName(schema, name), enums[i].Origin, quoteList(enums[i].Values), quoteList(valuesOf(t)))
			}
			continue
		}
		index[key] = len(enums)
		enums = append(enums, snapshot.Enum{Schema: schema, Name: name, Values: valuesOf(t), Origin: t.Where})
	}
	if len(enums) == 0 {
		r.warn("%s: no enum types found: no sqlc-generated enum type matched a CREATE TYPE, and no `type X string` is marked //enumwatch:enum schema.name", r.display(root))
	}
	if err := snapshot.Validate(enums); err != nil {
		return nil, err
	}
	return enums, nil
}

func quoteList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
