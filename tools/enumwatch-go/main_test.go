package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"enumwatch-go/internal/snapshot"
)

func runTool(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestCommandLine(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		err  string
	}{
		{nil, 2, "enumwatch-go: no command: the command is `enumwatch-go snapshot"},
		{[]string{"snap"}, 2, `enumwatch-go: unknown command "snap"`},
		{[]string{"snapshot", "--format", "yaml"}, 2, `enumwatch-go: --format "yaml": write toml or json`},
		{[]string{"snapshot", "--verbose"}, 2, "enumwatch-go: flag provided but not defined: -verbose (--help lists the options)"},
		{[]string{"snapshot", "--project"}, 2, "enumwatch-go: flag needs an argument: -project"},
		{[]string{"snapshot", "extra"}, 2, `enumwatch-go: unexpected argument "extra"`},
		{[]string{"snapshot", "--project", "main.go"}, 2, "enumwatch-go: main.go: not a directory"},
		{[]string{"snapshot", "--project", "testdata/cases/marked", "--check", "testdata/none.toml"}, 2,
			"enumwatch-go: testdata/none.toml: cannot read the snapshot: no such file or directory"},
	} {
		code, out, err := runTool(c.args...)
		if code != c.code || !strings.HasPrefix(err, c.err) || out != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d, %q", c.args, code, out, err, c.code, c.err)
		}
		if strings.Count(err, "\n") != 1 {
			t.Errorf("%q: more than one line: %q", c.args, err)
		}
	}
	for _, help := range [][]string{{"--help"}, {"snapshot", "--help"}, {"-h"}} {
		code, out, _ := runTool(help...)
		if code != 0 || !strings.Contains(out, "--check F") {
			t.Errorf("%q: exit %d, %q", help, code, out)
		}
	}
}

func TestOutputFileIsWrittenAtomicallyInTheFormatItsNameSays(t *testing.T) {
	dir := t.TempDir()
	_, toml, _ := runTool("snapshot", "--project", "testdata/cases/sqlc-shop")
	_, json_, _ := runTool("snapshot", "--project", "testdata/cases/sqlc-shop", "--format", "json")
	for name, want := range map[string]string{"enums.toml": toml, "enums.json": json_, "enums.txt": toml} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("old content"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, err := runTool("snapshot", "--project", "testdata/cases/sqlc-shop", "--output", path)
		if code != 0 || out != "" || err != fmt.Sprintf("enumwatch-go: wrote 7 enum types to %s\n", path) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, code, out, err)
		}
		got, _ := os.ReadFile(path)
		if string(got) != want {
			t.Errorf("%s holds\n%s\nwant\n%s", name, got, want)
		}
		if info, _ := os.Stat(path); info.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v", name, info.Mode())
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	// --format wins over the name; --check with --output writes and checks.
	path := filepath.Join(dir, "forced.json")
	runTool("snapshot", "--project", "testdata/cases/sqlc-shop", "--output", path, "--format", "toml")
	if got, _ := os.ReadFile(path); string(got) != toml {
		t.Error("--format toml did not win over .json")
	}
	code, out, _ := runTool("snapshot", "--project", "testdata/cases/sqlc-shop", "--output", path, "--check", "testdata/cases/check-agree/db.toml")
	if code != 0 || out != "" {
		t.Errorf("--check with --output: exit %d, %q", code, out)
	}
	if _, _, err := runTool("snapshot", "--project", "testdata/cases/sqlc-shop", "--output", filepath.Join(dir, "no", "dir.toml")); !strings.Contains(err, "dir.toml: cannot write: no such file or directory") {
		t.Errorf("unwritable: %q", err)
	}
}

