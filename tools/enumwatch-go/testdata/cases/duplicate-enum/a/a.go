package a

//enumwatch:enum public.status
type Status string

const StatusNew Status = "new"
