package main

// The fixture cases: every directory under testdata/cases is one run of the command line, in
// process, and what a user would see from it.
//
//	args         the arguments, one per line (default: snapshot --project $CASE); $CASE is the
//	             case's directory, $TESTDATA the testdata directory, both relative to the
//	             package directory, where the tests run
//	want.stdout  standard output, exactly (absent: none)
//	want.stderr  standard error, exactly (absent: none)
//	want.exit    the exit code (absent: 0)
//
// The project the case reads is the case directory itself (or what args names): its Go files,
// sqlc config and schema files. go test -run TestCases -update rewrites the want files from what
// the command does now; read the diff before committing it.

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the want.* files of testdata/cases from the current output")

func readOptional(t *testing.T, path string) (string, bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(data), true
}

func caseArgs(t *testing.T, dir string) []string {
	t.Helper()
	text, ok := readOptional(t, filepath.Join(dir, "args"))
	if !ok {
		return []string{"snapshot", "--project", dir}
	}
	var args []string
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		line = strings.ReplaceAll(line, "$CASE", dir)
		line = strings.ReplaceAll(line, "$TESTDATA", "testdata")
		args = append(args, line)
	}
	return args
}

func TestCases(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "cases", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 20 {
		t.Fatalf("only %d fixture cases found in testdata/cases", len(dirs))
	}
	for _, dir := range dirs {
		dir := dir
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(caseArgs(t, dir), &stdout, &stderr)
			if *update {
				write := func(name, text string, keep bool) {
					path := filepath.Join(dir, name)
					if !keep {
						os.Remove(path)
						return
					}
					if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				write("want.stdout", stdout.String(), stdout.Len() > 0)
				write("want.stderr", stderr.String(), stderr.Len() > 0)
				write("want.exit", strconv.Itoa(code)+"\n", code != 0)
				return
			}
			wantOut, _ := readOptional(t, filepath.Join(dir, "want.stdout"))
			wantErr, _ := readOptional(t, filepath.Join(dir, "want.stderr"))
			wantCode := 0
			if text, ok := readOptional(t, filepath.Join(dir, "want.exit")); ok {
				if wantCode, err = strconv.Atoi(strings.TrimSpace(text)); err != nil {
					t.Fatal(err)
				}
			}
			if code != wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, wantCode, stderr.String())
			}
			if got := stdout.String(); got != wantOut {
				t.Errorf("standard output differs\n--- got\n%s--- want\n%s", got, wantOut)
			}
			if got := stderr.String(); got != wantErr {
				t.Errorf("standard error differs\n--- got\n%s--- want\n%s", got, wantErr)
			}
			// An error is one line: the file, the place, what is wrong.
			if wantCode == 2 && strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("exit 2 must say one line, said:\n%s", stderr.String())
			}
		})
	}
}
