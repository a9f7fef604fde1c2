package app

//enumwatch:enum public.status
//enumwatch:enum public.state
type Status string

const StatusNew Status = "new"
