package main

// End to end: the wrapper script builds and runs enumwatch-go as a user would, and the daemon's
// own `enumwatch diff` reads what it wrote. Needs the C++ binary: $ENUMWATCH_BINARY (CTest sets
// it), else build/daemon/enumwatch of the checkout; skipped when neither exists.

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"enumwatch-go/internal/snapshot"
)

func enumwatchBinary(t *testing.T) string {
	t.Helper()
	path := os.Getenv("ENUMWATCH_BINARY")
	if path == "" {
		path = filepath.Join("..", "..", "build", "daemon", "enumwatch")
		if _, err := os.Stat(path); err != nil {
			t.Skipf("no enumwatch binary (set ENUMWATCH_BINARY, or build the checkout): %v", err)
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("ENUMWATCH_BINARY: %v", err)
	}
	return abs
}

func execute(t *testing.T, name string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatalf("%s: %v", name, err)
	return 0, "", ""
}

func TestEndToEnd(t *testing.T) {
	enumwatch := enumwatchBinary(t)
	tmp := t.TempDir()
	wrapper, err := filepath.Abs("enumwatch-go")
	if err != nil {
		t.Fatal(err)
	}
	// Through a symbolic link, as a package installs a command.
	link := filepath.Join(tmp, "bin", "enumwatch-go")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(wrapper, link); err != nil {
		t.Fatal(err)
	}
	write := func(project, output string, more ...string) {
		t.Helper()
		args := append([]string{"snapshot", "--project", project, "--output", output}, more...)
		if code, _, stderr := execute(t, link, args...); code != 0 {
			t.Fatalf("enumwatch-go %q: exit %d\n%s", args, code, stderr)
		}
	}

	// sqlc's shop: the code's snapshot diffs clean against the database's.
	shop := filepath.Join(tmp, "shop.toml")
	write("testdata/cases/sqlc-shop", shop)
	if code, out, stderr := execute(t, enumwatch, "diff", "--snapshot", shop, "--against", "testdata/cases/check-agree/db.toml"); code != 0 {
		t.Errorf("enumwatch diff, the shop: exit %d\n%s%s", code, out, stderr)
	}

	// Every difference: the C++ diff finds the items --check names, kind for kind.
	code, _, stderr := execute(t, link, "snapshot", "--project", "testdata/cases/sqlc-shop", "--check", "testdata/cases/check-differ/db.toml")
	if code != 1 {
		t.Fatalf("--check: exit %d\n%s", code, stderr)
	}
	var ours []string
	for _, line := range strings.Split(stderr, "\n") {
		if !strings.HasPrefix(line, "enumwatch-go: drift: ") {
			continue
		}
		// public."2fa_method": kind: …; kind: …  →  the kinds, with the name as printed
		rest := strings.TrimPrefix(line, "enumwatch-go: drift: ")
		name, items := splitName(rest)
		for _, item := range splitItems(items) {
			kind, _, _ := strings.Cut(item, ": ")
			ours = append(ours, name+" "+kind)
		}
	}
	code, out, stderr := execute(t, enumwatch, "diff", "--snapshot", shop, "--against", "testdata/cases/check-differ/db.toml", "--format", "json")
	if code != 1 {
		t.Fatalf("enumwatch diff --format json: exit %d\n%s", code, stderr)
	}
	var report struct {
		Drift []struct{ Schema, Enum, Kind string }
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatal(err)
	}
	var theirs []string
	for _, d := range report.Drift {
		if d.Kind != "snapshot_conflict" { // --against also compares the two as services' snapshots
			theirs = append(theirs, snapshot.DisplayName(d.Schema, d.Enum)+" "+d.Kind)
		}
	}
	sort.Strings(ours)
	sort.Strings(theirs)
	if strings.Join(ours, "\n") != strings.Join(theirs, "\n") || len(ours) < 8 {
		t.Errorf("--check found\n%s\nenumwatch diff found\n%s", strings.Join(ours, "\n"), strings.Join(theirs, "\n"))
	}

	// The post-mortem in Go: code that writes PendingPayment against the database's
	// pending_payment is the daemon's case_mismatch; sqlc's unescaped backslash is a missing
	// and an unexpected value.
	spelling := filepath.Join(tmp, "spelling.json")
	write("testdata/cases/sqlc-spelling", spelling)
	code, out, stderr = execute(t, enumwatch, "diff", "--snapshot", spelling, "--against", "testdata/e2e/spelling-db.toml", "--format", "json")
	if code != 1 {
		t.Fatalf("enumwatch diff, spelling: exit %d\n%s%s", code, out, stderr)
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, d := range report.Drift {
		if d.Kind != "snapshot_conflict" {
			kinds = append(kinds, d.Enum+" "+d.Kind)
		}
	}
	sort.Strings(kinds)
	want := []string{"order_status case_mismatch", "path_sep missing_value", "path_sep unexpected_value",
		"priority order_mismatch", "shipping missing_value", "shipping unexpected_value"}
	if strings.Join(kinds, "\n") != strings.Join(want, "\n") {
		t.Errorf("enumwatch diff found %q, want %q", kinds, want)
	}

	// Hostile names and values: the daemon's parser reads the TOML and the JSON to the same
	// snapshot, and to the one in check-json/db.json.
	hostileTOML := filepath.Join(tmp, "marked.toml")
	hostileJSON := filepath.Join(tmp, "marked.json")
	write("testdata/cases/marked", hostileTOML)
	write("testdata/cases/marked", hostileJSON)
	if code, out, stderr := execute(t, enumwatch, "diff", "--snapshot", hostileTOML, "--against", hostileJSON); code != 0 {
		t.Errorf("enumwatch diff marked.toml marked.json: exit %d\n%s%s", code, out, stderr)
	}
	for _, ours := range []string{hostileTOML, hostileJSON} {
		// db.json also has a [[check]], which enumwatch-go never writes: the only item allowed.
		_, out, stderr := execute(t, enumwatch, "diff", "--snapshot", ours, "--against", "testdata/cases/check-json/db.json", "--format", "json")
		var report struct {
			Drift []struct {
				Enum, Kind string
				Table      *string
			}
		}
		if err := json.Unmarshal([]byte(out), &report); err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		for _, d := range report.Drift {
			if d.Table == nil {
				t.Errorf("enumwatch diff %s db.json: %s %s", filepath.Base(ours), d.Enum, d.Kind)
			}
		}
	}
}

// splitName cuts `schema.name: items` after the name, which may be Go-quoted.
func splitName(text string) (string, string) {
	quoted, escaped := false, false
	for i := 0; i < len(text); i++ {
		switch {
		case escaped:
			escaped = false
		case quoted && text[i] == '\\':
			escaped = true
		case text[i] == '"':
			quoted = !quoted
		case !quoted && strings.HasPrefix(text[i:], ": "):
			return text[:i], text[i+2:]
		}
	}
	return text, ""
}
