package payments

import "database/sql/driver"

// PaymentState is how far a payment got.
//
//enumwatch:enum billing.payment_state
type PaymentState string

const (
	PaymentStateNew      PaymentState = "new"
	PaymentStatePending  PaymentState = "pending" + "_" + "capture" // Go's constant arithmetic
	PaymentStateCaptured              = PaymentState("captured")
	// A second name for a label is fine: PostgreSQL has it once.
	PaymentStateDefault = PaymentStateNew
)

// Value makes PaymentState a driver.Valuer.
func (s PaymentState) Value() (driver.Value, error) { return string(s), nil }

// Refund is in a parenthesized type block: the marker is the type spec's own doc comment.
type (
	// RefundReason says why money went back.
	//enumwatch:enum billing."Refund Reason"
	RefundReason string

	notAnEnum string
)

const (
	RefundFraud     RefundReason = "fraud"
	RefundDuplicate RefundReason = "duplicate"
	RefundCustomer  RefundReason = "requested_by_customer"
	refundOops      RefundReason = "fraud" // copy-pasted: the same label as RefundFraud
)

// Tier's marker has capitals without quotes: PostgreSQL folds them, and enumwatch-go says so.
//
//enumwatch:enum public.Tier
type Tier string

const (
	TierFree Tier = "free"
	TierPro  Tier = "pro"
)

// Currency is stored as a PostgreSQL enum, but nobody marked it: enumwatch-go warns.
type Currency string

const (
	CurrencyEUR Currency = "EUR"
	CurrencyUSD Currency = "USD"
)

func (c *Currency) Scan(src any) error { *c = Currency(src.(string)); return nil }

// Local is a plain string type with constants: not enumwatch-go's business, no warning.
type Local string

const LocalA Local = "a"

var _ = notAnEnum("x")
var _ = refundOops
