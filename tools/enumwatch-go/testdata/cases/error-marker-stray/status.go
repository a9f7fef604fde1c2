package app

type Status string

// The marker is on the const block, not on the type: it would mark nothing.
//
//enumwatch:enum public.status
const (
	StatusNew Status = "new"
	StatusOld Status = "old"
)
