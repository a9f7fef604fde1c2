package sqlc

import "testing"

// sqlc's names for enum types (sqlc v1.31.1, StructName over buildEnums' key). The expected
// names are what sqlc generates; the fixtures under testdata/cases hold generated code with them.
func TestGoName(t *testing.T) {
	withAPI := DefaultNaming()
	withAPI.Initialisms = map[string]bool{"id": true, "api": true}
	renamed := DefaultNaming()
	renamed.Rename = map[string]string{"order_status": "Status", "risk_level": "RiskTier"}
	for _, c := range []struct {
		schema, name string
		naming       Naming
		want         string
	}{
		{"public", "order_status", DefaultNaming(), "OrderStatus"},
		{"billing", "currency", DefaultNaming(), "BillingCurrency"},                // schema_name outside public
		{"public", "OrderStatus", DefaultNaming(), "OrderStatus"},                  // capitals stay
		{"public", "orderStatus", DefaultNaming(), "OrderStatus"},                  // only the first rune is titled
		{"public", "ORDER_STATUS", DefaultNaming(), "ORDERSTATUS"},                 // the rest stays as it is
		{"public", "user_id_kind", DefaultNaming(), "UserIDKind"},                  // the default initialism
		{"public", "user_Id_kind", DefaultNaming(), "UserIdKind"},                  // initialisms match exactly
		{"public", "api_id_kind", withAPI, "APIIDKind"},                            // initialisms: [id, api]
		{"public", "api_id_kind", DefaultNaming(), "ApiIDKind"},                    //
		{"public", "order-status", DefaultNaming(), "OrderStatus"},                 // any non-letter, non-digit splits
		{"public", "order  status.v2", DefaultNaming(), "OrderStatusV2"},           // and empty parts vanish
		{"public", "Über Status", DefaultNaming(), "ÜberStatus"},                   // non-ASCII letters are letters
		{"public", "ünïcode_état", DefaultNaming(), "ÜnïcodeÉtat"},                 //
		{"public", "東京_status", DefaultNaming(), "東京Status"},                       // no case: kept
		{"public", "ǆungla", DefaultNaming(), "ǅungla"},                            // title case, not upper case
		{"public", "2fa_method", DefaultNaming(), "_2faMethod"},                    // a leading digit gets "_"
		{"public", "état_2fa", DefaultNaming(), "État2fa"},                         // a digit inside is fine
		{"public", "order_status", renamed, "Status"},                              // rename wins
		{"risk", "level", renamed, "RiskTier"},                                     // keyed by schema_name
		{"public", "risk_level", renamed, "RiskTier"},                              // which public.risk_level shares
		{"public", `say "hi"`, DefaultNaming(), "SayHi"},                           // quotes are separators
		{"public", "new\nline", DefaultNaming(), "NewLine"},                        //
		{"public", "a_b_c", Naming{Rename: map[string]string{"a_b_c": ""}}, "ABC"}, // an empty rename is none
	} {
		if got := GoName(c.schema, c.name, c.naming); got != c.want {
			t.Errorf("GoName(%q, %q) = %q, want %q", c.schema, c.name, got, c.want)
		}
	}
}
