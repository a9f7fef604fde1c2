package shopdb

// The team's own code beside sqlc's: a constant of a generated type outside the generated file
// is not one of sqlc's labels, and an unmarked string type is none of enumwatch-go's business.

// DefaultStatus is what a new order starts as.
const DefaultStatus = OrderStatusPendingPayment

// Channel is never stored as a PostgreSQL enum.
type Channel string

const (
	ChannelWeb   Channel = "web"
	ChannelStore Channel = "store"
)
