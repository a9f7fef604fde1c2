package app

//enumwatch:enum public.status
type Status string

const (
	StatusOK   Status = "ok"
	StatusLong Status = "a label longer than sixty-three bytes, which PostgreSQL refuses to store"
)
