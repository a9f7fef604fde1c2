package app

// Plain Go, no sqlc, no marker: an empty snapshot, and a warning that says why.
type Status string

const StatusNew Status = "new"
