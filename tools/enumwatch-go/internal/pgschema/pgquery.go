// Package pgschema reads SQL with PostgreSQL's own parser: libpg_query (Debian's
// libpg-query-dev, PostgreSQL 15's grammar) through cgo, pg_query_parse's JSON parse tree decoded
// with encoding/json. sqlc's releases parse PostgreSQL schemas with pg_query_go, a binding of the
// same library, so a schema reads here as it reads for sqlc. No regular expression ever looks at
// SQL text.
package pgschema

/*
#cgo LDFLAGS: -lpg_query
#include <stdlib.h>
#include <pg_query.h>
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"unsafe"
)

// SyntaxError is PostgreSQL's parser refusing the text. Position counts characters from 1, as
// PostgreSQL's error cursor does (0: unknown).
type SyntaxError struct {
	Message  string
	Position int
}

func (e *SyntaxError) Error() string { return e.Message }

// Node is one node of the parse tree: {"NodeType": {fields}}.
type Node map[string]json.RawMessage

// RawStmt is one statement of a parse: the node and where its text begins (a byte offset, which
// includes the white space and comments before it).
type RawStmt struct {
	Stmt     Node `json:"stmt"`
	Location int  `json:"stmt_location"`
	Length   int  `json:"stmt_len"`
}

type parseTree struct {
	Version int       `json:"version"`
	Stmts   []RawStmt `json:"stmts"`
}

// Parse parses SQL text into its statements. The text must hold no NUL byte (a C string ends
// there); callers check.
func Parse(text string) ([]RawStmt, error) {
	input := C.CString(text)
	defer C.free(unsafe.Pointer(input))
	result := C.pg_query_parse(input)
	defer C.pg_query_free_parse_result(result)
	if result.error != nil {
		return nil, &SyntaxError{
			Message:  C.GoString(result.error.message),
			Position: int(result.error.cursorpos),
		}
	}
	var tree parseTree
	if err := json.Unmarshal([]byte(C.GoString(result.parse_tree)), &tree); err != nil {
		return nil, fmt.Errorf("libpg_query's parse tree: %w", err)
	}
	return tree.Stmts, nil
}
