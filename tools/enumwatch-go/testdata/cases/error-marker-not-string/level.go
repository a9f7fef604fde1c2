package app

// Level is an int: PostgreSQL enum labels are strings.
//
//enumwatch:enum public.level
type Level int

const (
	LevelLow Level = iota
	LevelHigh
)
