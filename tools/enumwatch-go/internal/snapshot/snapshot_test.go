package snapshot

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

var hostile = []string{
	`say "hi"`, `back\slash`, "new\nline", "tab\there", "cr\rlf", "bell\a", "nul-free \x1b[31m escape",
	"del\x7f", "naïve ☃ 東京", "<b>&amp;</b>", "'single'", `\u0041 not an escape`, "# not a comment",
	"trailing space ", " ", "\u2028 line separator", "\u0085 next line", "ends with backslash\\",
}

// What enumwatch-go writes is TOML a TOML parser reads back to the same strings, and JSON the
// JSON parser reads back to the same strings.
func TestHostileStringsRoundTrip(t *testing.T) {
	s := Snapshot{Source: "test", Enums: []Enum{
		{Schema: "odd \"schema\"", Name: "new\nline", Values: hostile},
		{Schema: "public", Name: "Über Status", Values: []string{"a"}},
	}}
	if err := Validate(s.Enums); err != nil {
		t.Fatal(err)
	}
	type doc struct {
		Snapshot map[string]string `toml:"snapshot" json:"snapshot"`
		Enum     []struct {
			Schema string   `toml:"schema" json:"schema"`
			Name   string   `toml:"name" json:"name"`
			Values []string `toml:"values" json:"values"`
		} `toml:"enum" json:"enum"`
	}
	var fromTOML, fromJSON doc
	text := TOML(s)
	if _, err := toml.Decode(text, &fromTOML); err != nil {
		t.Fatalf("not TOML: %v\n%s", err, text)
	}
	if err := json.Unmarshal([]byte(JSON(s)), &fromJSON); err != nil {
		t.Fatal(err)
	}
	for _, got := range []doc{fromTOML, fromJSON} {
		if len(got.Enum) != 2 || got.Enum[0].Name != "new\nline" || got.Enum[0].Schema != "odd \"schema\"" {
			t.Fatalf("names: %+v", got.Enum)
		}
		if !reflect.DeepEqual(got.Enum[0].Values, hostile) {
			t.Errorf("values came back as %q", got.Enum[0].Values)
		}
		if got.Snapshot["source"] != "test" {
			t.Errorf("source: %q", got.Snapshot)
		}
	}
	// Every line of the TOML is one line: no raw control character in it.
	for _, line := range strings.Split(text, "\n") {
		for _, r := range line {
			if r < 0x20 && r != '\t' || r == 0x7f {
				t.Errorf("raw control character %U in %q", r, line)
			}
		}
	}
	if !strings.Contains(JSON(s), `"<b>&amp;</b>"`) {
		t.Error("JSON escaped HTML characters")
	}
}

func TestTOMLStringEscapes(t *testing.T) {
	for in, want := range map[string]string{
		`a"b`:        `"a\"b"`,
		`a\b`:        `"a\\b"`,
		"a\nb":       `"a\nb"`,
		"a\tb":       `"a\tb"`,
		"a\rb":       `"a\rb"`,
		"a\x00b":     `"a\u0000b"`,
		"a\x1bb":     `"a\u001Bb"`,
		"a\x7fb":     `"a\u007Fb"`,
		"naïve ☃":    `"naïve ☃"`,
		"\u2028":     "\"\u2028\"",
		"plain_text": `"plain_text"`,
	} {
		if got := TOMLString(in); got != want {
			t.Errorf("TOMLString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	long := strings.Repeat("é", 32) // 64 bytes
	for _, c := range []struct {
		enums []Enum
		want  string
	}{
		{[]Enum{{Schema: "public", Name: "s", Values: []string{"a", "a"}, Origin: "x.go:1"}}, `x.go:1: enum public.s: duplicate value "a"`},
		{[]Enum{{Schema: "public", Name: "s", Values: nil, Origin: "x.go:1"}}, "x.go:1: enum public.s has no values"},
		{[]Enum{{Schema: "public", Name: "s", Values: []string{long}, Origin: "x.go:1"}}, "is 64 bytes; PostgreSQL allows at most 63"},
		{[]Enum{{Schema: "public", Name: "s", Values: []string{""}, Origin: "x.go:1"}}, "must not be empty"},
		{[]Enum{{Schema: "public", Name: "s", Values: []string{"a\x00"}, Origin: "x.go:1"}}, "contains a NUL character"},
		{[]Enum{{Schema: "public", Name: "s", Values: []string{"\xff"}, Origin: "x.go:1"}}, "is not valid UTF-8"},
		{[]Enum{{Schema: "", Name: "s", Values: []string{"a"}, Origin: "x.go:1"}}, `schema "" must not be empty`},
		{[]Enum{{Schema: "public", Name: "s", Values: []string{"a"}, Origin: "a.go:1"},
			{Schema: "public", Name: "s", Values: []string{"a"}, Origin: "b.go:2"}}, "b.go:2: enum public.s is also defined at a.go:1"},
	} {
		err := Validate(c.enums)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate: %v, want %q", err, c.want)
		}
	}
	ok := strings.Repeat("é", 31) + "x" // 63 bytes
	if err := Validate([]Enum{{Schema: "public", Name: "s", Values: []string{ok}}}); err != nil {
		t.Errorf("63 bytes: %v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	got, err := Load(write("a.toml", "[snapshot]\nrevision = \"r1\"\n[[enum]]\nname = \"s\"\nvalues = ['lit\\eral', \"\"\"multi\nline\"\"\"]\n[[check]]\ntable = \"t\"\ncolumn = \"c\"\nvalues = [\"x\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Enums) != 1 || got.Enums[0].Schema != "public" || !reflect.DeepEqual(got.Enums[0].Values, []string{`lit\eral`, "multi\nline"}) || got.Checks != 1 {
		t.Errorf("got %+v", got)
	}
	for name, c := range map[string]struct{ text, want string }{
		"broken.toml":   {"[[enum]\n", "broken.toml: not a valid snapshot: toml: line 2"},
		"unknown.toml":  {"[[enum]]\nname = \"s\"\nvalues = [\"a\"]\nvalue = 1\n", "unknown key enum.value"},
		"noname.toml":   {"[[enum]]\nvalues = [\"a\"]\n", "enum #1 needs a name and values"},
		"number.toml":   {"[[enum]]\nname = \"s\"\nvalues = [1]\n", "not a valid snapshot"},
		"dup.json":      {`{"enum": [{"name": "s", "values": ["a", "a"]}]}`, `duplicate value "a"`},
		"unknown.json":  {`{"enum": [], "enums": []}`, `unknown field "enums"`},
		"trailing.json": {`{"enum": []} {}`, "text after the JSON object"},
	} {
		_, err := Load(write(name, c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if _, err := Load(filepath.Join(dir, "none.toml")); err == nil || !strings.HasSuffix(err.Error(), "none.toml: cannot read the snapshot: no such file or directory") {
		t.Errorf("missing file: %v", err)
	}
}

func TestDisplayName(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"public", "order_status"}: "public.order_status",
		{"public", "OrderStatus"}:  `public."OrderStatus"`,
		{"odd.schema", "a b"}:      `"odd.schema"."a b"`,
		{"public", "new\nline"}:    `public."new\nline"`,
		{"public", "2fa"}:          `public."2fa"`,
		{"public", "a1$"}:          "public.a1$",
	} {
		if got := DisplayName(in[0], in[1]); got != want {
			t.Errorf("DisplayName(%q) = %s, want %s", in, got, want)
		}
	}
}
