// enumwatch-go builds offline: the standard library, libpg_query through cgo (libpg-query-dev),
// and two Go libraries from Debian's packages, never from a module proxy
// (GOFLAGS=-mod=mod GOPROXY=off; see the wrapper script enumwatch-go and README.md).
module enumwatch-go

go 1.19

require (
	github.com/BurntSushi/toml v1.2.0 // Debian: golang-github-burntsushi-toml-dev (reads --check snapshots)
	gopkg.in/yaml.v3 v3.0.1 // Debian: golang-gopkg-yaml.v3-dev (reads sqlc.yaml, as sqlc does)
)

replace (
	github.com/BurntSushi/toml => /usr/share/gocode/src/github.com/BurntSushi/toml
	gopkg.in/yaml.v3 => /usr/share/gocode/src/gopkg.in/yaml.v3
)
