package app

//enumwatch:enums public.status
type Status string

const StatusNew Status = "new"
