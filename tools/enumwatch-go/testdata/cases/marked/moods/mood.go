// Package moods has labels no identifier could spell: quotes, backslashes, a newline, a tab,
// HTML, non-ASCII. The snapshot must carry each byte for byte.
package moods

// Mood is a quoted PostgreSQL name with capitals.
//
//enumwatch:enum "Mood"
type Mood string

const (
	MoodQuoted    Mood = `say "hi"`
	MoodApostroph Mood = "it's"
	MoodBackslash Mood = `back\slash`
	MoodNewline   Mood = "new\nline"
	MoodTab       Mood = "tab\there"
	MoodHTML      Mood = "<b>&amp;</b>"
	MoodUnicode   Mood = "naïve ☃ 東京"
	MoodControl   Mood = "bell\a"
)

// Odd's name holds a newline and a quote, spelled with PostgreSQL's Unicode escapes; the schema
// is a quoted identifier with a dot in it.
//
//enumwatch:enum "odd.schema".U&"line\000Abreak ""quoted"""
type Odd string

const (
	OddA Odd = "a"
	OddB Odd = "b"
)

// Risk has no schema in its marker: public.
//
//enumwatch:enum risk_level
type Risk string

const (
	RiskLow  Risk = "low"
	RiskHigh Risk = "high"
)