// pgIdent spells a name the way a marker takes it: a Unicode-escaped quoted identifier, so that
// any name (quotes, newlines, capitals) survives a Go line comment.
func pgIdent(name string) string {
	var b strings.Builder
	b.WriteString(`U&"`)
	for _, r := range name {
		switch {
		case r == '"':
			b.WriteString(`""`)
		case r == '\\':
			b.WriteString(`\\`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString(`"`)
	return b.String()
}

// splitItems splits "kind: message; kind: message" at the "; " that are outside Go-quoted
// strings.
func splitItems(text string) []string {
	var items []string
	quoted, escaped, start := false, false, 0
	for i := 0; i < len(text); i++ {
		switch {
		case escaped:
			escaped = false
		case quoted && text[i] == '\\':
			escaped = true
		case text[i] == '"':
			quoted = !quoted
		case !quoted && strings.HasPrefix(text[i:], "; "):
			items = append(items, text[start:i])
			start = i + 2
		}
	}
	return append(items, text[start:])
}

type diffCase struct {
	Name     string `json:"name"`
	Snapshot []struct {
		Schema string   `json:"schema"`
		Name   string   `json:"name"`
		Values []string `json:"values"`
	} `json:"snapshot"`
	Database json.RawMessage `json:"database"`
	Expect   []string        `json:"expect"`
	// One reader's trap (tests/fixtures/diff_cases.json's "about"): its files, by reader.
	Code map[string]struct {
		Files map[string]string `json:"files"`
	} `json:"code"`
}

// tests/fixtures/diff_cases.json: --check must answer every case exactly as the C++ diff
// (tests/unit/common/test_diff_cases.cpp) and enumwatch-py do, through the real command line.
func TestSharedDiffCases(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "tests", "fixtures", "diff_cases.json"))
	if err != nil {
		t.Skipf("no enumwatch checkout around this directory: %v", err)
	}
	var doc struct {
		Cases []diffCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) < 15 {
		t.Fatalf("only %d shared cases", len(doc.Cases))
	}
	for _, c := range doc.Cases {
		c := c
		t.Run(c.Name, func(t *testing.T) {
			dir := t.TempDir()
			if code, ok := c.Code["go"]; ok {
				// Go's own trap: the case's code as written, read as the snapshot says.
				for path, text := range code.Files {
					if err := os.WriteFile(filepath.Join(dir, path), []byte(text), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			// Otherwise the snapshot side as code (another language's trap included): one marked
			// type per enum, its values as constants.
			var src strings.Builder
			src.WriteString("package code\n")
			names := map[string]string{}
			for i, e := range c.Snapshot {
				fmt.Fprintf(&src, "\n//enumwatch:enum %s.%s\ntype E%d string\n\nconst (\n", pgIdent(e.Schema), pgIdent(e.Name), i)
				for j, v := range e.Values {
					fmt.Fprintf(&src, "\tE%dm%d E%d = %q\n", i, j, i, v)
				}
				src.WriteString(")\n")
			}
			var database []struct{ Schema, Name string }
			if err := json.Unmarshal(c.Database, &database); err != nil {
				t.Fatal(err)
			}
			for _, e := range append(database, func() (out []struct{ Schema, Name string }) {
				for _, s := range c.Snapshot {
					out = append(out, struct{ Schema, Name string }{s.Schema, s.Name})
				}
				return
			}()...) {
				names[snapshot.DisplayName(e.Schema, e.Name)] = e.Schema + "." + e.Name
			}
			if _, ok := c.Code["go"]; !ok {
				if err := os.WriteFile(filepath.Join(dir, "code.go"), []byte(src.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			db := filepath.Join(dir, "db.json")
			if err := os.WriteFile(db, []byte(`{"enum": `+string(c.Database)+`}`), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, stderr := runTool("snapshot", "--project", dir, "--check", db)
			if out != "" {
				t.Errorf("--check printed a snapshot: %q", out)
			}
			var got []string
			for _, line := range strings.Split(stderr, "\n") {
				if !strings.HasPrefix(line, "enumwatch-go: drift: ") {
					continue
				}
				rest := strings.TrimPrefix(line, "enumwatch-go: drift: ")
				matched := false
				for display, plain := range names {
					if !strings.HasPrefix(rest, display+": ") {
						continue
					}
					items := strings.TrimPrefix(rest, display+": ")
					matched = true
					for _, item := range splitItems(items) {
						kind, _, _ := strings.Cut(item, ": ")
						got = append(got, plain+" "+kind)
					}
				}
				if !matched {
					t.Errorf("a drift line that names no enum of the case: %q", line)
				}
			}
			sort.Strings(got)
			want := append([]string{}, c.Expect...)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got %q, want %q\n%s", got, want, stderr)
			}
			if wantCode := map[bool]int{true: 1, false: 0}[len(want) > 0]; code != wantCode {
				t.Errorf("exit %d, want %d\n%s", code, wantCode, stderr)
			}
		})
	}
}
