package app

// Status has a marker that is no type name.
//
//enumwatch:enum billing.status AS ENUM ('x')
type Status string

const StatusNew Status = "new"
