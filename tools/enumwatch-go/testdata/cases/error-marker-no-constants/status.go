package app

//enumwatch:enum public.status
type Status string

var StatusNew Status = "new" // a variable, not a constant: no label
