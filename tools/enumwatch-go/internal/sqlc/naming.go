// Package sqlc knows what sqlc does with a PostgreSQL schema: which files a sqlc.yaml (or
// sqlc.yml, sqlc.json) reads and where it writes Go, and the name sqlc gives the Go type of each
// enum type. The rules are read from sqlc's source (github.com/sqlc-dev/sqlc, release v1.31.1)
// and cited where they are written here; no code of sqlc's is copied.
package sqlc

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Naming is what changes sqlc's names in one generated package: the `rename` map (the package's
// own, with the config's global `overrides.go.rename` over it: sqlc v1.31.1,
// internal/codegen/golang/opts/options.go, Parse) and `initialisms` (default ["id"]: same file,
// parseOpts).
type Naming struct {
	Rename      map[string]string
	Initialisms map[string]bool
}

// DefaultNaming is sqlc's naming with no options set.
func DefaultNaming() Naming {
	return Naming{Rename: map[string]string{}, Initialisms: map[string]bool{"id": true}}
}

// EnumKey is the name sqlc derives an enum's Go name from: the type's own name in the default
// schema ("public" for PostgreSQL: sqlc v1.31.1, internal/engine/postgresql/catalog.go), else
// "schema_name" (internal/codegen/golang/result.go, buildEnums). It is also the key of `rename`.
func EnumKey(schema, name string) string {
	if schema == "public" {
		return name
	}
	return schema + "_" + name
}

// GoName is the Go type name sqlc generates for an enum type: sqlc's StructName
// (sqlc v1.31.1, internal/codegen/golang/struct.go) applied to EnumKey. The rule, restated:
//
//  1. a `rename` entry for the key wins, as it is;
//  2. otherwise every rune that is neither a letter nor a digit (unicode.IsLetter/IsDigit)
//     becomes "_", and the text is split at "_";
//  3. a part listed in `initialisms` is upper-cased whole ("id" → "ID"); any other part gets its
//     first rune title-cased and keeps the rest as it is (strings.Title on a part with no
//     separators in it: "pending" → "Pending", "ünïcode" → "Ünïcode", "2fa" → "2fa"), and the
//     parts are joined, so empty parts vanish ("a__b" → "AB");
//  4. a result that begins with a digit gets a "_" in front.
//
// Two types can share a Go name ("order_status" and "OrderStatus" both give OrderStatus); sqlc
// would then generate Go that does not compile, and enumwatch-go says so.
func GoName(schema, name string, naming Naming) string {
	key := EnumKey(schema, name)
	if renamed := naming.Rename[key]; renamed != "" {
		return renamed
	}
	var out, part strings.Builder
	flush := func() {
		p := part.String()
		part.Reset()
		if p == "" {
			return
		}
		if naming.Initialisms[p] {
			out.WriteString(strings.ToUpper(p))
			return
		}
		first, size := utf8.DecodeRuneInString(p)
		out.WriteRune(unicode.ToTitle(first))
		out.WriteString(p[size:])
	}
	for _, r := range key {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			part.WriteRune(r)
		} else {
			flush()
		}
	}
	flush()
	result := out.String()
	if first, _ := utf8.DecodeRuneInString(result); unicode.IsDigit(first) {
		return "_" + result
	}
	return result
}
