package sqlc

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"enumwatch-go/internal/snapshot"
)

// ConfigNames are the files sqlc reads as its configuration, in the order it looks for them
// (sqlc v1.31.1, internal/cmd/generate.go, readConfig). sqlc refuses a directory holding both a
// JSON and a YAML one. It reads all of them with a YAML decoder (internal/config/config.go,
// ParseConfig): JSON is YAML.
var ConfigNames = []string{"sqlc.yaml", "sqlc.yml", "sqlc.json"}

// Target is one generated Go package of a sqlc config: the schema files its enum types come
// from, the directories its Go lands in, and its naming options.
type Target struct {
	Config string   // the config file, as messages show it
	Entry  string   // which entry of it: "sql[0]", "packages[1]"
	Engine string   // "postgresql", "mysql", …
	Schema []string // schema paths, joined to the config's directory as sqlc joins them
	Dirs   []string // absolute, clean: `out` (or v1 `path`) and `output_models_path`
	Naming Naming
}

// paths is sqlc's Paths: one string or a list of them (internal/config/config.go).
type paths []string

func (p *paths) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind == yaml.ScalarNode {
		*p = []string{node.Value}
		return nil
	}
	var list []string
	if err := node.Decode(&list); err != nil {
		return err
	}
	*p = list
	return nil
}

type goOptions struct {
	Out              string            `yaml:"out"`
	Rename           map[string]string `yaml:"rename"`
	Initialisms      *[]string         `yaml:"initialisms"`
	OutputModelsPath string            `yaml:"output_models_path"`
}

type versionOnly struct {
	Version string `yaml:"version"`
}

// v2 is the part of a version "2" config that names enum types (internal/config/config.go).
type v2 struct {
	SQL []struct {
		Engine string `yaml:"engine"`
		Schema paths  `yaml:"schema"`
		Gen    struct {
			Go *goOptions `yaml:"go"`
		} `yaml:"gen"`
		// Plugins (sqlc-gen-go, the same generator as a WASM plugin) take the same options.
		Codegen []struct {
			Out     string    `yaml:"out"`
			Plugin  string    `yaml:"plugin"`
			Options goOptions `yaml:"options"`
		} `yaml:"codegen"`
	} `yaml:"sql"`
	Overrides struct {
		Go *struct {
			Rename map[string]string `yaml:"rename"`
		} `yaml:"go"`
	} `yaml:"overrides"`
}

// v1 is the same for a version "1" config (internal/config/v_one.go): `path` is the output
// directory, the engine defaults to postgresql, `rename` is global.
type v1 struct {
	Packages []struct {
		Path             string `yaml:"path"`
		Engine           string `yaml:"engine"`
		Schema           paths  `yaml:"schema"`
		OutputModelsPath string `yaml:"output_models_path"`
	} `yaml:"packages"`
	Rename map[string]string `yaml:"rename"`
}

// Load reads one sqlc config. display is its name in messages.
func Load(path, display string) ([]Target, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, snapshot.Errorf("%s: cannot read: %s", display, snapshot.Reason(err))
	}
	bad := func(err error) error {
		return snapshot.Errorf("%s: not a sqlc config sqlc can read: %s", display, oneLine(err.Error()))
	}
	var version versionOnly
	if err := yaml.Unmarshal(data, &version); err != nil {
		return nil, bad(err)
	}
	dir := filepath.Dir(path)
	join := func(p string) string { return filepath.Join(dir, p) }
	abs := func(p string) string {
		a, err := filepath.Abs(join(p))
		if err != nil {
			return filepath.Clean(join(p))
		}
		return a
	}
	var targets []Target
	switch version.Version {
	case "2":
		var conf v2
		if err := yaml.Unmarshal(data, &conf); err != nil {
			return nil, bad(err)
		}
		var global map[string]string
		if conf.Overrides.Go != nil {
			global = conf.Overrides.Go.Rename
		}
		for i, sql := range conf.SQL {
			var schema []string
			for _, s := range sql.Schema {
				schema = append(schema, join(s))
			}
			add := func(entry string, out string, options goOptions) {
				t := Target{Config: display, Entry: entry, Engine: sql.Engine, Schema: schema,
					Naming: naming(options.Rename, global, options.Initialisms)}
				if out != "" {
					t.Dirs = append(t.Dirs, abs(out))
				}
				if options.OutputModelsPath != "" {
					t.Dirs = append(t.Dirs, abs(options.OutputModelsPath))
				}
				targets = append(targets, t)
			}
			if sql.Gen.Go != nil {
				add(fmt.Sprintf("sql[%d]", i), sql.Gen.Go.Out, *sql.Gen.Go)
			}
			for j, c := range sql.Codegen {
				add(fmt.Sprintf("sql[%d].codegen[%d]", i, j), c.Out, c.Options)
			}
		}
	case "1":
		var conf v1
		if err := yaml.Unmarshal(data, &conf); err != nil {
			return nil, bad(err)
		}
		for i, p := range conf.Packages {
			var schema []string
			for _, s := range p.Schema {
				schema = append(schema, join(s))
			}
			engine := p.Engine
			if engine == "" {
				engine = "postgresql"
			}
			t := Target{Config: display, Entry: fmt.Sprintf("packages[%d]", i), Engine: engine, Schema: schema,
				Naming: naming(nil, conf.Rename, nil)}
			if p.Path != "" {
				t.Dirs = append(t.Dirs, abs(p.Path))
			}
			if p.OutputModelsPath != "" {
				t.Dirs = append(t.Dirs, abs(p.OutputModelsPath))
			}
			targets = append(targets, t)
		}
	case "":
		return nil, snapshot.Errorf("%s: not a sqlc config sqlc can read: no version", display)
	default:
		return nil, snapshot.Errorf("%s: not a sqlc config sqlc can read: version %q (sqlc knows \"1\" and \"2\")", display, version.Version)
	}
	return targets, nil
}

func naming(own, global map[string]string, initialisms *[]string) Naming {
	n := DefaultNaming()
	for k, v := range own {
		n.Rename[k] = v
	}
	for k, v := range global {
		n.Rename[k] = v
	}
	if initialisms != nil {
		n.Initialisms = map[string]bool{}
		for _, i := range *initialisms {
			n.Initialisms[i] = true
		}
	}
	return n
}

func oneLine(text string) string { return strings.Join(strings.Fields(text), " ") }
