// Package drift compares the code's enums with a committed database snapshot, without a
// database: the kinds and their reading are enumwatch's (docs/drift-kinds.md), the same as
// common/src/diff/diff.cpp and tools/enumwatch-py/enumwatch_py/check.py; the shared cases in
// tests/fixtures/diff_cases.json hold all three to the same answers.
package drift

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"enumwatch-go/internal/snapshot"
)

// Item is one difference: a kind of docs/drift-kinds.md and what it means here.
type Item struct {
	Kind    string
	Message string
}

// Enum is every difference of one enum type.
type Enum struct {
	Schema, Name string
	Items        []Item
}

// Line is the one line --check prints for the enum: its name, then each item as "kind: message",
// separated by "; ". Names and values are quoted, so nothing in them can end the line.
func (e Enum) Line() string {
	parts := make([]string, len(e.Items))
	for i, item := range e.Items {
		parts[i] = item.Kind + ": " + item.Message
	}
	return snapshot.DisplayName(e.Schema, e.Name) + ": " + strings.Join(parts, "; ")
}

// foldCase is the simple one-to-one case folding of the C++ diff: ASCII, Latin-1, Latin
// Extended-A, Greek and Cyrillic capitals. Other scripts, and foldings of more than one letter
// (German "STRASSE" and "straße"), compare exactly.
func foldCase(r rune) rune {
	switch {
	case r >= 0x41 && r <= 0x5A, r >= 0xC0 && r <= 0xDE && r != 0xD7:
		return r + 32
	case r >= 0x100 && r <= 0x137 && r != 0x130 && r%2 == 0, r >= 0x14A && r <= 0x177 && r%2 == 0:
		return r + 1
	case (r >= 0x139 && r <= 0x148 || r >= 0x179 && r <= 0x17E) && r%2 == 1:
		return r + 1
	case r == 0x178:
		return 0xFF
	case r >= 0x391 && r <= 0x3A9 && r != 0x3A2, r >= 0x410 && r <= 0x42F:
		return r + 32
	case r >= 0x400 && r <= 0x40F:
		return r + 80
	}
	return r
}

// Folded is the spelling case_mismatch compares: "PendingPayment", "pending-payment" and
// "pending payment" all fold to "pendingpayment".
func Folded(value string) string {
	var b strings.Builder
	for _, r := range value {
		if r == '_' || r == '-' || r == ' ' {
			continue
		}
		b.WriteRune(foldCase(r))
	}
	return b.String()
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Pair is a value the code writes and the database's value of the same folded spelling.
type Pair struct{ Code, Database string }

// ValueDifferences returns the values only the code has, those only the database has, and the
// pairs: a missing value pairs with the first unexpected one of the same folded spelling, and
// the pair leaves both lists.
func ValueDifferences(want, have []string) (missing, unexpected []string, pairs []Pair) {
	for _, v := range want {
		if !contains(have, v) {
			missing = append(missing, v)
		}
	}
	for _, v := range have {
		if !contains(want, v) {
			unexpected = append(unexpected, v)
		}
	}
	var unpaired []string
	for _, v := range missing {
		twin := -1
		for i, u := range unexpected {
			if Folded(u) == Folded(v) {
				twin = i
				break
			}
		}
		if twin < 0 {
			unpaired = append(unpaired, v)
			continue
		}
		pairs = append(pairs, Pair{v, unexpected[twin]})
		unexpected = append(unexpected[:twin:twin], unexpected[twin+1:]...)
	}
	return unpaired, unexpected, pairs
}

// OrderDiffers compares the order of the values both sides have, once the pairs are renamed to
// the code's spelling, whatever else differs.
func OrderDiffers(want, have []string, pairs []Pair) bool {
	renamed := make([]string, len(have))
	for i, v := range have {
		renamed[i] = v
		for _, p := range pairs {
			if p.Database == v {
				renamed[i] = p.Code
				break
			}
		}
	}
	var a, b []string
	for _, v := range want {
		if contains(renamed, v) {
			a = append(a, v)
		}
	}
	for _, v := range renamed {
		if contains(want, v) {
			b = append(b, v)
		}
	}
	return !equal(a, b)
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func quoteAll(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = strconv.Quote(v)
	}
	return out
}

func list(values []string) string {
	return "[" + strings.Join(quoteAll(values), ", ") + "]"
}

// Compare returns the drift of every enum type that differs, sorted by schema and name.
func Compare(code, database []snapshot.Enum) []Enum {
	type key [2]string
	have := map[key][]string{}
	for _, e := range database {
		have[key{e.Schema, e.Name}] = e.Values
	}
	inCode := map[key]bool{}
	var out []Enum
	for _, e := range code {
		k := key{e.Schema, e.Name}
		inCode[k] = true
		values, ok := have[k]
		if !ok {
			out = append(out, Enum{e.Schema, e.Name, []Item{{"missing_type", "the code uses it, the database has no such type"}}})
			continue
		}
		if equal(e.Values, values) {
			continue
		}
		missing, unexpected, pairs := ValueDifferences(e.Values, values)
		var items []Item
		for _, p := range pairs {
			items = append(items, Item{"case_mismatch", fmt.Sprintf("the code writes %s, the database has %s", strconv.Quote(p.Code), strconv.Quote(p.Database))})
		}
		for _, v := range missing {
			items = append(items, Item{"missing_value", strconv.Quote(v) + " is in the code, not in the database"})
		}
		for _, v := range unexpected {
			items = append(items, Item{"unexpected_value", strconv.Quote(v) + " is in the database, not in the code"})
		}
		if OrderDiffers(e.Values, values, pairs) {
			items = append(items, Item{"order_mismatch", "the code has " + list(e.Values) + ", the database " + list(values)})
		}
		if len(items) > 0 {
			out = append(out, Enum{e.Schema, e.Name, items})
		}
	}
	for _, e := range database {
		if !inCode[key{e.Schema, e.Name}] {
			out = append(out, Enum{e.Schema, e.Name, []Item{{"unexpected_type", "in the database, not in the code"}}})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Schema != out[j].Schema {
			return out[i].Schema < out[j].Schema
		}
		return out[i].Name < out[j].Name
	})
	return out
}
