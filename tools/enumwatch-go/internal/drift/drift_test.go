package drift

import (
	"reflect"
	"testing"

	"enumwatch-go/internal/snapshot"
)

// The folding is the C++ diff's (common/src/diff/diff.cpp); the shared cases in
// tests/fixtures/diff_cases.json run through the command line in main_test.go.
func TestFolded(t *testing.T) {
	for in, want := range map[string]string{
		"PendingPayment":  "pendingpayment",
		"pending-payment": "pendingpayment",
		"pending payment": "pendingpayment",
		"ÉTAT":            "état",
		"ŁÓDŹ":            "łódź",
		"ΣΟΦΊΑ":           "σοφΊα", // Greek capitals fold; accented Ί is outside the table
		"МОСКВА":          "москва",
		"ЁЖ":              "ёж",
		"STRASSE":         "strasse", // not "straße": one-to-one foldings only
		"Ÿ":               "ÿ",
		"İ":               "İ", // dotted capital I: no simple folding
	} {
		if got := Folded(in); got != want {
			t.Errorf("Folded(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompareOneEntryPerEnum(t *testing.T) {
	code := []snapshot.Enum{{Schema: "public", Name: "s", Values: []string{"PendingPayment", "paid", "new"}}}
	db := []snapshot.Enum{{Schema: "public", Name: "s", Values: []string{"paid", "pending_payment", "old"}}}
	got := Compare(code, db)
	want := []Enum{{"public", "s", []Item{
		{"case_mismatch", `the code writes "PendingPayment", the database has "pending_payment"`},
		{"missing_value", `"new" is in the code, not in the database`},
		{"unexpected_value", `"old" is in the database, not in the code`},
		{"order_mismatch", `the code has ["PendingPayment", "paid", "new"], the database ["paid", "pending_payment", "old"]`},
	}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Compare = %+v", got)
	}
	if line := got[0].Line(); line[:len(`public.s: case_mismatch: `)] != `public.s: case_mismatch: ` {
		t.Errorf("Line = %q", line)
	}
}
