package b

//enumwatch:enum public.status
type State string

const StateNew State = "neu"
