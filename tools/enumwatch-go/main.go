// Command enumwatch-go writes an enumwatch snapshot (docs/snapshot-format.md) from Go code:
// sqlc's generated enum types, named after the CREATE TYPE … AS ENUM of the schema files their
// sqlc.yaml reads, and `type X string` const blocks marked //enumwatch:enum schema.name. With
// --check it compares the code with a committed database snapshot instead, without a database.
//
//	enumwatch-go snapshot [--project DIR] [--output F] [--format toml|json]
//	enumwatch-go snapshot [--project DIR] --check F
//
// Exit 0: written, or the code agrees with F. 1: the code differs from F (one line per
// differing enum type on standard error). 2: the input cannot be read or makes no valid
// snapshot (one line on standard error saying where). Warnings never change the exit code.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"enumwatch-go/internal/drift"
	"enumwatch-go/internal/snapshot"
)

const usage = `usage: enumwatch-go snapshot [--project DIR] [--output F] [--format toml|json]
       enumwatch-go snapshot [--project DIR] --check F

Writes an enumwatch snapshot from Go code: sqlc's generated enum types (named after the
CREATE TYPE … AS ENUM in the schema files of their sqlc.yaml) and ` + "`type X string`" + ` const
blocks marked //enumwatch:enum schema.name.

  --project DIR   the project's root directory (default: the current directory)
  --output F      write the snapshot to F, atomically (default: standard output)
  --format FMT    toml (the default) or json; a --output name ending in .json means json
  --check F       compare the code with the committed snapshot F instead: exit 0 when they
                  agree, 1 when they differ (one line per differing enum type), 2 on error

Warnings go to standard error and never change the exit code. Reference: tools/enumwatch-go/README.md.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command: arguments in, exit code out.
func run(args []string, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "enumwatch-go: "+format+"\n", a...)
		return 2
	}
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if len(args) == 0 || args[0] != "snapshot" {
		what := "no command"
		if len(args) > 0 {
			what = fmt.Sprintf("unknown command %q", args[0])
		}
		return fail("%s: the command is `enumwatch-go snapshot [--project DIR] [--output F] [--format toml|json] [--check F]` (--help says more)", what)
	}
	flags := flag.NewFlagSet("enumwatch-go snapshot", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	project := flags.String("project", ".", "")
	output := flags.String("output", "", "")
	format := flags.String("format", "", "")
	check := flags.String("check", "", "")
	if err := flags.Parse(args[1:]); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(stdout, usage)
			return 0
		}
		return fail("%v (--help lists the options)", err)
	}
	if flags.NArg() > 0 {
		return fail("unexpected argument %q (--help lists the options)", flags.Arg(0))
	}
	switch *format {
	case "":
		*format = "toml"
		if strings.HasSuffix(*output, ".json") {
			*format = "json"
		}
	case "toml", "json":
	default:
		return fail("--format %q: write toml or json", *format)
	}
	if *project == "" {
		return fail("--project needs a directory")
	}

	r := &reader{display: displayPath}
	enums, err := r.read(*project)
	if err != nil {
		return fail("%s", oneLine(err.Error())) // the one line that matters: no warnings before it
	}
	var committed snapshot.Loaded
	if *check != "" {
		if committed, err = snapshot.Load(*check); err != nil {
			return fail("%s", oneLine(err.Error()))
		}
	}
	warnings := func() {
		for _, w := range r.warnings {
			fmt.Fprintf(stderr, "enumwatch-go: warning: %s\n", oneLine(w))
		}
	}
	if *check == "" || *output != "" {
		source := "enumwatch-go snapshot --project " + *project
		if !snapshot.HeaderText(source, false) {
			source = "enumwatch-go snapshot"
		}
		s := snapshot.Snapshot{Source: source, Enums: enums}
		text := snapshot.TOML(s)
		if *format == "json" {
			text = snapshot.JSON(s)
		}
		if *output == "" || *output == "-" {
			warnings()
			fmt.Fprint(stdout, text)
		} else {
			if err := writeAtomically(*output, text); err != nil {
				return fail("%s", oneLine(err.Error()))
			}
			warnings()
			fmt.Fprintf(stderr, "enumwatch-go: wrote %d enum types to %s\n", len(enums), *output)
		}
	} else {
		warnings()
	}
	if *check == "" {
		return 0
	}

	if committed.Checks > 0 {
		fmt.Fprintf(stderr, "enumwatch-go: note: %s: its %d [[check]] entries are not compared: Go code declares no CHECK-constraint enums\n", *check, committed.Checks)
	}
	differences := drift.Compare(enums, committed.Enums)
	for _, d := range differences {
		fmt.Fprintf(stderr, "enumwatch-go: drift: %s\n", d.Line())
	}
	if len(differences) > 0 {
		fmt.Fprintf(stderr, "enumwatch-go: the code's enums differ from %s: change the code, or migrate and re-capture the snapshot (enumwatch snapshot)\n", *check)
		return 1
	}
	return 0
}

// writeAtomically replaces path with text: a temporary file beside it, renamed over it.
func writeAtomically(path, text string) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return snapshot.Errorf("%s: cannot write: %s", path, snapshot.Reason(err))
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		return snapshot.Errorf("%s: cannot write: %s", path, snapshot.Reason(err))
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return snapshot.Errorf("%s: cannot write: %s", path, snapshot.Reason(err))
	}
	if err := tmp.Close(); err != nil {
		return snapshot.Errorf("%s: cannot write: %s", path, snapshot.Reason(err))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return snapshot.Errorf("%s: cannot write: %s", path, snapshot.Reason(err))
	}
	return nil
}

// displayPath shows a path as messages do: relative to the working directory when it is inside
// it, else absolute.
func displayPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return abs
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return abs
	}
	return rel
}

// oneLine keeps an error on one line whatever it quotes.
func oneLine(text string) string {
	return strings.ReplaceAll(strings.ReplaceAll(text, "\r", `\r`), "\n", `\n`)
}
