package app

//enumwatch:enum public.status
type Status string

const (
	StatusNew Status = "new"
	StatusOld Status = "old
)
