// Package gocode reads Go source with the Go toolchain's own packages — go/parser for the syntax
// and the raw comments, go/types for the exact value of every constant (implicit repetition in a
// const block, concatenation, conversions, constants defined from constants) — and finds the
// string types that stand for PostgreSQL enum types: sqlc's generated ones, and those marked
// //enumwatch:enum. Nothing is imported and nothing is built.
package gocode

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"enumwatch-go/internal/snapshot"
)

// Files are what a project holds for enumwatch-go.
type Files struct {
	Go    []string // .go files, not _test.go, sorted
	Sqlc  []string // sqlc.yaml / sqlc.yml / sqlc.json, sorted
	Count int      // directories walked
}

// skipDir is what the go command skips too ("Directory and file names that begin with "." or
// "_" are ignored by the go tool, as are directories named "testdata"": go help packages), plus
// vendored code and node_modules, which are not the project's own.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
		name == "testdata" || name == "vendor" || name == "node_modules"
}

// Walk lists a project's Go files and sqlc configs. The root itself is never skipped, whatever
// its name.
func Walk(root string, configNames []string) (Files, error) {
	info, err := os.Stat(root)
	if err != nil {
		return Files{}, snapshot.Errorf("%s: %s", root, snapshot.Reason(err))
	}
	if !info.IsDir() {
		return Files{}, snapshot.Errorf("%s: not a directory (--project takes the project's root directory)", root)
	}
	var out Files
	isConfig := map[string]bool{}
	for _, n := range configNames {
		isConfig[n] = true
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return snapshot.Errorf("%s: cannot read: %s", path, snapshot.Reason(err))
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && skipDir(name) {
				return filepath.SkipDir
			}
			out.Count++
			return nil
		}
		if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		switch {
		case strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") && !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_"):
			out.Go = append(out.Go, path)
		case isConfig[name]:
			out.Sqlc = append(out.Sqlc, path)
		}
		return nil
	})
	if err != nil {
		return Files{}, err
	}
	sort.Strings(out.Go)
	sort.Strings(out.Sqlc)
	return out, nil
}
