package payments

// More labels of PaymentState in another file: they follow the first file's (files in name
// order, constants in source order).
const (
	PaymentStateFailed   PaymentState = "failed"
	PaymentStateRefunded PaymentState = "refunded"
)
