package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/BurntSushi/toml"
)

// Loaded is a committed snapshot as --check reads it.
type Loaded struct {
	Enums  []Enum
	Checks int // [[check]] entries: read, not compared (Go code declares no CHECK enums)
}

type fileEnum struct {
	Schema *string  `toml:"schema" json:"schema"`
	Name   *string  `toml:"name" json:"name"`
	Values []string `toml:"values" json:"values"`
}

type fileCheck struct {
	Schema *string  `toml:"schema" json:"schema"`
	Table  *string  `toml:"table" json:"table"`
	Column *string  `toml:"column" json:"column"`
	Values []string `toml:"values" json:"values"`
}

type fileSnapshot struct {
	Snapshot *struct {
		Revision *string `toml:"revision" json:"revision"`
		Source   *string `toml:"source" json:"source"`
	} `toml:"snapshot" json:"snapshot"`
	Enum  []fileEnum  `toml:"enum" json:"enum"`
	Check []fileCheck `toml:"check" json:"check"`
}

// Load reads an enumwatch snapshot file: JSON when its name ends in .json, else TOML (as the
// daemon decides). Unknown keys are errors, as they are for the daemon.
func Load(path string) (Loaded, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Loaded{}, Errorf("%s: cannot read the snapshot: %s", path, reason(err))
	}
	var doc fileSnapshot
	if strings.HasSuffix(path, ".json") {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil {
			return Loaded{}, Errorf("%s: not a valid snapshot: %s", path, oneLine(err.Error()))
		}
		if dec.More() {
			return Loaded{}, Errorf("%s: not a valid snapshot: text after the JSON object", path)
		}
	} else {
		meta, err := toml.Decode(string(data), &doc)
		if err != nil {
			return Loaded{}, Errorf("%s: not a valid snapshot: %s", path, oneLine(err.Error()))
		}
		if extra := meta.Undecoded(); len(extra) > 0 {
			return Loaded{}, Errorf("%s: not a valid snapshot: unknown key %s", path, extra[0].String())
		}
	}
	var out Loaded
	for i, e := range doc.Enum {
		if e.Name == nil || e.Values == nil {
			return Loaded{}, Errorf("%s: not a valid snapshot: enum #%d needs a name and values", path, i+1)
		}
		schema := DefaultSchema
		if e.Schema != nil {
			schema = *e.Schema
		}
		out.Enums = append(out.Enums, Enum{Schema: schema, Name: *e.Name, Values: e.Values,
			Origin: fmt.Sprintf("%s: enum #%d", path, i+1)})
	}
	for i, c := range doc.Check {
		if c.Table == nil || c.Column == nil || c.Values == nil {
			return Loaded{}, Errorf("%s: not a valid snapshot: check #%d needs a table, a column and values", path, i+1)
		}
	}
	out.Checks = len(doc.Check)
	if err := Validate(out.Enums); err != nil {
		return Loaded{}, err
	}
	return out, nil
}

// reason is an OS error without the path Go puts in front of it.
func reason(err error) string {
	var perr *os.PathError
	if errors.As(err, &perr) {
		return perr.Err.Error()
	}
	return err.Error()
}

// Reason is reason for other packages.
func Reason(err error) string { return reason(err) }

func oneLine(text string) string {
	return strings.Join(strings.Fields(text), " ")
}
