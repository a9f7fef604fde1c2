// Package snapshot is enumwatch's snapshot format (docs/snapshot-format.md, SPEC §3) as
// enumwatch-go writes and reads it: enum types with their values in order, validated by the
// rules the daemon applies, rendered deterministically as TOML or JSON.
package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultSchema is the schema of an [[enum]] that names none.
const DefaultSchema = "public"

// MaxNameBytes is PostgreSQL's NAMEDATALEN - 1: the longest name or label, in bytes.
const MaxNameBytes = 63

// Limits of the [snapshot] header, as common/include/enumwatch/snapshot/snapshot.hpp sets them.
const (
	maxRevisionBytes = 200
	maxSourceBytes   = 1000
)

// Enum is one [[enum]]: a PostgreSQL enum type and its labels in order.
type Enum struct {
	Schema string
	Name   string
	Values []string
	Origin string // where the code declares it (file:line), for messages
}

// Snapshot is what enumwatch-go writes: a header and the enums.
type Snapshot struct {
	Revision string
	Source   string
	Enums    []Enum
}

// InputError is input that cannot be read or makes no valid snapshot: exit 2, one line.
type InputError struct{ Message string }

func (e *InputError) Error() string { return e.Message }

// Errorf makes an InputError.
func Errorf(format string, args ...any) error {
	return &InputError{Message: fmt.Sprintf(format, args...)}
}

// QuoteName shows one part of a PostgreSQL name in a message: bare when it is a plain lower-case
// identifier, else Go-quoted, so that quotes, spaces and newlines can never split or fake a line.
func QuoteName(part string) string {
	plain := part != ""
	for i, r := range part {
		if !(r == '_' || (r >= 'a' && r <= 'z') || (i > 0 && (r >= '0' && r <= '9' || r == '$'))) {
			plain = false
			break
		}
	}
	if plain {
		return part
	}
	return strconv.Quote(part)
}

// DisplayName is schema.name for messages.
func DisplayName(schema, name string) string {
	return QuoteName(schema) + "." + QuoteName(name)
}

// LabelProblem says what makes text unusable as a name or label, or "" (the daemon's rules:
// common/src/snapshot/snapshot.cpp, label_problem).
func LabelProblem(text string) string {
	switch {
	case text == "":
		return "must not be empty"
	case len(text) > MaxNameBytes:
		return fmt.Sprintf("is %d bytes; PostgreSQL allows at most %d", len(text), MaxNameBytes)
	case !utf8.ValidString(text):
		return "is not valid UTF-8"
	case strings.ContainsRune(text, 0):
		return "contains a NUL character"
	}
	return ""
}

// Validate applies the snapshot rules: names and values 1 to 63 bytes of UTF-8 without NUL, at
// least one value, no value twice in one enum, no (schema, name) twice.
func Validate(enums []Enum) error {
	seen := map[[2]string]string{}
	for _, e := range enums {
		full := DisplayName(e.Schema, e.Name)
		for _, part := range []struct{ what, text string }{{"schema", e.Schema}, {"enum name", e.Name}} {
			if p := LabelProblem(part.text); p != "" {
				return Errorf("%s: %s %s %s", e.Origin, part.what, strconv.Quote(part.text), p)
			}
		}
		if len(e.Values) == 0 {
			return Errorf("%s: enum %s has no values", e.Origin, full)
		}
		labels := map[string]bool{}
		for _, v := range e.Values {
			if p := LabelProblem(v); p != "" {
				return Errorf("%s: enum %s: value %s %s", e.Origin, full, strconv.Quote(v), p)
			}
			if labels[v] {
				return Errorf("%s: enum %s: duplicate value %s", e.Origin, full, strconv.Quote(v))
			}
			labels[v] = true
		}
		key := [2]string{e.Schema, e.Name}
		if other, ok := seen[key]; ok {
			return Errorf("%s: enum %s is also defined at %s", e.Origin, full, other)
		}
		seen[key] = e.Origin
	}
	return nil
}

// HeaderText reports whether text may stand in the [snapshot] header: the daemon refuses
// control characters and backslashes there, and bounds the length.
func HeaderText(text string, revision bool) bool {
	limit := maxSourceBytes
	if revision {
		limit = maxRevisionBytes
	}
	if len(text) > limit || !utf8.ValidString(text) || strings.ContainsRune(text, '\\') {
		return false
	}
	for _, r := range text {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}

// Sorted returns the enums in the canonical order: by schema, then name (byte order, as the
// daemon sorts them).
func Sorted(enums []Enum) []Enum {
	out := append([]Enum(nil), enums...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Schema != out[j].Schema {
			return out[i].Schema < out[j].Schema
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// TOMLString quotes text as a TOML basic string: quotes, backslashes and control characters
// escaped (the same escapes as common/src/core/text.cpp, toml_quote), everything else, non-ASCII
// included, as it is.
func TOMLString(text string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range text {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TOML renders the snapshot in the canonical order. Validate it first: text that is not UTF-8
// has no TOML spelling.
func TOML(s Snapshot) string {
	var lines []string
	lines = append(lines, "# Generated by enumwatch-go; do not edit: regenerate it from the code.", "")
	if s.Revision != "" || s.Source != "" {
		lines = append(lines, "[snapshot]")
		if s.Revision != "" {
			lines = append(lines, "revision = "+TOMLString(s.Revision))
		}
		if s.Source != "" {
			lines = append(lines, "source = "+TOMLString(s.Source))
		}
		lines = append(lines, "")
	}
	for _, e := range Sorted(s.Enums) {
		quoted := make([]string, len(e.Values))
		for i, v := range e.Values {
			quoted[i] = TOMLString(v)
		}
		lines = append(lines,
			"[[enum]]",
			"schema = "+TOMLString(e.Schema),
			"name = "+TOMLString(e.Name),
			"values = ["+strings.Join(quoted, ", ")+"]",
			"")
	}
	return strings.Join(lines, "\n")
}

type jsonHeader struct {
	Revision string `json:"revision,omitempty"`
	Source   string `json:"source,omitempty"`
}

type jsonEnum struct {
	Schema string   `json:"schema"`
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

type jsonSnapshot struct {
	Snapshot jsonHeader `json:"snapshot"`
	Enum     []jsonEnum `json:"enum"`
}

// JSON renders the snapshot as JSON in the canonical order, two-space indented, non-ASCII as it
// is (no HTML escaping: a value "<a>" stays "<a>").
func JSON(s Snapshot) string {
	doc := jsonSnapshot{Snapshot: jsonHeader{Revision: s.Revision, Source: s.Source}, Enum: []jsonEnum{}}
	for _, e := range Sorted(s.Enums) {
		doc.Enum = append(doc.Enum, jsonEnum{Schema: e.Schema, Name: e.Name, Values: e.Values})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		panic(err) // strings and slices only: cannot fail
	}
	return buf.String()
}
